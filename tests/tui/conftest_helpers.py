"""Helpers shared by the TUI tests."""

from __future__ import annotations


async def settle(pilot) -> None:
    """Wait for background workers and the repaint that follows them."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
