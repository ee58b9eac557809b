"""Checks of service-to-queue delivery: the queue policy a service needs, and live probe messages."""

from __future__ import annotations

from typing import Any


def take_messages(sqs: Any, url: str, marker: str, *, rounds: int = 10) -> list[str]:
    """Receive every visible message, delete the ones whose body contains ``marker`` and give the others back.

    Returns the bodies that carried the marker. Messages that are not ours are hidden while we look (so the
    loop ends) and made visible again at the end, so the learner's own messages stay in the queue.
    """
    mine, borrowed = [], []
    try:
        for _ in range(rounds):
            batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30,
                                        WaitTimeSeconds=0).get("Messages", [])
            if not batch:
                break
            for message in batch:
                if marker in message.get("Body", ""):
                    mine.append(message["Body"])
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                else:
                    borrowed.append(message["ReceiptHandle"])
    finally:
        for handle in borrowed:
            try:
                sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0)
            except Exception:  # noqa: BLE001 - the message may have been deleted meanwhile
                pass
    return mine


def queue_policy_problem(raw_policy: str | None, *, queue_arn: str, service: str, service_name: str, source_arn: str,
                         source_label: str, other_sources: list[str], other_actions: list[str],
                         account_id: str) -> str | None:
    """Why a queue policy does not let ``service`` send for exactly ``source_arn`` and nothing more; None if it does.

    ``raw_policy`` is the queue's Policy attribute as SQS returns it. The policy must allow sqs:SendMessage
    when aws:SourceArn is the source, and refuse: no source at all, every other source, and any other action.
    """
    from .iam import Request, evaluate
    from .policy import PolicyError, parse_policy

    if not raw_policy:
        return "The queue has no access policy yet: its Policy attribute is empty."
    try:
        doc = parse_policy(raw_policy)
    except PolicyError as exc:
        return str(exc)

    def allowed(action: str, source: str | None) -> bool:
        context = {"aws:SourceArn": source, "aws:SourceAccount": account_id} if source else {}
        return evaluate(Request(action=action, resource=queue_arn, principal=service, context=context), doc).allowed

    if not allowed("sqs:SendMessage", source_arn):
        return f"The policy does not let {service_name} ({service}) call sqs:SendMessage on the queue for {source_label}."
    if allowed("sqs:SendMessage", None):
        return f"The policy lets {service_name} send without naming {source_label}. Add a condition on aws:SourceArn."
    for other in other_sources:
        if allowed("sqs:SendMessage", other):
            return (f"The policy also accepts messages sent for {other}: the aws:SourceArn condition must match "
                    f"{source_label} exactly.")
    for action in other_actions:
        if allowed(action, source_arn):
            return f"The policy grants more than sending: {action} is allowed too."
    return None
