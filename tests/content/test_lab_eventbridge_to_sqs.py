"""eventbridge-to-sqs: independent correct variants pass every check; plausible mistakes fail exactly their checks."""

import functools
import importlib.util
import json
from pathlib import Path

import pytest
from fixtures.labs import OTHER_SENDER_IDS, failing, message, other_sender_statements, report

LAB = "eventbridge-to-sqs"
ACCOUNT = "123456789012"
QUEUE_ARN = f"arn:aws:sqs:us-east-1:{ACCOUNT}:express-shipping"
RULE_ARN = f"arn:aws:events:us-east-1:{ACCOUNT}:rule/acme-orders/express-shipping-orders"
PATTERN = {
    "source": ["com.acme.orders"],
    "detail-type": ["OrderPlaced"],
    "detail": {"amount": [{"numeric": [">", 100]}]},
}


def policy(condition=None, principal=None, action="sqs:SendMessage"):
    statement = {
        "Effect": "Allow",
        "Principal": principal or {"Service": "events.amazonaws.com"},
        "Action": action,
        "Resource": QUEUE_ARN,
    }
    if condition is not False:
        statement["Condition"] = condition or {"ArnEquals": {"aws:SourceArn": RULE_ARN}}
    return {"Version": "2012-10-17", "Statement": [statement]}


def build(ctx, *, pattern=PATTERN, queue_policy=None, bus_for_rule="acme-orders", target=None, state="ENABLED"):
    events, sqs = ctx.client("events"), ctx.client("sqs")
    events.create_event_bus(Name="acme-orders")
    url = sqs.create_queue(QueueName="express-shipping")["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(queue_policy or policy())})
    events.put_rule(
        Name="express-shipping-orders", EventBusName=bus_for_rule, EventPattern=json.dumps(pattern), State=state
    )
    events.put_targets(
        Rule="express-shipping-orders",
        EventBusName=bus_for_rule,
        Targets=[{"Id": "q", "Arn": QUEUE_ARN, **(target or {})}],
    )


def test_untouched_fails_everything(lab_session):
    assert failing(lab_session) == {c.id for c in lab_session.lab.checks}


def test_boto3_split_policy_and_float_bound_passes(lab_session):
    ctx = lab_session.solve_context()
    events, sqs = ctx.client("events"), ctx.client("sqs")
    events.create_event_bus(Name="acme-orders")
    rule_arn = events.put_rule(
        Name="express-shipping-orders",
        EventBusName="acme-orders",
        EventPattern=json.dumps(
            {
                "detail": {"amount": [{"numeric": [">", 100.0]}]},
                "detail-type": ["OrderPlaced"],
                "source": ["com.acme.orders"],
            }
        ),
    )["RuleArn"]
    url = sqs.create_queue(QueueName="express-shipping")["QueueUrl"]  # the queue after the rule
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
                            "Principal": {"AWS": ACCOUNT},
                            "Action": "sqs:*",
                            "Resource": QUEUE_ARN,
                        },
                        {
                            "Sid": "Rule",
                            "Effect": "Allow",
                            "Principal": {"Service": ["events.amazonaws.com"]},
                            "Action": ["sqs:SendMessage"],
                            "Resource": "*",
                            "Condition": {"ArnLike": {"aws:SourceArn": rule_arn}},
                        },
                    ],
                }
            )
        },
    )
    events.put_targets(
        Rule="express-shipping-orders", EventBusName="acme-orders", Targets=[{"Id": "express", "Arn": QUEUE_ARN}]
    )
    assert failing(lab_session) == set()


def test_cli_inline_pattern_enabled_later_passes(lab_session):
    ctx = lab_session.solve_context()
    ctx.aws("sqs create-queue --queue-name express-shipping")
    ctx.aws("events create-event-bus --name acme-orders")
    ctx.aws(
        "events put-rule --name express-shipping-orders --event-bus-name arn:aws:events:us-east-1:123456789012:"
        "event-bus/acme-orders --state DISABLED --event-pattern "
        '\'{"source":["com.acme.orders"],"detail-type":["OrderPlaced"],'
        '"detail":{"amount":[{"numeric":[">",100,"<",1000000000]}]}}\''
    )
    ctx.write("targets.json", json.dumps([{"Id": "1", "Arn": QUEUE_ARN}]))
    ctx.aws(
        "events put-targets --rule express-shipping-orders --event-bus-name acme-orders --targets file://targets.json"
    )
    ctx.write(
        "attrs.json",
        json.dumps(
            {
                "Policy": json.dumps(
                    policy(condition={"StringEquals": {"aws:SourceArn": RULE_ARN, "aws:SourceAccount": ACCOUNT}})
                )
            }
        ),
    )
    ctx.aws(
        f"sqs set-queue-attributes --queue-url https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/express-shipping "
        "--attributes file://attrs.json"
    )
    ctx.aws("events enable-rule --name express-shipping-orders --event-bus-name acme-orders")
    assert failing(lab_session) == set()


def test_learner_messages_survive_the_probe(lab_session):
    ctx = lab_session.solve_context()
    build(ctx)
    sqs = ctx.client("sqs")
    url = sqs.get_queue_url(QueueName="express-shipping")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="my own test")
    assert failing(lab_session) == set()
    assert failing(lab_session) == set()
    bodies = [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])]
    assert bodies == ["my own test"]


