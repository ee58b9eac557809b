"""The lab screen: the sandbox starts in the background, console commands run, the checklist follows."""

from __future__ import annotations

import itertools

import pytest
from conftest_helpers import settle
from textual.widgets import DataTable, Input, RichLog, Static

pytestmark = pytest.mark.slow


@pytest.fixture
def lab_app():
    from tutor.content import load_catalog
    from tutor.tui.app import TutorApp

    app = TutorApp(catalog=load_catalog())
    yield app
    from tutor.grading.session import stop

    stop(app._catalog, "sqs-dead-letter")


async def wait_for(pilot, predicate, timeout: float = 20.0) -> None:
    for _ in range(int(timeout / 0.1)):
        if predicate():
            return
        await pilot.pause(0.1)
    raise AssertionError("condition not met in time")


def console_text(screen) -> str:
    return "\n".join(line.text for line in screen.query_one("#lab-console", RichLog).lines)


async def test_console_commands_turn_the_checklist_green(lab_app):
    from tutor.tui.screens.lab import LabScreen

    async with lab_app.run_test(size=(130, 40)) as pilot:
        await pilot.press("b")
        await settle(pilot)
        table = pilot.app.screen.query_one("#labs-table", DataTable)
        table.move_cursor(row=[r.value for r in table.rows].index("sqs-dead-letter"))
        await pilot.press("enter")
        await pilot.pause()
        lab = pilot.app.screen
        assert isinstance(lab, LabScreen)
        checks = lab.query_one("#lab-checks", Static)
        await wait_for(pilot, lambda: "0/5 pass" in str(checks.render()))
        # a failure's explanation wraps under itself, never back under the ✘
        lines = str(checks.render()).splitlines()
        explanation = list(itertools.takewhile(lambda line: not line.startswith((" ✘", " ✔")), lines[2:]))
        assert len(explanation) >= 2 and all(line.startswith("     ") for line in explanation), lines
        box = lab.query_one("#lab-input", Input)
        for command in [
            "sqs create-queue --queue-name orders-dlq --attributes MessageRetentionPeriod=1209600",
            "sqs create-queue --queue-name orders --attributes "
            "VisibilityTimeout=60,MessageRetentionPeriod=345600,ReceiveMessageWaitTimeSeconds=20",
            "sqs set-queue-attributes --queue-url https://sqs.us-east-1.amazonaws.com/123456789012/orders "
            '--attributes \'{"RedrivePolicy": "{\\"deadLetterTargetArn\\": '
            '\\"arn:aws:sqs:us-east-1:123456789012:orders-dlq\\", \\"maxReceiveCount\\": 3}"}\'',
        ]:
            box.value = command
            await pilot.press("enter")
            await pilot.pause(0.3)
        await wait_for(pilot, lambda: "5/5 pass" in str(checks.render()))
        assert "Lab complete" in str(checks.render())
        box.value = "sqs lisst-queues"
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Invalid choice" in console_text(lab))  # the CLI's own error, app alive
        await pilot.press("up")
        assert box.value == "sqs lisst-queues"


async def test_hint_is_counted_and_solution_needs_confirmation(lab_app):
    from tutor.store.labs import lab_summaries  # noqa: F401 - the store is used through the screen

    async with lab_app.run_test(size=(130, 40)) as pilot:
        pilot.app.open_lab("sqs-dead-letter")
        await settle(pilot)
        lab = pilot.app.screen
        await wait_for(pilot, lambda: lab.session is not None)
        from tutor.store.labs import lab_attempt
        from tutor.tui.screens.lab import Confirm

        await pilot.press("ctrl+t")  # the first hint asks, and says what it costs
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, Confirm))
        assert "10%" in pilot.app.screen.question
        await pilot.press("n")
        await pilot.pause()
        assert lab_attempt(lab.session.attempt_id).hints_used == 0 and "Hint 1/" not in console_text(lab)
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, Confirm))
        await pilot.press("y")
        await wait_for(pilot, lambda: "Hint 1/" in console_text(lab))
        await pilot.press("ctrl+t")  # the second one does not ask again
        await wait_for(pilot, lambda: "Hint 2/" in console_text(lab))
        await pilot.press("ctrl+o")
        await pilot.pause()
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, Confirm))
        await pilot.press("n")  # declined: nothing recorded
        await pilot.pause()
        attempt = lab_attempt(lab.session.attempt_id)
        assert attempt.hints_used == 2 and not attempt.solution_viewed
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, Confirm))
        await pilot.press("y")
        await wait_for(pilot, lambda: "Reference solution" in console_text(lab))
        assert lab_attempt(lab.session.attempt_id).solution_viewed
