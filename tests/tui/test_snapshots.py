"""Snapshots of the main screens at a fixed size, on fixed sample content and an empty progress DB.

Update baselines only on purpose: `pytest tests/tui/test_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

import pytest
from conftest_helpers import settle

SIZE = (120, 36)


def visit(*keys: str):
    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


SCREENS = {
    "home": (),
    "lessons_toc": ("l",),
    "lesson_open": ("l", "enter"),
    "help": ("f1",),
    "labs": ("b",),
    "review_question": ("r",),
    "exam": ("e",),
    "stats": ("s",),
}


@pytest.mark.parametrize("name", SCREENS)
def test_screen_snapshot(snap_compare, make_app, frozen_now, name):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=visit(*SCREENS[name]))
