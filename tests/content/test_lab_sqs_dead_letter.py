"""sqs-dead-letter: independent correct variants pass every check; plausible mistakes fail exactly their checks."""

import json

from fixtures.labs import failing

from tutor.grading import grade

LAB = "sqs-dead-letter"
DLQ_ARN = "arn:aws:sqs:us-east-1:123456789012:orders-dlq"


def test_untouched_fails_everything(lab_session):
    assert failing(lab_session) == {c.id for c in lab_session.lab.checks}


def test_boto3_with_numeric_max_receive_count_passes(lab_session):
    sqs = lab_session.solve_context().client("sqs")
    dlq = sqs.create_queue(QueueName="orders-dlq", Attributes={"MessageRetentionPeriod": str(14 * 24 * 3600)})
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq["QueueUrl"], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.create_queue(
        QueueName="orders",
        Attributes={
            "VisibilityTimeout": "60",
            "ReceiveMessageWaitTimeSeconds": "20",
            "RedrivePolicy": json.dumps({"maxReceiveCount": 3, "deadLetterTargetArn": dlq_arn}),
        },
    )  # retention left at the default, which is 4 days
    assert failing(lab_session) == set()


def test_cli_step_by_step_with_set_queue_attributes_passes(lab_session):
    ctx = lab_session.solve_context()
    # the main queue first, the DLQ later, then everything added with set-queue-attributes
    ctx.aws("sqs create-queue --queue-name orders")
    ctx.aws("sqs create-queue --queue-name orders-dlq")
    ctx.aws(
        "sqs set-queue-attributes --queue-url https://sqs.us-east-1.amazonaws.com/123456789012/orders-dlq "
        "--attributes MessageRetentionPeriod=1209600"
    )
    url = ctx.aws_json("sqs get-queue-url --queue-name orders")["QueueUrl"]
    ctx.aws(
        f"sqs set-queue-attributes --queue-url {url} --attributes VisibilityTimeout=60,MessageRetentionPeriod=345600"
    )
    ctx.aws(f"sqs set-queue-attributes --queue-url {url} --attributes ReceiveMessageWaitTimeSeconds=20")
    ctx.write(
        "redrive.json",
        json.dumps({"RedrivePolicy": json.dumps({"deadLetterTargetArn": DLQ_ARN, "maxReceiveCount": "3"})}),
    )
    ctx.aws(f"sqs set-queue-attributes --queue-url {url} --attributes file://redrive.json")
    assert failing(lab_session) == set()


def _solve_with(ctx, *, dlq=None, main=None, redrive=None, extra_queue=None):
    if extra_queue:
        ctx.client("sqs").create_queue(QueueName=extra_queue)
    ctx.client("sqs").create_queue(QueueName="orders-dlq", Attributes=dlq or {"MessageRetentionPeriod": "1209600"})
    attributes = {
        "VisibilityTimeout": "60",
        "MessageRetentionPeriod": "345600",
        "ReceiveMessageWaitTimeSeconds": "20",
        "RedrivePolicy": json.dumps(redrive or {"deadLetterTargetArn": DLQ_ARN, "maxReceiveCount": "3"}),
    }
    attributes.update(main or {})
    ctx.client("sqs").create_queue(QueueName="orders", Attributes=attributes)


def test_retentions_swapped_fail_both_retentions(lab_session):
    _solve_with(
        lab_session.solve_context(),
        dlq={"MessageRetentionPeriod": "345600"},
        main={"MessageRetentionPeriod": "1209600"},
    )
    assert failing(lab_session) == {"dlq-retention", "retention"}


def test_retention_in_hours_fails_only_dlq_retention(lab_session):
    _solve_with(lab_session.solve_context(), dlq={"MessageRetentionPeriod": str(14 * 24 * 60)})  # minutes, not seconds
    assert failing(lab_session) == {"dlq-retention"}


def test_delay_instead_of_long_polling_fails_only_long_polling(lab_session):
    _solve_with(lab_session.solve_context(), main={"ReceiveMessageWaitTimeSeconds": "0", "DelaySeconds": "20"})
    assert failing(lab_session) == {"long-polling"}


def test_visibility_in_minutes_fails_only_visibility(lab_session):
    _solve_with(lab_session.solve_context(), main={"VisibilityTimeout": "3600"})
    assert failing(lab_session) == {"visibility"}


def test_max_receive_count_five_fails_only_redrive(lab_session):
    _solve_with(lab_session.solve_context(), redrive={"deadLetterTargetArn": DLQ_ARN, "maxReceiveCount": 5})
    assert failing(lab_session) == {"redrive"}


def test_redrive_to_another_queue_fails_only_redrive(lab_session):
    other = "arn:aws:sqs:us-east-1:123456789012:orders-errors"
    _solve_with(
        lab_session.solve_context(),
        extra_queue="orders-errors",
        redrive={"deadLetterTargetArn": other, "maxReceiveCount": "3"},
    )
    report = grade(lab_session.lab, lab_session.check_context())
    failed = {c.id: c.message for c in report.checks if not c.passed}
    assert set(failed) == {"redrive"}
    assert "not the ARN of orders-dlq" in failed["redrive"]


def test_no_redrive_policy_fails_only_redrive(lab_session):
    ctx = lab_session.solve_context()
    ctx.client("sqs").create_queue(QueueName="orders-dlq", Attributes={"MessageRetentionPeriod": "1209600"})
    ctx.client("sqs").create_queue(
        QueueName="orders", Attributes={"VisibilityTimeout": "60", "ReceiveMessageWaitTimeSeconds": "20"}
    )
    assert failing(lab_session) == {"redrive"}
