from __future__ import annotations

import pytest


@pytest.fixture
def make_app(sample_catalog):
    from tutor.tui.app import TutorApp

    def make():
        return TutorApp(catalog=sample_catalog)

    return make


@pytest.fixture
def frozen_now(monkeypatch):
    """One fixed 'now' for every module that schedules by time, so snapshots do not change by the day."""
    from datetime import UTC, datetime

    from tutor.srs import clock

    fixed = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    for module in ("clock", "session", "stats", "plan", "queue", "scheduler"):
        mod = __import__(f"tutor.srs.{module}", fromlist=["utcnow"])
        if hasattr(mod, "utcnow"):
            monkeypatch.setattr(mod, "utcnow", lambda: fixed)
    assert clock.utcnow() == fixed
    return fixed
