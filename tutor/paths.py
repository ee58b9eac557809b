"""Where the learner's data lives. Small and import-light: the TUI needs it on the first screen."""

from __future__ import annotations

import os
from pathlib import Path


def home() -> Path:
    """``TUTOR_HOME`` or the platform's user data dir (created on demand)."""
    env = os.environ.get("TUTOR_HOME")
    if env:
        path = Path(env).expanduser()
    else:
        from platformdirs import user_data_path

        path = user_data_path("aws-tutor", appauthor=False)
    path.mkdir(parents=True, exist_ok=True)
    return path


def db_url() -> str:
    return os.environ.get("TUTOR_DB_URL") or f"sqlite:///{home() / 'tutor.db'}"


def labs_dir() -> Path:
    """Per-lab sandbox state and workspaces."""
    path = home() / "labs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def workshop_file() -> Path:
    """The joined workshop, as JSON ({"workshop", "content"}): present only while a workshop is joined, so the
    content loader and the CLI's end-of-command sync can tell without opening the database."""
    return home() / "workshop.json"


def workshop_content_roots() -> list[Path]:
    """The joined workshop pack's content folder, which is part of the learner's catalog while joined."""
    import json

    try:
        content = json.loads(workshop_file().read_text(encoding="utf-8")).get("content")
    except (OSError, ValueError, AttributeError):
        return []
    return [Path(content)] if content else []
