"""sns-fanout: independent correct variants pass every check; plausible mistakes fail exactly their checks."""

import json

from fixtures.labs import failing, report

LAB = "sns-fanout"
ACCOUNT = "123456789012"
TOPIC_ARN = f"arn:aws:sns:us-east-1:{ACCOUNT}:order-events"
QUEUES = ["order-fulfillment", "order-email", "order-analytics"]
ALL_POLICIES = {"policy-fulfillment", "policy-email", "policy-analytics"}


def qarn(name):
    return f"arn:aws:sqs:us-east-1:{ACCOUNT}:{name}"


def good_statement(name, **overrides):
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": "sns.amazonaws.com"},
        "Action": "sqs:SendMessage",
        "Resource": qarn(name),
        "Condition": {"ArnEquals": {"aws:SourceArn": TOPIC_ARN}},
    }
    statement.update(overrides)
    return statement


def build(ctx, *, statement=good_statement, raw=("order-analytics",), skip_subscription=(), filter_on=()):
    """A boto3 build of the end state with knobs for mistakes."""
    sqs, sns = ctx.client("sqs"), ctx.client("sns")
    topic = sns.create_topic(Name="order-events")["TopicArn"]
    for name in QUEUES:
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        policy = {"Version": "2012-10-17", "Statement": [statement(name)]}
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
        if name in skip_subscription:
            continue
        attributes = {}
        if name in raw:
            attributes["RawMessageDelivery"] = "true"
        if name in filter_on:
            attributes["FilterPolicy"] = json.dumps({"eventType": ["OrderPlaced"]})
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=qarn(name), Attributes=attributes)


def test_untouched_fails_everything(lab_session):
    assert failing(lab_session) == {c.id for c in lab_session.lab.checks}


def test_boto3_with_arnlike_and_service_list_passes(lab_session):
    build(
        lab_session.solve_context(),
        statement=lambda name: good_statement(
            name,
            Principal={"Service": ["sns.amazonaws.com"]},
            Action=["sqs:SendMessage"],
            Resource=[qarn(name)],
            Condition={"ArnLike": {"aws:SourceArn": TOPIC_ARN}, "StringEquals": {"aws:SourceAccount": ACCOUNT}},
        ),
    )
    assert failing(lab_session) == set()


def test_cli_public_principal_with_condition_and_later_raw_passes(lab_session):
    """The older AWS documentation style: Principal "*" narrowed by aws:SourceArn, an extra owner statement,
    raw delivery switched on afterwards with set-subscription-attributes and on every subscription."""
    ctx = lab_session.solve_context()
    for name in QUEUES:  # queues before the topic
        ctx.aws(f"sqs create-queue --queue-name {name}")
    ctx.aws("sns create-topic --name order-events")
    for name in QUEUES:
        policy = {
            "Version": "2012-10-17",
            "Id": f"{name}-policy",
            "Statement": [
                {
                    "Sid": "Owner",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                    "Action": "sqs:*",
                    "Resource": qarn(name),
                },
                {
                    "Sid": "Topic",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "SQS:SendMessage",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:SourceArn": TOPIC_ARN}},
                },
            ],
        }
        ctx.write("attrs.json", json.dumps({"Policy": json.dumps(policy)}))
        ctx.aws(
            f"sqs set-queue-attributes --queue-url https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/{name} "
            "--attributes file://attrs.json"
        )
        sub = ctx.aws_json(
            f"sns subscribe --topic-arn {TOPIC_ARN} --protocol sqs --notification-endpoint {qarn(name)} "
            "--return-subscription-arn"
        )["SubscriptionArn"]
        ctx.aws(
            f"sns set-subscription-attributes --subscription-arn {sub} --attribute-name RawMessageDelivery "
            "--attribute-value true"
        )
    assert failing(lab_session) == set()


def test_learner_messages_survive_the_probe(lab_session):
    ctx = lab_session.solve_context()
    build(ctx)
    sqs = ctx.client("sqs")
    url = sqs.get_queue_url(QueueName="order-email")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="my own order")
    assert failing(lab_session) == set()
    assert failing(lab_session) == set()  # twice: the probes of the first run were cleaned up
    bodies = [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])]
    assert bodies == ["my own order"]


def test_policy_without_condition_fails_that_policy(lab_session):
    def statement(name):
        if name == "order-email":
            return {k: v for k, v in good_statement(name).items() if k != "Condition"}
        return good_statement(name)

    build(lab_session.solve_context(), statement=statement)
    graded = report(lab_session)
    failed = {c.id: c.message for c in graded.checks if not c.passed}
    assert set(failed) == {"policy-email"}
    assert "aws:SourceArn" in failed["policy-email"]


def test_wildcard_topic_arn_fails_every_policy(lab_session):
    build(
        lab_session.solve_context(),
        statement=lambda name: good_statement(name, Condition={"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:*:*"}}),
    )
    assert failing(lab_session) == ALL_POLICIES


def test_prefix_wildcard_topic_arn_fails_every_policy(lab_session):
    build(
        lab_session.solve_context(),
        statement=lambda name: good_statement(
            name, Condition={"ArnLike": {"aws:SourceArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:order-*"}}
        ),
    )
    assert failing(lab_session) == ALL_POLICIES


def test_sqs_star_fails_every_policy(lab_session):
    build(lab_session.solve_context(), statement=lambda name: good_statement(name, Action="sqs:*"))
    graded = report(lab_session)
    failed = {c.id: c.message for c in graded.checks if not c.passed}
    assert set(failed) == ALL_POLICIES
    assert "more than sending" in failed["policy-analytics"]


def test_wrong_principal_fails_every_policy(lab_session):
    build(
        lab_session.solve_context(),
        statement=lambda name: good_statement(name, Principal={"Service": "events.amazonaws.com"}),
    )
    assert failing(lab_session) == ALL_POLICIES


def test_raw_delivery_on_the_wrong_queue_fails_only_raw_delivery(lab_session):
    build(lab_session.solve_context(), raw=("order-email",))
    assert failing(lab_session) == {"raw-delivery"}


def test_missing_subscription_fails_subscriptions_raw_and_delivery(lab_session):
    build(lab_session.solve_context(), skip_subscription=("order-analytics",))
    assert failing(lab_session) == {"subscriptions", "raw-delivery", "delivery"}


def test_filter_policy_that_drops_orders_fails_only_delivery(lab_session):
    build(lab_session.solve_context(), filter_on=("order-fulfillment",))
    graded = report(lab_session)
    failed = {c.id: c.message for c in graded.checks if not c.passed}
    assert set(failed) == {"delivery"}
    assert "order-fulfillment" in failed["delivery"]


def test_second_statement_letting_another_account_send_fails_that_policy(lab_session):
    def statement(name):
        return good_statement(name)

    build(lab_session.solve_context(), statement=statement)
    sqs = lab_session.sandbox.client("sqs")
    url = sqs.get_queue_url(QueueName="order-email")["QueueUrl"]
    policy = json.loads(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"])
    policy["Statement"] = [policy["Statement"]] if isinstance(policy["Statement"], dict) else policy["Statement"]
    policy["Statement"].append(
        {
            "Sid": "Partner",
            "Effect": "Allow",
            "Principal": {"AWS": "210987654321"},
            "Action": "sqs:SendMessage",
            "Resource": qarn("order-email"),
        }
    )
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    graded = report(lab_session)
    failed = {c.id: c.message for c in graded.checks if not c.passed}
    assert set(failed) == {"policy-email"}
    assert "account 210987654321" in failed["policy-email"] and "Sid Partner" in failed["policy-email"]
