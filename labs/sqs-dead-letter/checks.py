"""Python checks for sqs-dead-letter."""

import json

DLQ = "orders-dlq"
QUEUE = "orders"


def _attributes(ctx, name):
    url = ctx.call("sqs", "get_queue_url", QueueName=name)["QueueUrl"]
    return ctx.call("sqs", "get_queue_attributes", QueueUrl=url, AttributeNames=["All"]).get("Attributes", {})


def redrive_policy(ctx):
    try:
        attributes = _attributes(ctx, QUEUE)
    except Exception:  # noqa: BLE001 - QueueDoesNotExist
        return False, "There is no queue named orders yet."
    raw = attributes.get("RedrivePolicy")
    if not raw:
        return False, "orders has no RedrivePolicy attribute yet."
    try:
        policy = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError:
        return False, "orders' RedrivePolicy is not valid JSON."
    if not isinstance(policy, dict):
        return False, "orders' RedrivePolicy should be a JSON object."
    try:
        dlq_arn = _attributes(ctx, DLQ).get("QueueArn")
    except Exception:  # noqa: BLE001
        return False, "There is no queue named orders-dlq for the redrive policy to point at."
    target = policy.get("deadLetterTargetArn")
    if target != dlq_arn:
        if isinstance(target, str) and target.startswith(("http://", "https://")):
            return False, "deadLetterTargetArn holds a queue URL; it must be the DLQ's ARN (arn:aws:sqs:...)."
        return False, f"deadLetterTargetArn is {target!r}, which is not the ARN of orders-dlq."
    count = policy.get("maxReceiveCount")
    try:
        number = int(str(count))
    except (TypeError, ValueError):
        return False, f"maxReceiveCount is {count!r}, not a whole number."
    if isinstance(count, bool) or number != 3:
        return False, f"maxReceiveCount is {count!r}: a message should move to the DLQ after 3 failed receives."
    return True
