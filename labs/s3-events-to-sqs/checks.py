"""Python checks for s3-events-to-sqs: the notification configuration, the queue policy and a live probe."""

import json
import time
import uuid
from urllib.parse import unquote_plus

from tutor.grading.delivery import queue_policy_problem, take_messages

BUCKET = "acme-photo-uploads"
QUEUE = "thumbnail-jobs"
S3 = "s3.amazonaws.com"
ALL_CREATED = {
    "s3:ObjectCreated:Put",
    "s3:ObjectCreated:Post",
    "s3:ObjectCreated:Copy",
    "s3:ObjectCreated:CompleteMultipartUpload",
}


def _queue(ctx):
    try:
        url = ctx.call("sqs", "get_queue_url", QueueName=QUEUE)["QueueUrl"]
    except Exception:  # noqa: BLE001 - QueueDoesNotExist
        return None
    attributes = ctx.call("sqs", "get_queue_attributes", QueueUrl=url, AttributeNames=["All"]).get("Attributes", {})
    return url, attributes


def _configurations(ctx):
    """(queue configurations that target the queue, problem message or None)."""
    queue = _queue(ctx)
    if queue is None:
        return [], f"There is no queue {QUEUE} yet."
    try:
        config = ctx.call("s3", "get_bucket_notification_configuration", Bucket=BUCKET)
    except Exception:  # noqa: BLE001 - NoSuchBucket
        return [], f"There is no bucket {BUCKET} yet."
    mine = [c for c in config.get("QueueConfigurations", []) if c.get("QueueArn") == queue[1]["QueueArn"]]
    if not mine:
        others = [c.get("QueueArn") for c in config.get("QueueConfigurations", [])]
        if others:
            return [], "The bucket notifies " + ", ".join(others) + f", not the ARN of {QUEUE}."
        return [], "The bucket has no event notification to an SQS queue yet."
    return mine, None


def _filters(configuration):
    rules = configuration.get("Filter", {}).get("Key", {}).get("FilterRules", [])
    return {str(r.get("Name", "")).lower(): r.get("Value") for r in rules}


def notification_events(ctx):
    configurations, problem = _configurations(ctx)
    if problem:
        return False, problem
    for configuration in configurations:
        events = set(configuration.get("Events", []))
        if events == {"s3:ObjectCreated:*"} or events == ALL_CREATED:
            continue
        missing = not ({"s3:ObjectCreated:*"} & events or ALL_CREATED <= events)
        extra = sorted(e for e in events if not e.startswith("s3:ObjectCreated:"))
        if extra:
            return False, "It also sends " + ", ".join(extra) + ": the thumbnail workers only want new objects."
        if missing:
            return False, (
                "It covers only " + ", ".join(sorted(events)) + "; uploads made by copy, POST or "
                "multipart upload would be missed."
            )
    return True


def notification_filter(ctx):
    configurations, problem = _configurations(ctx)
    if problem:
        return False, problem
    for configuration in configurations:
        filters = _filters(configuration)
        if filters.get("prefix") != "uploads/" or filters.get("suffix") != ".jpg":

            def shown(name, filters=filters):
                value = filters.get(name)
                return f"{name} {value!r}" if value is not None else f"no {name}"

            return False, f"Its key filter has {shown('prefix')} and {shown('suffix')}."
    return True


OTHER_BUCKETS = ("arn:aws:s3:::acme-photo-uploads-old", "arn:aws:s3:::someone-elses-bucket")
OTHER_ACTIONS = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:PurgeQueue", "sqs:SetQueueAttributes")


def queue_policy(ctx):
    queue = _queue(ctx)
    if queue is None:
        return False, f"There is no queue {QUEUE} yet."
    problem = queue_policy_problem(
        queue[1].get("Policy"),
        queue_arn=queue[1]["QueueArn"],
        service=S3,
        service_name="S3",
        source_arn=f"arn:aws:s3:::{BUCKET}",
        source_label=f"events of {BUCKET}",
        other_sources=OTHER_BUCKETS,
        other_actions=OTHER_ACTIONS,
        account_id=ctx.account_id,
    )
    return (False, problem) if problem else True


# ---------------------------------------------------------------- the live probe


def _keys_in(bodies):
    keys = set()
    for body in bodies:
        try:
            records = json.loads(body).get("Records", [])
        except (json.JSONDecodeError, AttributeError):
            continue
        for record in records:
            key = record.get("s3", {}).get("object", {}).get("key")
            if key:
                keys.add(unquote_plus(key))
    return keys


def delivery(ctx):
    queue = _queue(ctx)
    if queue is None:
        return False, f"There is no queue {QUEUE} yet."
    s3, sqs = ctx.client("s3"), ctx.client("sqs")
    marker = f"tutor-probe-{uuid.uuid4().hex[:12]}"
    probes = {  # key -> should notify
        f"uploads/{marker}.jpg": True,
        f"uploads/2025/{marker}.jpg": True,
        f"uploads/{marker}.png": False,
        f"thumbnails/{marker}.jpg": False,
        f"uploads/{marker}.jpg.txt": False,
    }
    written = []
    try:
        for key in probes:
            response = s3.put_object(Bucket=BUCKET, Key=key, Body=b"tutor lab check probe; safe to delete")
            written.append((key, response.get("VersionId")))
    except Exception:  # noqa: BLE001 - NoSuchBucket
        return False, f"The checker could not upload its test objects to {BUCKET}: does the bucket exist?"
    try:
        arrived = set()
        for _attempt in range(5):
            arrived |= _keys_in(take_messages(sqs, queue[0], marker))
            if all(key in arrived for key, wanted in probes.items() if wanted):
                break
            time.sleep(0.2)
    finally:
        for key, version in written:
            try:
                if version and version != "null":
                    s3.delete_object(Bucket=BUCKET, Key=key, VersionId=version)
                else:
                    s3.delete_object(Bucket=BUCKET, Key=key)
            except Exception:  # noqa: BLE001
                pass
        take_messages(sqs, queue[0], marker)  # removal events, if the bucket also notifies those
    missing = sorted(key for key, wanted in probes.items() if wanted and key not in arrived)
    extra = sorted(key for key, wanted in probes.items() if not wanted and key in arrived)
    if missing:
        return False, "No message arrived for: " + ", ".join(missing) + "."
    if extra:
        return False, "Messages also arrived for: " + ", ".join(extra) + "."
    return True, "Test uploads of .jpg files under uploads/ produced messages; the others did not."
