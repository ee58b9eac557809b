"""A whole lab in the real TUI: open it, type AWS CLI commands in its console, watch every check turn green."""

from __future__ import annotations

import pytest

from tutor.content import load_catalog

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

COMMANDS = [
    "sqs create-queue --queue-name orders-dlq --attributes MessageRetentionPeriod=1209600",
    "sqs create-queue --queue-name orders --attributes "
    "VisibilityTimeout=60,MessageRetentionPeriod=345600,ReceiveMessageWaitTimeSeconds=20",
    "sqs set-queue-attributes --queue-url https://sqs.us-east-1.amazonaws.com/123456789012/orders "
    "--attributes file://redrive.json",
]
REDRIVE = (
    '{"RedrivePolicy": "{\\"deadLetterTargetArn\\": \\"arn:aws:sqs:us-east-1:123456789012:orders-dlq\\", '
    '\\"maxReceiveCount\\": \\"3\\"}"}'
)


def test_a_lab_done_in_the_tui_console_turns_the_checklist_green(tui, tutor_home):
    labs = [lab.id for lab in load_catalog().labs_in_order()]  # the Labs list shows the guided order
    t = tui()
    t.wait_for("Welcome to aws-tutor")
    t.press("b")
    t.wait_for("Enter opens one")
    for _ in range(labs.index("sqs-dead-letter")):
        t.press("Down")
    t.press("Enter")
    t.wait_for("0/5 pass", timeout=30)
    workspace = tutor_home / "labs" / "sqs-dead-letter" / "workspace"
    (workspace / "redrive.json").write_text(REDRIVE)  # a file the learner writes in the workspace
    for command in COMMANDS[:2]:
        t.type(command)
        t.press("Enter")
        t.wait_for("QueueUrl")
    t.wait_for("4/5 pass", timeout=15)
    t.type(COMMANDS[2])
    t.press("Enter")
    screen = t.wait_for("5/5 pass", timeout=15)
    assert "Lab complete" in screen
    t.press("Escape")
    t.wait_for("Enter opens one")
    t.press("q")  # (not right after Escape: the terminal would read Escape, q as Alt+q)
    t.wait_for("A lab is still running")  # quitting asks what to do with the sandbox
    t.press("s")


def _open_sqs_lab(t):
    labs = [lab.id for lab in load_catalog().labs_in_order()]
    t.wait_for("Welcome to aws-tutor")
    t.press("b")
    t.wait_for("Enter opens one")
    for _ in range(labs.index("sqs-dead-letter")):
        t.press("Down")
    t.press("Enter")


def test_quit_mid_lab_keep_running_and_come_back_to_the_same_checklist(tui, tutor_home):
    t = tui()
    _open_sqs_lab(t)
    t.wait_for("0/5 pass", timeout=30)
    for command in COMMANDS[:2]:
        t.type(command)
        t.press("Enter")
        t.wait_for("QueueUrl")
    before = t.wait_for("4/5 pass", timeout=15)
    t.press("C-q")
    t.wait_for("A lab is still running: sqs-dead-letter")
    t.press("k")
    t.wait_gone("A lab is still running")
    assert "4/5 pass" in before

    again = tui()  # a new app: the sandbox kept running in the background
    _open_sqs_lab(again)
    screen = again.wait_for("4/5 pass", timeout=30)
    assert "sandbox already running" in screen
    again.press("C-q")
    again.wait_for("A lab is still running")
    again.press("s")  # stop it: saved, and nothing left running after the test
    again.wait_exit()  # the app quits once the sandbox is saved and stopped
    from tutor.sandbox.registry import running_labs

    assert running_labs() == []
