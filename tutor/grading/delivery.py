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
            batch = sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30, WaitTimeSeconds=0
            ).get("Messages", [])
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


def queue_policy_problem(
    raw_policy: str | None,
    *,
    queue_arn: str,
    service: str,
    service_name: str,
    source_arn: str,
    source_label: str,
    other_sources: list[str],
    other_actions: list[str],
    account_id: str,
) -> str | None:
    """Why a queue policy does not let ``service`` send for exactly ``source_arn`` and nothing more; None if it does.

    ``raw_policy`` is the queue's Policy attribute as SQS returns it. The policy must allow sqs:SendMessage
    when aws:SourceArn is the source, and nothing else: every principal, action and source the policy names
    (plus "anyone else" and "no source") is decided over the document (:mod:`tutor.grading.access`).
    ``other_sources`` and ``other_actions`` are extra names a report may use.
    """
    from .access import distinct, grants
    from .iam import PolicyDocument, Request, evaluate
    from .policy import PolicyError, action_matches, parse_policy

    if not raw_policy:
        return "The queue has no access policy yet: its Policy attribute is empty."
    try:
        doc = PolicyDocument("", parse_policy(raw_policy), "the queue policy")
    except PolicyError as exc:
        return str(exc)

    context = {"aws:SourceArn": source_arn, "aws:SourceAccount": account_id}
    request = Request(action="sqs:SendMessage", resource=queue_arn, principal=service, context=context)
    if not evaluate(request, doc).allowed:
        return (
            f"The policy does not let {service_name} ({service}) call sqs:SendMessage on the queue for {source_label}."
        )

    found = grants(
        doc,
        principals=[service],
        actions=["sqs:SendMessage", *other_actions],
        on=queue_arn,
        context={"aws:SourceArn": [source_arn, *other_sources], "aws:SourceAccount": account_id},
    )
    by_service = [g for g in found if str(g.principal.value).lower() == service.lower()]
    sending = [g for g in by_service if action_matches("sqs:SendMessage", g.request.action)]
    wrong_source = [g for g in sending if g.request.context.get("aws:sourcearn") != source_arn]
    # a source the learner can recognise first, then "no source at all", then "any other source"
    wrong_source.sort(
        key=lambda g: (
            0
            if g.request.context.get("aws:sourcearn") in other_sources
            else 1
            if g.request.context.get("aws:sourcearn") is None
            else 2
        )
    )
    if wrong_source:
        grant = wrong_source[0]
        sent_for = grant.request.context.get("aws:sourcearn")
        if sent_for is None:
            return (
                f"The policy lets {service_name} send without naming {source_label} (via {grant.via}). "
                "Add a condition on aws:SourceArn."
            )
        shown = grant.context.get("aws:sourcearn")
        other = sent_for if sent_for in other_sources or shown is None else shown.shown
        return (
            f"The policy also accepts messages sent for {other} (via {grant.via}): the aws:SourceArn "
            f"condition must match {source_label} exactly."
        )
    for grant in by_service:
        if not action_matches("sqs:SendMessage", grant.request.action):
            return f"The policy grants more than sending: {grant.action.shown} is allowed too (via {grant.via})."
    # like IAM Access Analyzer, the queue's own account is trusted: its principals need an IAM policy anyway
    own = f"arn:aws:iam::{account_id}:"
    # only the source's own service can send with the source's ARN, so a service principal "*" lets in is harmless
    # when the condition pins that ARN
    strangers = distinct(
        (
            g
            for g in found
            if str(g.principal.value).lower() != service.lower()
            and not str(g.principal.value).startswith(own)
            and not (
                g.principal.value
                and not g.principal.value.startswith("arn:")
                and g.request.context.get("aws:sourcearn") == source_arn
            )
        ),
        key=lambda g: g.principal.value,
    )
    if strangers:
        listed = "; ".join(f"{g.principal.shown} may call {g.action.shown} (via {g.via})" for g in strangers[:3])
        return f"The queue accepts more than {service_name}: {listed}. Only {service_name} may write to it."
    return None
