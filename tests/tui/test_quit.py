"""Quitting with a lab running asks first: keep it in the background, stop it (saved), or stay."""

from __future__ import annotations

import pytest
from conftest_helpers import settle


@pytest.fixture
def running(monkeypatch):
    """One lab 'running', and a record of the labs stopped (the real sandbox is the e2e test's business)."""
    from tutor.grading import session
    from tutor.sandbox import registry

    labs = ["sqs-dead-letter"]
    stopped: list[str] = []
    monkeypatch.setattr(registry, "running_labs", lambda: list(labs))

    def stop(catalog, lab_id):
        stopped.append(lab_id)
        labs.remove(lab_id)
        return True

    monkeypatch.setattr(session, "stop", stop)
    return labs, stopped


async def _quit(app, pilot):
    from tutor.tui.screens.quit import QuitDialog

    await settle(pilot)
    await pilot.press("ctrl+q")
    await settle(pilot)
    assert isinstance(app.screen, QuitDialog)
    assert "sqs-dead-letter" in " ".join(str(w.render()) for w in app.screen.query("Static"))


async def test_keep_running_quits_and_leaves_the_lab_alone(make_app, running):
    labs, stopped = running
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _quit(app, pilot)
        await pilot.press("k")
        await settle(pilot)
    assert app.return_code == 0 and stopped == [] and labs == ["sqs-dead-letter"]


async def test_stop_saves_the_lab_then_quits(make_app, running):
    _labs, stopped = running
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _quit(app, pilot)
        await pilot.press("s")
        await settle(pilot)
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert stopped == ["sqs-dead-letter"] and app.return_code == 0


async def test_cancel_stays_in_the_app(make_app, running):
    from tutor.tui.screens.quit import QuitDialog

    _labs, stopped = running
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _quit(app, pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, QuitDialog) and app.is_running and stopped == []


async def test_without_a_running_lab_quit_is_immediate(make_app, monkeypatch):
    from tutor.sandbox import registry

    monkeypatch.setattr(registry, "running_labs", list)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot)
    assert app.return_code == 0
