"""Questions a learner asks the IAM policy evaluator, in words:

    can role/thumbnail-lambda do s3:PutObject on arn:aws:s3:::uploads-bucket/cat.jpg
    can user/ci-deployer do iam:CreateUser
    can group/admins do ec2:RunInstances on * with aws:RequestedRegion=ap-south-1

The answer names the statement that decided it.
"""

from __future__ import annotations

import re
from typing import Any

QUESTION = re.compile(
    r"^\s*can\s+(?P<kind>role|user|group)/(?P<name>[\w+=,.@/-]+)\s+do\s+(?P<action>[\w*?-]+:[\w*?-]+)"
    r"(?:\s+on\s+(?P<resource>\S+))?(?:\s+with\s+(?P<context>.+))?\s*\??\s*$",
    re.IGNORECASE,
)
USAGE = (
    "Ask like: can role/NAME do SERVICE:Action on ARN [with key=value ...]\n"
    "e.g. can role/thumbnail-lambda do s3:PutObject on arn:aws:s3:::uploads-bucket/x.jpg"
)


def is_question(text: str) -> bool:
    return text.strip().lower().startswith("can ")


def answer(text: str, iam_client: Any, account_id: str = "123456789012") -> str:
    """Evaluate the principal's identity policies, as stored in the sandbox, for one request."""
    from .iam import Request, explain, load_policies

    m = QUESTION.match(text)
    if not m:
        return USAGE
    kind, name = m["kind"].lower(), m["name"]
    context: dict[str, Any] = {}
    for pair in (m["context"] or "").split():
        key, sep, value = pair.partition("=")
        if not sep:
            return f"'{pair}' is not key=value.\n{USAGE}"
        context[key] = value
    try:
        policies = load_policies(iam_client, **{kind: str(name)})  # type: ignore[arg-type]  # kind is role|user|group
    except Exception as exc:  # noqa: BLE001 - NoSuchEntity and friends, said plainly
        return f"Cannot read the policies of {kind} {name}: {exc}"
    principal = f"arn:aws:iam::{account_id}:{kind}/{name}"
    request = Request(action=m["action"], resource=m["resource"] or "*", principal=principal, context=context)
    names = ", ".join(p.name for p in policies) or "none"
    return f"{explain(request, policies)}\n(policies evaluated: {names})"
