from __future__ import annotations

import pytest


@pytest.fixture
def make_app(sample_catalog):
    from tutor.tui.app import TutorApp

    def make():
        return TutorApp(catalog=sample_catalog)

    return make
