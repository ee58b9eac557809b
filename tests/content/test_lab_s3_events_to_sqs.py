"""s3-events-to-sqs: independent correct variants pass every check; plausible mistakes fail exactly their checks."""

import json

import pytest
from fixtures.labs import OTHER_SENDER_IDS, failing, message, other_sender_statements, report

LAB = "s3-events-to-sqs"
ACCOUNT = "123456789012"
BUCKET = "acme-photo-uploads"
BUCKET_ARN = f"arn:aws:s3:::{BUCKET}"
QUEUE_ARN = f"arn:aws:sqs:us-east-1:{ACCOUNT}:thumbnail-jobs"
FILTER = {"Key": {"FilterRules": [{"Name": "prefix", "Value": "uploads/"}, {"Name": "suffix", "Value": ".jpg"}]}}


def policy(condition=None, principal=None, action="sqs:SendMessage"):
    statement = {
        "Effect": "Allow",
        "Principal": principal or {"Service": "s3.amazonaws.com"},
        "Action": action,
        "Resource": QUEUE_ARN,
    }
    if condition is not False:
        statement["Condition"] = condition or {"ArnEquals": {"aws:SourceArn": BUCKET_ARN}}
    return {"Version": "2012-10-17", "Statement": [statement]}


def build(ctx, *, events=("s3:ObjectCreated:*",), flt=FILTER, queue_policy=None, target=QUEUE_ARN):
    s3, sqs = ctx.client("s3"), ctx.client("sqs")
    s3.create_bucket(Bucket=BUCKET)
    url = sqs.create_queue(QueueName="thumbnail-jobs")["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(queue_policy or policy())})
    if target != QUEUE_ARN:
        sqs.create_queue(QueueName=target.rsplit(":", 1)[1])
    configuration = {"QueueArn": target, "Events": list(events)}
    if flt:
        configuration["Filter"] = flt
    s3.put_bucket_notification_configuration(
        Bucket=BUCKET, NotificationConfiguration={"QueueConfigurations": [configuration]}
    )


def test_untouched_fails_everything(lab_session):
    assert failing(lab_session) == {c.id for c in lab_session.lab.checks}


def test_boto3_explicit_events_versioned_bucket_passes(lab_session):
    ctx = lab_session.solve_context()
    s3, sqs = ctx.client("s3"), ctx.client("sqs")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    url = sqs.create_queue(QueueName="thumbnail-jobs")["QueueUrl"]
    s3.put_bucket_notification_configuration(
        Bucket=BUCKET,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "Id": "jpg",
                    "QueueArn": QUEUE_ARN,
                    "Events": [
                        "s3:ObjectCreated:Put",
                        "s3:ObjectCreated:Post",
                        "s3:ObjectCreated:Copy",
                        "s3:ObjectCreated:CompleteMultipartUpload",
                    ],
                    "Filter": {
                        "Key": {
                            "FilterRules": [
                                {"Name": "suffix", "Value": ".jpg"},
                                {"Name": "prefix", "Value": "uploads/"},
                            ]
                        }
                    },
                }
            ]
        },
    )  # the policy after the notification: the sandbox does not mind the order
    sqs.set_queue_attributes(
        QueueUrl=url,
        Attributes={
            "Policy": json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "Owner",
                            "Effect": "Allow",
                            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                            "Action": "sqs:*",
                            "Resource": QUEUE_ARN,
                        },
                        {
                            "Sid": "S3",
                            "Effect": "Allow",
                            "Principal": {"Service": ["s3.amazonaws.com"]},
                            "Action": ["sqs:SendMessage"],
                            "Resource": [QUEUE_ARN],
                            "Condition": {"ArnLike": {"aws:SourceArn": BUCKET_ARN}},
                        },
                    ],
                }
            )
        },
    )
    assert failing(lab_session) == set()
    versions = s3.list_object_versions(Bucket=BUCKET)
    assert not versions.get("Versions") and not versions.get("DeleteMarkers")  # the probe left nothing behind


def test_cli_with_a_second_notification_passes(lab_session):
    ctx = lab_session.solve_context()
    ctx.aws(f"s3api create-bucket --bucket {BUCKET}")
    ctx.aws("sqs create-queue --queue-name thumbnail-jobs")
    ctx.aws("sqs create-queue --queue-name audit-deletions")
    ctx.write(
        "attrs.json",
        json.dumps({"Policy": json.dumps(policy(condition={"StringEquals": {"aws:SourceArn": BUCKET_ARN}}))}),
    )
    ctx.aws(
        f"sqs set-queue-attributes --queue-url https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/thumbnail-jobs "
        "--attributes file://attrs.json"
    )
    ctx.write(
        "notification.json",
        json.dumps(
            {
                "QueueConfigurations": [
                    {"QueueArn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:audit-deletions", "Events": ["s3:ObjectRemoved:*"]},
                    {"QueueArn": QUEUE_ARN, "Events": ["s3:ObjectCreated:*"], "Filter": FILTER},
                ]
            }
        ),
    )
    ctx.aws(
        f"s3api put-bucket-notification-configuration --bucket {BUCKET} "
        "--notification-configuration file://notification.json"
    )
    ctx.write("tent.jpg", "not really a jpeg")
    ctx.aws(f"s3 cp tent.jpg s3://{BUCKET}/uploads/tent.jpg")  # the learner's own upload
    assert failing(lab_session) == set()
    sqs = ctx.client("sqs")
    url = sqs.get_queue_url(QueueName="thumbnail-jobs")["QueueUrl"]
    bodies = [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])]
    assert len(bodies) == 2 and any("s3:TestEvent" in b for b in bodies) and any("tent.jpg" in b for b in bodies)


