"""Helpers shared by the TUI tests."""

from __future__ import annotations


async def settle(pilot) -> None:
    """Wait for background workers and the repaint that follows them.

    Watchers (groups ending in "watch", such as the lab screen's sandbox watcher) run until their
    screen closes, so they are not waited for: a test that did would hang.
    """
    for _ in range(2):
        finite = [w for w in pilot.app.workers if not (w.group or "").endswith("watch")]
        if finite:  # (an empty list would mean "every worker" to wait_for_complete)
            await pilot.app.workers.wait_for_complete(finite)
        await pilot.pause()