def test_greater_or_equal_fails_pattern_and_delivery(lab_session):
    build(lab_session.solve_context(), pattern={**PATTERN, "detail": {"amount": [{"numeric": [">=", 100]}]}})
    graded = report(lab_session)
    failed = {c.id: c.message for c in graded.checks if not c.passed}
    assert set(failed) == {"rule-pattern", "delivery"}
    assert "exactly 100" in failed["rule-pattern"]
    assert "amount 100" in failed["delivery"]


def test_pattern_without_detail_type_fails_pattern_and_delivery(lab_session):
    build(lab_session.solve_context(), pattern={k: v for k, v in PATTERN.items() if k != "detail-type"})
    assert failing(lab_session) == {"rule-pattern", "delivery"}


def test_prefix_source_fails_only_pattern(lab_session):
    """com.acme.orders.test would match a prefix; no live probe uses such a source."""
    build(lab_session.solve_context(), pattern={**PATTERN, "source": [{"prefix": "com.acme.orders"}]})
    assert failing(lab_session) == {"rule-pattern"}


def test_rule_on_default_bus_fails_everything_but_the_bus(lab_session):
    default_rule = f"arn:aws:events:us-east-1:{ACCOUNT}:rule/express-shipping-orders"
    build(
        lab_session.solve_context(),
        bus_for_rule="default",
        queue_policy=policy(condition={"ArnEquals": {"aws:SourceArn": default_rule}}),
    )
    assert failing(lab_session) == {"rule-pattern", "rule-enabled", "rule-target", "queue-policy", "delivery"}


def test_bus_arn_instead_of_rule_arn_fails_only_policy(lab_session):
    bus_arn = f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/acme-orders"
    build(lab_session.solve_context(), queue_policy=policy(condition={"ArnEquals": {"aws:SourceArn": bus_arn}}))
    assert failing(lab_session) == {"queue-policy"}


def test_policy_without_condition_fails_only_policy(lab_session):
    build(lab_session.solve_context(), queue_policy=policy(condition=False))
    assert failing(lab_session) == {"queue-policy"}


def test_wildcard_rule_arn_fails_only_policy(lab_session):
    build(
        lab_session.solve_context(),
        queue_policy=policy(condition={"ArnLike": {"aws:SourceArn": f"arn:aws:events:us-east-1:{ACCOUNT}:rule/*"}}),
    )
    assert failing(lab_session) == {"queue-policy"}


def test_sqs_star_fails_only_policy(lab_session):
    build(lab_session.solve_context(), queue_policy=policy(action="sqs:*"))
    assert failing(lab_session) == {"queue-policy"}


def test_input_path_fails_only_target(lab_session):
    """moto ignores InputPath when it delivers, so only the configuration check can see it."""
    build(lab_session.solve_context(), target={"InputPath": "$.detail"})
    assert failing(lab_session) == {"rule-target"}


def test_disabled_rule_fails_only_enabled(lab_session):
    """moto delivers for disabled rules too, so only the configuration check can see it."""
    build(lab_session.solve_context(), state="DISABLED")
    assert failing(lab_session) == {"rule-enabled"}


# ---------------------------------------------------------------- the pattern matcher itself


@functools.cache
def _checks_module():
    path = Path(__file__).resolve().parents[2] / "labs" / LAB / "checks.py"
    spec = importlib.util.spec_from_file_location("eventbridge_checks_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("pattern", "detail", "expected"),
    [
        ({"detail": {"amount": [{"numeric": [">", 100, "<=", 200]}]}}, {"amount": 200}, True),
        ({"detail": {"amount": [{"numeric": [">", 100, "<=", 200]}]}}, {"amount": 201}, False),
        ({"detail": {"amount": [150]}}, {"amount": 150.0}, True),
        ({"detail": {"amount": ["150"]}}, {"amount": 150}, False),
        ({"detail": {"tier": [{"anything-but": ["free", "trial"]}]}}, {"tier": "gold"}, True),
        ({"detail": {"tier": [{"anything-but": ["free", "trial"]}]}}, {"tier": "free"}, False),
        ({"detail": {"tier": [{"anything-but": "free"}]}}, {}, False),
        ({"detail": {"tier": [{"anything-but": {"prefix": "tr"}}]}}, {"tier": "trial"}, False),
        ({"detail": {"coupon": [{"exists": False}]}}, {"amount": 1}, True),
        ({"detail": {"coupon": [{"exists": True}]}}, {"amount": 1}, False),
        ({"detail": {"tags": ["vip"]}}, {"tags": ["new", "vip"]}, True),
        ({"detail": {"email": [{"suffix": {"equals-ignore-case": "@ACME.COM"}}]}}, {"email": "a@acme.com"}, True),
        ({"detail": {"email": [{"wildcard": "*@acme.*"}]}}, {"email": "a@acme.co.uk"}, True),
        ({"detail": {"ip": [{"cidr": "10.0.0.0/8"}]}}, {"ip": "10.1.2.3"}, True),
        (
            {"detail": {"$or": [{"amount": [{"numeric": [">", 100]}]}, {"vip": [True]}]}},
            {"amount": 5, "vip": True},
            True,
        ),
        (
            {"detail": {"$or": [{"amount": [{"numeric": [">", 100]}]}, {"vip": [True]}]}},
            {"amount": 5, "vip": False},
            False,
        ),
        ({"detail": {"shipping": {"country": ["US"]}}}, {"shipping": {"country": "US"}}, True),
        ({"detail": {"shipping": {"country": ["US"]}}}, {}, False),
    ],
)
def test_pattern_matcher(pattern, detail, expected):
    checks = _checks_module()
    assert checks.pattern_matches(pattern, checks.sample_event(detail=detail)) is expected


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
