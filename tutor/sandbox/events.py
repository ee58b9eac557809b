"""Lambda event builders shaped like the events real AWS services deliver.

Labs hand these to `run_handler` so a handler written against the real event format works
unchanged in the sandbox (and one written against a made-up format fails here too).
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus

from .environment import ACCOUNT_ID, REGION


def _now() -> datetime:
    return datetime.now(UTC)


def _iso_millis(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def api_gateway_proxy(
    method: str,
    path: str,
    path_parameters: Mapping[str, str] | None = None,
    query: Mapping[str, str | Sequence[str]] | None = None,
    body: str | bytes | Mapping[str, Any] | Sequence[Any] | None = None,
    headers: Mapping[str, str] | None = None,
    *,
    resource: str | None = None,
    stage: str = "prod",
) -> dict[str, Any]:
    """A REST API (v1) Lambda proxy integration event.

    `resource` (the route template, e.g. "/items/{id}") is derived from `path` and
    `path_parameters` when not given. A dict/list `body` is sent as JSON; bytes as base64.
    Absent query strings, path parameters and body are null, as in real events.
    """
    import base64

    method = method.upper()
    all_headers = {
        "Accept": "*/*",
        "Host": f"abcdef1234.execute-api.{REGION}.amazonaws.com",
        "User-Agent": "curl/8.5.0",
        "X-Forwarded-For": "203.0.113.10",
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
    }
    encoded = False
    if isinstance(body, (Mapping, list, tuple)):
        body = json.dumps(body)
        all_headers["Content-Type"] = "application/json"
    elif isinstance(body, bytes):
        body = base64.b64encode(body).decode()
        encoded = True
    all_headers.update(headers or {})

    single_query: dict[str, str] | None = None
    multi_query: dict[str, list[str]] | None = None
    if query:
        multi_query = {key: [value] if isinstance(value, str) else list(value) for key, value in query.items()}
        single_query = {key: values[-1] for key, values in multi_query.items() if values}

    if resource is None:
        resource = path
        for name, value in (path_parameters or {}).items():
            resource = "/".join(f"{{{name}}}" if segment == value else segment for segment in resource.split("/"))
    moment = _now()
    request_id = str(uuid.uuid4())
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {key: [value] for key, value in all_headers.items()},
        "queryStringParameters": single_query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": dict(path_parameters) if path_parameters else None,
        "stageVariables": None,
        "requestContext": {
            "resourceId": "a1b2c3",
            "resourcePath": resource,
            "httpMethod": method,
            "extendedRequestId": request_id[:16] + "=",
            "requestTime": moment.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "path": f"/{stage}{path}",
            "accountId": ACCOUNT_ID,
            "protocol": "HTTP/1.1",
            "stage": stage,
            "domainPrefix": "abcdef1234",
            "requestTimeEpoch": int(moment.timestamp() * 1000),
            "requestId": request_id,
            "identity": {
                "cognitoIdentityPoolId": None,
                "accountId": None,
                "cognitoIdentityId": None,
                "caller": None,
                "sourceIp": "203.0.113.10",
                "principalOrgId": None,
                "accessKey": None,
                "cognitoAuthenticationType": None,
                "cognitoAuthenticationProvider": None,
                "userArn": None,
                "userAgent": all_headers.get("User-Agent", ""),
                "user": None,
            },
            "domainName": f"abcdef1234.execute-api.{REGION}.amazonaws.com",
            "apiId": "abcdef1234",
        },
        "body": body,
        "isBase64Encoded": encoded,
    }


def s3_put(
    bucket: str,
    key: str,
    size: int = 1024,
    *,
    etag: str | None = None,
    event_name: str = "ObjectCreated:Put",
) -> dict[str, Any]:
    """An S3 event notification for one new object. The key is URL-encoded, as in AWS
    (a space arrives as '+'): handlers must `unquote_plus` it."""
    moment = _now()
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": REGION,
                "eventTime": _iso_millis(moment),
                "eventName": event_name,
                "userIdentity": {"principalId": "AWS:AIDAEXAMPLEUSERID"},
                "requestParameters": {"sourceIPAddress": "203.0.113.10"},
                "responseElements": {
                    "x-amz-request-id": uuid.uuid4().hex[:16].upper(),
                    "x-amz-id-2": uuid.uuid4().hex,
                },
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": "tutor-notification",
                    "bucket": {
                        "name": bucket,
                        "ownerIdentity": {"principalId": "A3NL1KOZZKExample"},
                        "arn": f"arn:aws:s3:::{bucket}",
                    },
                    "object": {
                        "key": quote_plus(key, safe="/"),
                        "size": int(size),
                        "eTag": etag or hashlib.md5(key.encode()).hexdigest(),
                        "sequencer": f"{time.time_ns():X}"[:18],
                    },
                },
            }
        ]
    }


def sqs_batch(queue_arn: str, bodies: Sequence[str | Mapping[str, Any]]) -> dict[str, Any]:
    """An SQS event source mapping batch. Dict bodies are JSON-encoded (SQS bodies are text)."""
    region = queue_arn.split(":")[3] if queue_arn.count(":") >= 5 else REGION
    now_ms = str(int(time.time() * 1000))
    records = []
    for body in bodies:
        text = body if isinstance(body, str) else json.dumps(body)
        records.append(
            {
                "messageId": str(uuid.uuid4()),
                "receiptHandle": uuid.uuid4().hex + uuid.uuid4().hex,
                "body": text,
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": now_ms,
                    "SenderId": "AIDAEXAMPLESENDERID",
                    "ApproximateFirstReceiveTimestamp": now_ms,
                },
                "messageAttributes": {},
                "md5OfBody": hashlib.md5(text.encode()).hexdigest(),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
        )
    return {"Records": records}


def eventbridge(
    source: str,
    detail_type: str,
    detail: Mapping[str, Any],
    *,
    resources: Sequence[str] = (),
) -> dict[str, Any]:
    """An EventBridge event as a rule target receives it (note the key "detail-type")."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": source,
        "account": ACCOUNT_ID,
        "time": _now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": REGION,
        "resources": list(resources),
        "detail": dict(detail),
    }
