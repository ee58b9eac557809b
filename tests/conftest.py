from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # `fixtures` helpers
sys.path.insert(0, str(Path(__file__).parent / "tui"))  # `conftest_helpers`

from fixtures.content import write_root


@pytest.fixture(autouse=True)
def tutor_home(tmp_path, monkeypatch) -> Path:
    """Every test gets its own data dir and database, and no extra content path."""
    home = tmp_path / "home"
    monkeypatch.setenv("TUTOR_HOME", str(home))
    monkeypatch.delenv("TUTOR_DB_URL", raising=False)
    monkeypatch.delenv("TUTOR_CONTENT_PATH", raising=False)
    monkeypatch.delenv("TUTOR_LAB", raising=False)
    yield home
    _stop_lab_sandboxes(home)


def _stop_lab_sandboxes(home: Path) -> None:
    """Lab sandboxes are detached (they outlive the shell that started them): stop any a test left."""
    from tutor.sandbox import attach

    for state in home.glob("labs/*/sandbox/sandbox.json"):
        sandbox = attach(state.parent)
        if sandbox is not None:
            sandbox.stop()


@pytest.fixture
def content_root(tmp_path) -> Path:
    return write_root(tmp_path / "content")


@pytest.fixture
def sample_catalog(content_root):
    from tutor.content import load_catalog

    catalog = load_catalog([content_root], include_builtin=False)
    assert catalog.problems == [], catalog.problems
    return catalog
