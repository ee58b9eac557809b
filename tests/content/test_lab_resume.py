"""Work survives: every lab, built with its reference solution, stopped and started again, comes back
with the same check results and the same resources (ids, ARNs, timestamps, configuration)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tutor.content import load_catalog
from tutor.grading import session as labs

CATALOG = load_catalog()

# Counts that move with the clock (a message's visibility timeout ends), not with the learner's work.
_VOLATILE_PREFIXES = ("Approximate", "LatestRestorableTime")
# moto's static catalogue of endpoint services, built from whichever backends the process has imported
_NOT_STATE = {"DescribeVpcEndpointServices"}


def _readable_operations(client: Any) -> list[str]:
    """Every List*/Describe* operation of the service that needs no parameters."""
    model = client.meta.service_model
    names = []
    for name in model.operation_names:
        if not name.startswith(("List", "Describe")) or name in _NOT_STATE:
            continue
        shape = model.operation_model(name).input_shape
        if shape is None or not shape.required_members:
            names.append(name)
    return names


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            _plain(k): _plain(v)
            for k, v in value.items()
            if k != "ResponseMetadata" and not k.startswith(_VOLATILE_PREFIXES)
        }
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):  # queue URLs name the port, which a restart may change when it is taken
        return re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", value)
    if hasattr(value, "read"):  # a streaming body
        return value.read()
    return value


def inventory(session: labs.LabSession) -> dict[str, Any]:
    """What a learner would see of the lab's services: every parameterless List/Describe answer,
    plus queue attributes and bucket contents."""
    import botocore.exceptions
    import botocore.parsers
    from botocore import xform_name

    found: dict[str, Any] = {}
    for service in session.lab.services:
        client = session.sandbox.client(service, grader=True)
        for operation in _readable_operations(client):
            try:
                found[f"{service}.{operation}"] = _plain(getattr(client, xform_name(operation))())
            except (
                botocore.exceptions.ClientError,
                botocore.exceptions.BotoCoreError,
                botocore.parsers.ResponseParserError,
            ) as error:
                # moto does not implement every operation (a 500 page); it answers the same way before and after
                found[f"{service}.{operation}"] = type(error).__name__
    if "sqs" in session.lab.services:
        sqs = session.sandbox.client("sqs", grader=True)
        for url in sqs.list_queues().get("QueueUrls", []):
            found[_plain(f"sqs.attributes {url}")] = _plain(
                sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
            )
    if "s3" in session.lab.services:
        s3 = session.sandbox.client("s3", grader=True)
        for bucket in s3.list_buckets()["Buckets"]:
            found[f"s3.objects {bucket['Name']}"] = _plain(s3.list_objects_v2(Bucket=bucket["Name"]))
    return found


def _results(report: Any) -> list[tuple[str, bool, str]]:
    return [(c.id, c.passed, c.message) for c in report.checks]


@pytest.mark.parametrize("lab_id", sorted(CATALOG.labs))
def test_a_stopped_lab_resumes_with_the_same_resources_and_results(lab_id):
    session, how = labs.start(CATALOG, lab_id)
    assert how == "started"
    labs.apply_solution(session)
    before = labs.check(session)
    built = inventory(session)
    assert labs.stop(CATALOG, lab_id)
    assert labs.attach_session(CATALOG, lab_id) is None

    resumed, how = labs.start(CATALOG, lab_id)
    assert how == "resumed", resumed.note
    assert inventory(resumed) == built
    assert _results(labs.check(resumed)) == _results(before)
    assert before.passed == before.total  # the solution's work, not an empty lab, came back


def test_fresh_starts_over_and_keeps_the_old_save_aside():
    lab_id = "sqs-dead-letter"
    session, _ = labs.start(CATALOG, lab_id)
    session.sandbox.client("sqs").create_queue(QueueName="orders-dlq")
    labs.stop(CATALOG, lab_id)

    fresh, how = labs.start(CATALOG, lab_id, fresh=True)
    assert how == "started"
    assert fresh.sandbox.client("sqs").list_queues().get("QueueUrls", []) == []
    assert (labs.state_dir_of(lab_id) / "saved.previous.pickle").exists()


def test_reset_starts_over_and_a_resume_after_it_keeps_the_reset():
    lab_id = "sqs-dead-letter"
    session, _ = labs.start(CATALOG, lab_id)
    session.sandbox.client("sqs").create_queue(QueueName="orders-dlq")
    labs.reset(session)
    labs.stop(CATALOG, lab_id)
    resumed, how = labs.start(CATALOG, lab_id)
    assert how == "resumed"
    assert resumed.sandbox.client("sqs").list_queues().get("QueueUrls", []) == []
