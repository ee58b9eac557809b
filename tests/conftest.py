from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # `fixtures` helpers
sys.path.insert(0, str(Path(__file__).parent / "tui"))  # `conftest_helpers`

from fixtures.content import write_root  # noqa: E402


@pytest.fixture(autouse=True)
def tutor_home(tmp_path, monkeypatch) -> Path:
    """Every test gets its own data dir and database, and no extra content path."""
    home = tmp_path / "home"
    monkeypatch.setenv("TUTOR_HOME", str(home))
    monkeypatch.delenv("TUTOR_DB_URL", raising=False)
    monkeypatch.delenv("TUTOR_CONTENT_PATH", raising=False)
    return home


@pytest.fixture
def content_root(tmp_path) -> Path:
    return write_root(tmp_path / "content")


@pytest.fixture
def sample_catalog(content_root):
    from tutor.content import load_catalog

    catalog = load_catalog([content_root], include_builtin=False)
    assert catalog.problems == [], catalog.problems
    return catalog
