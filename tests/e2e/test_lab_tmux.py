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
    t.press("Escape")  # nothing to go back to: the lab list stays
    t.press("q")
