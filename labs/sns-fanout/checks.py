"""Python checks for sns-fanout: subscriptions, queue policies (judged with the IAM evaluator) and a live probe."""

import json
import time
import uuid

from tutor.grading.delivery import queue_policy_problem, take_messages

TOPIC = "order-events"
QUEUES = ("order-fulfillment", "order-email", "order-analytics")
SNS = "sns.amazonaws.com"


def _topic_arn(ctx):
    return ctx.arn("sns", TOPIC)


def _topic_exists(ctx):
    arns, token = [], None
    while True:
        page = ctx.call("sns", "list_topics", **({"NextToken": token} if token else {}))
        arns += [t["TopicArn"] for t in page.get("Topics", [])]
        token = page.get("NextToken")
        if not token:
            return _topic_arn(ctx) in arns


def _queue(ctx, name):
    """(url, attributes) of a queue, or None when it does not exist."""
    try:
        url = ctx.call("sqs", "get_queue_url", QueueName=name)["QueueUrl"]
    except Exception:  # noqa: BLE001 - QueueDoesNotExist
        return None
    attributes = ctx.call("sqs", "get_queue_attributes", QueueUrl=url, AttributeNames=["All"]).get("Attributes", {})
    return url, attributes


def _subscriptions(ctx):
    out, token = [], None
    while True:
        params = {"TopicArn": _topic_arn(ctx)}
        if token:
            params["NextToken"] = token
        page = ctx.call("sns", "list_subscriptions_by_topic", **params)
        out += page.get("Subscriptions", [])
        token = page.get("NextToken")
        if not token:
            return out


def _subscriptions_to(ctx, queue_arn):
    return [s for s in _subscriptions(ctx) if s.get("Protocol") == "sqs" and s.get("Endpoint") == queue_arn]


# ---------------------------------------------------------------- checks


def queues_exist(ctx):
    missing = [name for name in QUEUES if _queue(ctx, name) is None]
    if missing:
        return False, "Missing: " + ", ".join(missing) + "."
    return True


def subscriptions(ctx):
    if not _topic_exists(ctx):
        return False, "There is no topic order-events to subscribe to yet."
    problems = []
    for name in QUEUES:
        queue = _queue(ctx, name)
        if queue is None:
            problems.append(f"{name} does not exist")
            continue
        if not _subscriptions_to(ctx, queue[1]["QueueArn"]):
            others = [s.get("Endpoint") for s in _subscriptions(ctx) if name in str(s.get("Endpoint"))]
            if others:
                problems.append(
                    f"{name} is subscribed as {others[0]!r}; the endpoint must be the queue's ARN with protocol sqs"
                )
            else:
                problems.append(f"{name} is not subscribed")
    if problems:
        return False, "; ".join(problems) + "."
    return True


def raw_delivery(ctx):
    queue = _queue(ctx, "order-analytics")
    if queue is None or not _topic_exists(ctx):
        return False, "The topic or the order-analytics queue does not exist yet."
    subs = _subscriptions_to(ctx, queue[1]["QueueArn"])
    if not subs:
        return False, "order-analytics is not subscribed to order-events yet."
    for sub in subs:
        attributes = ctx.call("sns", "get_subscription_attributes", SubscriptionArn=sub["SubscriptionArn"]).get(
            "Attributes", {}
        )
        if str(attributes.get("RawMessageDelivery", "false")).lower() != "true":
            return False, "The order-analytics subscription still wraps each message in the SNS JSON envelope."
    return True


OTHER_TOPICS = (
    "arn:aws:sns:us-east-1:123456789012:marketing-events",
    "arn:aws:sns:us-east-1:123456789012:order-events-test",
    "arn:aws:sns:us-west-2:123456789012:order-events",
    "arn:aws:sns:us-east-1:210987654321:order-events",
)
OTHER_ACTIONS = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:PurgeQueue", "sqs:SetQueueAttributes")


def judge_queue_policy(policy, queue_arn, topic_arn, account="123456789012"):
    """(ok, message) for a queue policy: the topic may send, nothing else may, and nothing more (graded over
    every statement by tutor.grading.delivery.queue_policy_problem)."""
    problem = queue_policy_problem(
        policy,
        queue_arn=queue_arn,
        service=SNS,
        service_name="SNS",
        source_arn=topic_arn,
        source_label="the order-events topic",
        other_sources=list(OTHER_TOPICS),
        other_actions=list(OTHER_ACTIONS),
        account_id=account,
    )
    return (False, problem) if problem else (True, "")


def _policy_check(ctx, name):
    queue = _queue(ctx, name)
    if queue is None:
        return False, f"There is no queue {name} yet."
    _url, attributes = queue
    return judge_queue_policy(attributes.get("Policy"), attributes["QueueArn"], _topic_arn(ctx), ctx.account_id)


def policy_fulfillment(ctx):
    return _policy_check(ctx, "order-fulfillment")


def policy_email(ctx):
    return _policy_check(ctx, "order-email")


def policy_analytics(ctx):
    return _policy_check(ctx, "order-analytics")


# ---------------------------------------------------------------- the live probe


def delivery(ctx):
    if not _topic_exists(ctx):
        return False, "There is no topic order-events to publish to yet."
    queues = {name: _queue(ctx, name) for name in QUEUES}
    if any(q is None for q in queues.values()):
        return False, "Not every queue exists yet."
    marker = f"tutor-probe-{uuid.uuid4()}"
    ctx.client("sns").publish(
        TopicArn=_topic_arn(ctx),
        Subject="tutor probe",
        Message=json.dumps({"orderId": marker, "note": "published by tutor lab check; safe to ignore"}),
    )
    sqs = ctx.client("sqs")
    missing = list(QUEUES)
    for _attempt in range(5):  # moto delivers while publishing, but allow a moment
        missing = [name for name in missing if not take_messages(sqs, queues[name][0], marker)]
        if not missing:
            return True, "A test message published to order-events reached all three queues."
        time.sleep(0.2)
    return False, "A test message published to order-events did not reach: " + ", ".join(missing) + "."