def test_no_filter_fails_filter_and_delivery(lab_session):
    build(lab_session.solve_context(), flt=None)
    graded = report(lab_session)
    failed = {c.id: c.message for c in graded.checks if not c.passed}
    assert set(failed) == {"notification-filter", "delivery"}
    assert "thumbnails/" in failed["delivery"]


def test_prefix_without_slash_fails_only_filter(lab_session):
    build(
        lab_session.solve_context(),
        flt={"Key": {"FilterRules": [{"Name": "prefix", "Value": "uploads"}, {"Name": "suffix", "Value": ".jpg"}]}},
    )
    assert failing(lab_session) == {"notification-filter"}


def test_suffix_without_dot_fails_only_filter(lab_session):
    build(
        lab_session.solve_context(),
        flt={"Key": {"FilterRules": [{"Name": "prefix", "Value": "uploads/"}, {"Name": "suffix", "Value": "jpg"}]}},
    )
    assert failing(lab_session) == {"notification-filter"}


def test_put_only_fails_only_events(lab_session):
    build(lab_session.solve_context(), events=("s3:ObjectCreated:Put",))
    graded = report(lab_session)
    failed = {c.id: c.message for c in graded.checks if not c.passed}
    assert set(failed) == {"notification-events"}
    assert "copy" in failed["notification-events"]


def test_removals_too_fail_only_events(lab_session):
    build(lab_session.solve_context(), events=("s3:ObjectCreated:*", "s3:ObjectRemoved:*"))
    assert failing(lab_session) == {"notification-events"}
    sqs = lab_session.solve_context().client("sqs")
    url = sqs.get_queue_url(QueueName="thumbnail-jobs")["QueueUrl"]
    bodies = [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])]
    assert not any("tutor-probe-" in b for b in bodies)  # the probe's removal events were cleaned up too


def test_source_account_only_fails_only_policy(lab_session):
    build(lab_session.solve_context(), queue_policy=policy(condition={"StringEquals": {"aws:SourceAccount": ACCOUNT}}))
    graded = report(lab_session)
    failed = {c.id: c.message for c in graded.checks if not c.passed}
    assert set(failed) == {"queue-policy"}
    assert "acme-photo-uploads-old" in failed["queue-policy"]


def test_public_policy_without_condition_fails_only_policy(lab_session):
    build(lab_session.solve_context(), queue_policy=policy(condition=False, principal="*"))
    assert failing(lab_session) == {"queue-policy"}


def test_bucket_wildcard_fails_only_policy(lab_session):
    build(lab_session.solve_context(), queue_policy=policy(condition={"ArnLike": {"aws:SourceArn": "arn:aws:s3:::*"}}))
    assert failing(lab_session) == {"queue-policy"}


def test_sqs_star_fails_only_policy(lab_session):
    build(lab_session.solve_context(), queue_policy=policy(action="sqs:*"))
    assert failing(lab_session) == {"queue-policy"}


def test_notification_to_another_queue_fails_configuration_and_delivery(lab_session):
    build(lab_session.solve_context(), target=f"arn:aws:sqs:us-east-1:{ACCOUNT}:thumbnail-jobs-dev")
    graded = report(lab_session)
    failed = {c.id: c.message for c in graded.checks if not c.passed}
    assert set(failed) == {"notification-events", "notification-filter", "delivery"}
    assert "thumbnail-jobs-dev" in failed["notification-events"]


# Over-grants the old fixed probes never named: the queue policy is read statement by statement.
def _with_extra_statement(extra):
    document = policy()
    document["Statement"].append(extra)
    return document


@pytest.mark.parametrize("extra", other_sender_statements(QUEUE_ARN), ids=OTHER_SENDER_IDS)
def test_second_statement_letting_someone_else_send_fails_only_policy(lab_session, extra):
    build(lab_session.solve_context(), queue_policy=_with_extra_statement(extra))
    assert failing(lab_session) == {"queue-policy"}
    assert "Sid Partner" in message(lab_session, "queue-policy")


def test_own_account_statement_and_star_pinned_to_the_source_pass(lab_session):
    owner = {
        "Sid": "Owner",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "sqs:*",
        "Resource": QUEUE_ARN,
    }
    pinned = policy(principal="*")
    pinned["Statement"].append(owner)
    build(lab_session.solve_context(), queue_policy=pinned)
    assert failing(lab_session) == set()
