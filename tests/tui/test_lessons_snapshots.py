"""Snapshots of the lesson reader at 120x36 on the sample content and an empty progress DB.

Update baselines only on purpose: `pytest tests/tui/test_lessons_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

import pytest
from conftest_helpers import settle

SIZE = (120, 36)


async def _open_section(pilot) -> None:
    await settle(pilot)
    await pilot.press("l")
    await settle(pilot)
    pilot.app.screen.open_lesson("storage", "versioning")
    await settle(pilot)


async def _search(pilot) -> None:
    await _open_section(pilot)
    pilot.app.screen.query_one("#lesson-search").cursor_blink = False
    await pilot.press("slash", *"vers")
    await settle(pilot)


async def _glossary(pilot) -> None:
    await _open_section(pilot)
    await pilot.press("g")
    await settle(pilot)


SCENES = {"section": _open_section, "search": _search, "glossary": _glossary}


@pytest.mark.parametrize("scene", SCENES)
def test_lesson_reader_snapshot(snap_compare, make_app, scene):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=SCENES[scene])
