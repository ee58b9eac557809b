"""The engine never imports Textual, and the first screen never imports the heavy libraries."""

from __future__ import annotations

import json
import subprocess
import sys


def loaded_modules(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {name.split(".")[0] for name in json.loads(out.splitlines()[-1])}


def test_engine_packages_do_not_import_textual():
    engine = ["tutor.content", "tutor.store", "tutor.srs", "tutor.sandbox", "tutor.grading", "tutor.exam"]
    modules = loaded_modules("\n".join(f"import {m}" for m in engine))
    assert "textual" not in modules
    assert "tutor" in modules


def test_first_screen_path_stays_light():
    modules = loaded_modules("import tutor.cli.main, tutor.tui.app, tutor.tui.screens.home")
    heavy = {"sqlmodel", "sqlalchemy", "boto3", "botocore", "moto", "awscli", "pydantic", "alembic", "fsrs", "typer"}
    assert not (heavy & modules), heavy & modules
