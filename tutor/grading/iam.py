"""An IAM policy evaluator for grading (moto's own enforcement ignores Conditions and most resources).

Decision logic, as AWS documents it for policies within one account:

1. Every statement of every policy is tested against the request: Effect, Action/NotAction (case-insensitive,
   ``*``/``?`` wildcards), Resource/NotResource (case-sensitive ARN wildcards, segment-aware), Principal/NotPrincipal
   (for resource-based and trust policies), and Condition.
2. Any matching Deny -> ``explicit-deny`` (it overrides every Allow).
3. Else any matching Allow -> ``allow``.
4. Else ``implicit-deny``.

Identity-based and resource-based policies are simply pooled (an Allow in either is enough), which is how AWS
decides for a principal and a resource in the same account. Not modelled: permissions boundaries, session
policies, SCPs/RCPs, cross-account rules, the ``${*}``/``${?}``/``${$}`` escapes of policy variables.

Conditions: String*, Numeric*, Date*, Bool, BinaryEquals, IpAddress/NotIpAddress, Arn*, Null, every ...IfExists
form and the ForAnyValue:/ForAllValues: qualifiers. Condition keys are case-insensitive. A key missing from the
request makes a condition false, except for negated operators (StringNotEquals, ...: true), ...IfExists (true),
ForAllValues (true) and Null. An operator AWS does not define makes its statement not apply; the decision's
``notes`` say so. Policy variables ``${aws:username}`` (and ``${key, 'default'}``) are substituted from the request
context in Resource and in String/Arn condition values of "2012-10-17" policies; an unresolved variable matches
nothing.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from tutor.grading.policy import (
    action_matches,
    arn_matches,
    as_list,
    condition_value,
    normalize_principal,
    parse_policy,
    principal_matches_any,
    split_operator,
    statements,
)

__all__ = [
    "Decision",
    "PermissionReport",
    "PolicyDocument",
    "PolicyEvaluator",
    "Request",
    "StatementRef",
    "allowed_actions",
    "can_assume",
    "evaluate",
    "exact_permissions",
    "explain",
    "load_bucket_policy",
    "load_policies",
    "load_trust_policy",
]

DecisionKind = Literal["explicit-deny", "allow", "implicit-deny"]


# ---------------------------------------------------------------- inputs


@dataclass(frozen=True)
class PolicyDocument:
    """A policy document with where it came from, so a deciding statement can be named."""

    name: str
    document: Mapping[str, Any]
    source: str = "policy"  # "inline policy", "managed policy", "AWS managed policy", "bucket policy", ...
    arn: str | None = None

    @property
    def label(self) -> str:
        return f"{self.source} {self.name}" if self.name else self.source

    @classmethod
    def of(cls, doc: Any, name: str = "", source: str = "policy") -> PolicyDocument:
        """Wrap a dict or JSON string (a ``PolicyDocument`` is returned unchanged)."""
        if isinstance(doc, PolicyDocument):
            return doc
        return cls(name=name, document=parse_policy(doc), source=source)


@dataclass(frozen=True)
class StatementRef:
    policy: str  # the policy's label, e.g. "inline policy read-uploads"
    index: int  # 1-based position in the policy
    sid: str | None
    effect: str

    def __str__(self) -> str:
        which = f"statement Sid {self.sid} (#{self.index})" if self.sid else f"statement #{self.index}"
        return f"{self.policy}, {which}"


@dataclass(frozen=True)
class Request:
    """What a caller tries to do. ``context`` holds condition keys (any letter case) with str/bool/number/list values.

    ``aws:PrincipalArn``, ``aws:PrincipalAccount`` and (for IAM users) ``aws:username`` are filled in from
    ``principal`` unless the context gives them.
    """

    action: str
    resource: str = "*"
    principal: str | None = None
    context: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, value: Any) -> Request:
        """From a Request, a dict, or a tuple ``(principal, action, resource[, context])``."""
        if isinstance(value, Request):
            return value
        if isinstance(value, Mapping):
            return cls(**value)
        items = tuple(value)
        if len(items) in (3, 4):
            principal, action, resource, *rest = items
            return cls(action=action, resource=resource, principal=principal, context=rest[0] if rest else {})
        raise TypeError("a request is a Request, a dict, or (principal, action, resource[, context])")

    def context_values(self) -> dict[str, list[str]]:
        values: dict[str, list[str]] = {}
        for key, value in self.context.items():
            if value is None:
                continue
            values[str(key).lower()] = [condition_value(v) for v in as_list(value)]
        principal = self.principal or ""
        if principal.startswith("arn:"):
            values.setdefault("aws:principalarn", [principal])
            parts = principal.split(":")
            if len(parts) > 5 and parts[4]:
                values.setdefault("aws:principalaccount", [parts[4]])
            m = re.match(r"^arn:[^:]+:iam::\d+:user/(?:.*/)?([^/]+)$", principal)
            if m:
                values.setdefault("aws:username", [m.group(1)])
        return values


@dataclass(frozen=True)
class Decision:
    allowed: bool
    decision: DecisionKind
    deciding: list[StatementRef]
    notes: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.allowed


# ---------------------------------------------------------------- policy variables

_VARIABLE = re.compile(r"\$\{([^}]*)\}")


def _substitute(text: str, ctx: Mapping[str, list[str]], version: str) -> str | None:
    """Replace ``${key}`` from the request context; ``None`` when a variable cannot be resolved."""
    if version != "2012-10-17" or "${" not in text:
        return text
    unresolved = False

    def replace(m: re.Match[str]) -> str:
        nonlocal unresolved
        body = m.group(1)
        if body in ("*", "?", "$"):
            return body
        key, _, default = body.partition(",")
        values = ctx.get(key.strip().lower())
        if values and len(values) == 1:
            return values[0]
        default = default.strip()
        if len(default) >= 2 and default[0] == default[-1] == "'":
            return default[1:-1]
        unresolved = True
        return ""

    out = _VARIABLE.sub(replace, text)
    return None if unresolved else out


# ---------------------------------------------------------------- conditions

_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "NumericNotEquals": "NumericEquals",
    "DateNotEquals": "DateEquals",
    "NotIpAddress": "IpAddress",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}
_VARIABLE_OPERATORS = {"StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike"}


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _date(text: str) -> float | None:
    try:
        return float(text)  # epoch seconds are allowed
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _string_like(pattern: str, value: str) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.DOTALL) is not None


def _ordered(
    convert: Callable[[str], float | None], test: Callable[[float, float], bool]
) -> Callable[[str, str], bool]:
    def compare(request_value: str, policy_value: str) -> bool:
        left, right = convert(request_value), convert(policy_value)
        return left is not None and right is not None and test(left, right)

    return compare


def _ip_in(request_value: str, policy_value: str) -> bool:
    try:
        return ipaddress.ip_address(request_value) in ipaddress.ip_network(policy_value, strict=False)
    except ValueError:
        return False


_COMPARE: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda r, p: r == p,
    "StringEqualsIgnoreCase": lambda r, p: r.lower() == p.lower(),
    "StringLike": lambda r, p: _string_like(p, r),
    "NumericEquals": _ordered(_number, lambda a, b: a == b),
    "NumericLessThan": _ordered(_number, lambda a, b: a < b),
    "NumericLessThanEquals": _ordered(_number, lambda a, b: a <= b),
    "NumericGreaterThan": _ordered(_number, lambda a, b: a > b),
    "NumericGreaterThanEquals": _ordered(_number, lambda a, b: a >= b),
    "DateEquals": _ordered(_date, lambda a, b: a == b),
    "DateLessThan": _ordered(_date, lambda a, b: a < b),
    "DateLessThanEquals": _ordered(_date, lambda a, b: a <= b),
    "DateGreaterThan": _ordered(_date, lambda a, b: a > b),
    "DateGreaterThanEquals": _ordered(_date, lambda a, b: a >= b),
    "Bool": lambda r, p: r.lower() == p.lower(),
    "BinaryEquals": lambda r, p: r == p,
    "IpAddress": _ip_in,
    "ArnEquals": lambda r, p: arn_matches(p, r),
    "ArnLike": lambda r, p: arn_matches(p, r),
}


def _condition_block_holds(
    operator: str,
    block: Mapping[str, Any],
    ctx: Mapping[str, list[str]],
    version: str,
) -> bool:
    qualifier, base, if_exists = split_operator(operator)
    assert base is not None
    for key, raw_values in block.items():
        policy_values = [condition_value(v) for v in as_list(raw_values)]
        request_values = ctx.get(str(key).lower())
        present = bool(request_values)
        if base == "Null":
            wanted_absent = [v.lower() == "true" for v in policy_values]
            if not any(absent == (not present) for absent in wanted_absent):
                return False
            continue
        if not present:
            if if_exists or qualifier == "ForAllValues":
                continue
            if qualifier == "ForAnyValue":
                return False
            if base in _NEGATED:
                continue
            return False
        assert request_values is not None
        positive = _NEGATED.get(base, base)
        compare = _COMPARE[positive]
        if positive in _VARIABLE_OPERATORS:
            resolved = [_substitute(v, ctx, version) for v in policy_values]
            policy_values = [v for v in resolved if v is not None]
        negated = base in _NEGATED

        def value_ok(rv: str, compare=compare, policy_values=policy_values, negated=negated) -> bool:
            hit = any(compare(rv, pv) for pv in policy_values)
            return not hit if negated else hit

        if qualifier == "ForAllValues":
            ok = all(value_ok(rv) for rv in request_values)
        elif qualifier == "ForAnyValue":
            ok = any(value_ok(rv) for rv in request_values)
        elif negated:
            ok = all(value_ok(rv) for rv in request_values)
        else:
            ok = any(value_ok(rv) for rv in request_values)
        if not ok:
            return False
    return True


# ---------------------------------------------------------------- statements

Failure = Literal["action", "resource", "principal", "condition", "unknown-operator"]


def _matches_action(statement: Mapping[str, Any], action: str) -> bool:
    if "NotAction" in statement:
        return not any(action_matches(p, action) for p in as_list(statement["NotAction"]))
    return any(action_matches(p, action) for p in as_list(statement.get("Action")))


def _matches_resource(statement: Mapping[str, Any], resource: str, ctx: Mapping[str, list[str]], version: str) -> bool:
    def hit(patterns: Any) -> bool:
        for pattern in as_list(patterns):
            resolved = _substitute(str(pattern), ctx, version)
            if resolved is not None and arn_matches(resolved, resource):
                return True
        return False

    if "NotResource" in statement:
        return not hit(statement["NotResource"])
    if "Resource" not in statement:
        return True  # trust policies: the resource is the role the policy is attached to
    return hit(statement["Resource"])


def _matches_principal(statement: Mapping[str, Any], principal: str | None) -> bool:
    if "NotPrincipal" in statement:
        return not principal_matches_any(normalize_principal(statement["NotPrincipal"]), principal)
    if "Principal" in statement:
        return principal_matches_any(normalize_principal(statement["Principal"]), principal)
    return True


def _statement_failure(
    statement: Mapping[str, Any],
    request: Request,
    ctx: Mapping[str, list[str]],
    version: str,
    notes: list[str],
    ref: StatementRef,
) -> Failure | None:
    """Why the statement does not apply to the request, or ``None`` when it applies."""
    if not _matches_action(statement, request.action):
        return "action"
    if not _matches_resource(statement, request.resource, ctx, version):
        return "resource"
    if not _matches_principal(statement, request.principal):
        return "principal"
    condition = statement.get("Condition")
    if condition:
        if not isinstance(condition, Mapping):
            notes.append(f"{ref}: its Condition is not an object, so the statement never applies")
            return "unknown-operator"
        for operator, block in condition.items():
            _, base, _ = split_operator(str(operator))
            if base is None or not isinstance(block, Mapping):
                notes.append(
                    f"{ref}: condition operator {operator!r} is not one AWS defines, so the statement never applies"
                )
                return "unknown-operator"
        for operator, block in condition.items():
            if not _condition_block_holds(str(operator), block, ctx, version):
                return "condition"
    return None


def _policies(policies: Any) -> list[PolicyDocument]:
    if isinstance(policies, (PolicyDocument, Mapping, str)):
        policies = [policies]
    return [
        PolicyDocument.of(p, name="" if isinstance(p, PolicyDocument) else f"#{i}") for i, p in enumerate(policies, 1)
    ]


@dataclass
class _Trace:
    decision: Decision
    near_misses: list[tuple[StatementRef, Failure]]


def _trace(request: Request, policies: Any) -> _Trace:
    ctx = request.context_values()
    allows: list[StatementRef] = []
    denies: list[StatementRef] = []
    near: list[tuple[StatementRef, Failure]] = []
    notes: list[str] = []
    for policy in _policies(policies):
        version = str(policy.document.get("Version", "2008-10-17"))
        for index, statement in enumerate(statements(policy.document), 1):
            effect = str(statement.get("Effect", "")).capitalize()
            sid = statement.get("Sid")
            ref = StatementRef(policy=policy.label, index=index, sid=str(sid) if sid else None, effect=effect)
            if effect not in ("Allow", "Deny"):
                notes.append(f"{ref}: Effect {statement.get('Effect')!r} is neither Allow nor Deny, so it is ignored")
                continue
            failure = _statement_failure(statement, request, ctx, version, notes, ref)
            if failure is None:
                (allows if effect == "Allow" else denies).append(ref)
            elif effect == "Allow" and failure != "action":
                near.append((ref, failure))
    if denies:
        decision = Decision(False, "explicit-deny", denies, notes)
    elif allows:
        decision = Decision(True, "allow", allows, notes)
    else:
        decision = Decision(False, "implicit-deny", [], notes)
    return _Trace(decision, near)


def evaluate(request: Any, policies: Any) -> Decision:
    """Decide ``request`` (a :class:`Request` or ``(principal, action, resource[, context])``) against
    ``policies`` (PolicyDocuments, dicts or JSON strings; one or a list)."""
    return _trace(Request.of(request), policies).decision


_NEAR_MISS_WORDS = {
    "resource": "covers the action but not this resource",
    "principal": "covers the action but names another principal",
    "condition": "covers the action but its Condition does not hold for this request",
    "unknown-operator": "covers the action but uses a condition operator AWS does not define",
}


def explain(request: Any, policies: Any) -> str:
    """One or two sentences a learner can read: the decision and the statement that decided it."""
    req = Request.of(request)
    trace = _trace(req, policies)
    decision = trace.decision
    what = f"{req.action} on {req.resource}"
    if decision.decision == "explicit-deny":
        first, others = decision.deciding[0], decision.deciding[1:]
        text = f"Denied explicitly: {first} denies {what}, and an explicit Deny overrides any Allow."
        if others:
            text += " Also denying: " + "; ".join(str(r) for r in others) + "."
    elif decision.decision == "allow":
        first, others = decision.deciding[0], decision.deciding[1:]
        text = f"Allowed: {first} allows {what}, and no statement denies it."
        if others:
            text += " Also allowing: " + "; ".join(str(r) for r in others) + "."
    else:
        text = f"Denied implicitly: no statement allows {what}, so the default deny applies."
        if trace.near_misses:
            ref, failure = trace.near_misses[0]
            text += f" Closest: {ref} {_NEAR_MISS_WORDS[failure]}."
    if decision.notes:
        text += " Note: " + "; ".join(decision.notes) + "."
    return text


def can_assume(
    trust_policy: Any,
    principal: str,
    *,
    action: str = "sts:AssumeRole",
    context: Mapping[str, Any] | None = None,
) -> bool:
    """Whether the role's trust policy lets ``principal`` (``lambda.amazonaws.com``, a role/user ARN, an account
    id) call ``action`` (``sts:AssumeRole``; use ``sts:AssumeRoleWithWebIdentity`` for Federated principals)."""
    request = Request(action=action, resource="*", principal=principal, context=context or {})
    return evaluate(request, PolicyDocument.of(trust_policy, name="", source="trust policy")).allowed


# ---------------------------------------------------------------- "exactly these permissions"

_PROBE = "Tutorprobe"
_PROBE_RESOURCE = "tutorprobe"

# A few real actions per service, so a NotAction Allow or a partial wildcard is caught even when no statement
# spells the action out.
COMMON_ACTIONS: dict[str, tuple[str, ...]] = {
    "s3": (
        "GetObject", "PutObject", "DeleteObject", "ListBucket", "ListAllMyBuckets", "GetObjectAcl", "PutObjectAcl",
        "GetObjectVersion", "DeleteObjectVersion", "GetObjectTagging", "PutObjectTagging", "ListBucketVersions",
        "GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy", "GetBucketAcl", "PutBucketAcl",
        "CreateBucket", "DeleteBucket", "GetBucketVersioning", "PutBucketVersioning",
        "GetLifecycleConfiguration", "PutLifecycleConfiguration", "GetEncryptionConfiguration",
        "PutEncryptionConfiguration", "GetBucketPublicAccessBlock", "PutBucketPublicAccessBlock",
    ),
    "dynamodb": (
        "GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem",
        "DescribeTable", "CreateTable", "DeleteTable", "UpdateTable", "ListTables",
    ),
    "sqs": (
        "SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility", "GetQueueAttributes",
        "SetQueueAttributes", "GetQueueUrl", "CreateQueue", "DeleteQueue", "PurgeQueue", "ListQueues",
    ),
    "sns": (
        "Publish", "Subscribe", "Unsubscribe", "CreateTopic", "DeleteTopic", "GetTopicAttributes",
        "SetTopicAttributes", "ListTopics",
    ),
    "lambda": (
        "InvokeFunction", "GetFunction", "ListFunctions", "CreateFunction", "DeleteFunction", "UpdateFunctionCode",
        "UpdateFunctionConfiguration", "AddPermission",
    ),
    "logs": (
        "CreateLogGroup", "CreateLogStream", "PutLogEvents", "DescribeLogGroups", "GetLogEvents", "DeleteLogGroup",
    ),
    "kms": ("Encrypt", "Decrypt", "GenerateDataKey", "DescribeKey", "CreateGrant", "ScheduleKeyDeletion"),
    "iam": (
        "PassRole", "CreateUser", "CreateRole", "AttachRolePolicy", "PutRolePolicy", "CreateAccessKey", "GetRole",
        "DeleteRole",
    ),
    "sts": ("AssumeRole",),
    "ec2": ("RunInstances", "TerminateInstances", "DescribeInstances"),
    "secretsmanager": ("GetSecretValue", "PutSecretValue"),
    "cloudwatch": ("PutMetricData", "GetMetricData"),
}  # fmt: skip
# Dangerous actions of other services, probed for every "exactly" question (catches "Action": "*").
_CROSS_SERVICE = (
    "iam:PassRole", "iam:CreateUser", "ec2:RunInstances", "sts:AssumeRole", "dynamodb:DeleteTable", "s3:DeleteBucket",
)  # fmt: skip


def _instantiate(pattern: str, token: str) -> str:
    """A concrete value a wildcard pattern matches: ``s3:Get*`` -> ``s3:GetTutorprobe``."""
    return pattern.replace("*", token).replace("?", "x")


@dataclass(frozen=True)
class _Probe:
    value: str  # what is evaluated
    shown: str  # what a learner reads (the pattern it came from)


def _service_of(action: str) -> str:
    return action.split(":", 1)[0].lower() if ":" in action else ""


def _action_probes(policies: list[PolicyDocument], seed_actions: Iterable[str]) -> list[_Probe]:
    probes: dict[str, _Probe] = {}

    def add(value: str, shown: str) -> None:
        probes.setdefault(value.lower(), _Probe(value, shown))

    # the patterns the learner wrote come first, so a report names "s3:*" before the actions it implies
    services = {_service_of(a) for a in seed_actions} - {""}
    for policy in policies:
        for statement in statements(policy.document):
            for pattern in as_list(statement.get("Action")) + as_list(statement.get("NotAction")):
                add(_instantiate(str(pattern), _PROBE), str(pattern))
                services.add(_service_of(str(pattern)))
    for action in seed_actions:
        add(_instantiate(action, _PROBE), action)
    for service in sorted(services - {""}):
        for name in COMMON_ACTIONS.get(service, ()):
            add(f"{service}:{name}", f"{service}:{name}")
        add(f"{service}:{_PROBE}", f"other {service}:* actions")
    for action in _CROSS_SERVICE:
        add(action, action)
    add(f"{_PROBE_RESOURCE}:{_PROBE}", "actions of any service")
    return list(probes.values())


def _resource_variants(pattern: str) -> list[_Probe]:
    """Plausible neighbours of an expected resource: another bucket/table, a sibling name, the parent
    (the bucket itself for ``bucket/*``)."""
    parts = pattern.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return []
    head, tail = ":".join(parts[:5]), parts[5]
    components = tail.split("/")
    # the name is the first component for S3 (bucket/key), the second elsewhere (table/orders, role/app)
    at = 0 if parts[2] == "s3" or len(components) == 1 else 1

    def arn(items: list[str]) -> str:
        return f"{head}:" + "/".join(items)

    def renamed(name: str) -> list[str]:
        return components[:at] + [name] + components[at + 1 :]

    out = [
        _Probe(
            _instantiate(arn(renamed(f"{_PROBE_RESOURCE}-other")), _PROBE_RESOURCE),
            f"other resources such as {arn(renamed('another-name'))}",
        ),
        _Probe(
            _instantiate(arn(renamed(components[at] + "-" + _PROBE_RESOURCE)), _PROBE_RESOURCE),
            f"resources whose name merely starts the same, such as {arn(renamed(components[at] + '-2'))}",
        ),
    ]
    if len(components) > at + 1:
        parent = components[: at + 1]
        out.append(_Probe(_instantiate(arn(parent), _PROBE_RESOURCE), f"{arn(parent)} itself"))
    return out


@dataclass(frozen=True)
class PermissionReport:
    """The answer to "do these policies allow exactly this and nothing else?"."""

    missing: list[str]  # expected permissions that are not granted
    extra: list[str]  # grants beyond the expected ones, each naming the statement that makes it

    @property
    def ok(self) -> bool:
        return not self.missing and not self.extra

    def __bool__(self) -> bool:
        return self.ok

    def message(self, limit: int = 3) -> str:
        if self.ok:
            return "grants exactly the expected permissions"
        parts = []
        if self.missing:
            parts.append("does not allow " + "; ".join(self.missing[:limit]))
        if self.extra:
            more = f" (and {len(self.extra) - limit} more)" if len(self.extra) > limit else ""
            parts.append("also allows " + "; ".join(self.extra[:limit]) + more)
        return ", and ".join(parts)


def exact_permissions(
    policies: Any,
    actions: str | Iterable[str],
    resources: str | Iterable[str],
    *,
    also: Iterable[tuple[str, str]] = (),
    principal: str | None = None,
    context: Mapping[str, Any] | None = None,
    existing: Iterable[str] = (),
) -> PermissionReport:
    """Do ``policies`` allow every action in ``actions`` on every resource in ``resources`` (plus the
    ``also`` pairs), and nothing else?

    "Nothing else" is decided over the documents (:mod:`tutor.grading.access`): every action, resource and
    condition value any statement names, one instance of each wildcard (``s3:Get*`` -> ``s3:GetTutorprobe``)
    and a value no statement names are combined and decided by the evaluator, with common actions of the
    services involved and dangerous actions of other services as extra names for the report. A combination
    that is allowed but not expected is an extra grant. So one statement or several, strings or lists, an Allow
    narrowed by a Deny, all pass when the effect is right; ``s3:*``, ``s3:Get*``, ``"Resource": "*"``, a second
    bucket or an extra action fail. Expected patterns may contain wildcards themselves. ``existing`` names
    resources of the account (every secret, every key) so a grant on a real neighbour is reported by its ARN.
    """
    from tutor.grading.access import universe

    docs = _policies(policies)
    expected = [(a, r) for a in as_list(actions) for r in as_list(resources)] + list(also)
    ctx = dict(context or {})

    def is_expected(action: str, resource: str) -> bool:
        return any(action_matches(a, action) and arn_matches(r, resource) for a, r in expected)

    missing = []
    for action, resource in expected:
        request = Request(
            action=_instantiate(action, _PROBE),
            resource=_instantiate(resource, _PROBE_RESOURCE),
            principal=principal,
            context=ctx,
        )
        if not evaluate(request, docs).allowed:
            missing.append(f"{action} on {resource}")

    seeds = [a for a, _ in expected] + list(_CROSS_SERVICE)
    space = universe(
        docs,
        principals=[principal] if principal else [],
        actions=seeds,
        resources=[r for _, r in expected] + _neighbours([r for _, r in expected]) + list(existing),
        context=ctx,
        common_actions=COMMON_ACTIONS,
    )
    extra: dict[tuple[str, str], str] = {}
    for request, _, ap, rp, _ in space.requests():
        if (ap.shown, rp.shown) in extra or is_expected(request.action, request.resource):
            continue
        decision = evaluate(request, docs)
        if decision.allowed:
            extra[(ap.shown, rp.shown)] = f"{ap.shown} on {rp.shown} (via {decision.deciding[0]})"
    return PermissionReport(missing=missing, extra=list(extra.values()))


def _neighbours(resources: Iterable[str]) -> list[str]:
    """Resources next to the expected ones (the bucket of ``bucket/*``), named so a report reads well."""
    out: list[str] = []
    for resource in resources:
        out.extend(p.shown for p in _resource_variants(resource) if p.shown.endswith(" itself"))
    return [s.removesuffix(" itself") for s in out]


def allowed_actions(
    policies: Any,
    resource: str,
    *,
    actions: Iterable[str] | None = None,
    principal: str | None = None,
    context: Mapping[str, Any] | None = None,
) -> list[str]:
    """Actions and action patterns the policies allow on ``resource`` (a pattern is instantiated first).

    Probes the given ``actions`` or, by default, every action pattern written in the policies plus common
    actions of their services. A wildcard that is allowed is reported as written (``s3:Get*``).
    """
    docs = _policies(policies)
    probes = [_Probe(_instantiate(a, _PROBE), a) for a in actions] if actions is not None else _action_probes(docs, [])
    concrete = _instantiate(resource, _PROBE_RESOURCE)
    found = []
    for probe in probes:
        request = Request(action=probe.value, resource=concrete, principal=principal, context=dict(context or {}))
        if evaluate(request, docs).allowed and probe.shown not in found:
            found.append(probe.shown)
    return sorted(found, key=str.lower)


# ---------------------------------------------------------------- loading policies from the sandbox


def _name_of(name_or_arn: str, kind: str) -> str:
    if name_or_arn.startswith("arn:"):
        return name_or_arn.rsplit("/", 1)[-1] if f":{kind}/" in name_or_arn else name_or_arn.rsplit(":", 1)[-1]
    return name_or_arn


def _pages(iam: Any, method: str, key: str, **params: Any) -> list[Any]:
    out: list[Any] = []
    if iam.can_paginate(method):
        for page in iam.get_paginator(method).paginate(**params):
            out.extend(page.get(key, []))
    else:
        out.extend(getattr(iam, method)(**params).get(key, []))
    return out


_BUNDLED: dict[str, Any] | None = None


def _bundled_aws_managed(arn: str) -> Mapping[str, Any] | None:
    """The document of an AWS managed policy from moto's bundled copy (used when the sandbox was started
    without ``MOTO_IAM_LOAD_MANAGED_POLICIES``)."""
    global _BUNDLED
    if _BUNDLED is None:
        try:
            import json

            from moto.iam.aws_managed_policies import aws_managed_policies_data
        except ImportError:  # pragma: no cover - moto is a dependency
            return None
        _BUNDLED = json.loads(aws_managed_policies_data)
    entry = _BUNDLED.get(arn.rsplit("/", 1)[-1])
    return entry.get("Document") if entry else None


def _managed_document(iam: Any, arn: str) -> Mapping[str, Any]:
    from botocore.exceptions import ClientError

    try:
        version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
        return parse_policy(iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"])
    except ClientError:
        if ":iam::aws:policy/" in arn:
            bundled = _bundled_aws_managed(arn)
            if bundled is not None:
                return parse_policy(bundled)
        raise


def _attached(iam: Any, list_method: str, **params: Any) -> list[PolicyDocument]:
    out = []
    for attached in _pages(iam, list_method, "AttachedPolicies", **params):
        arn = attached["PolicyArn"]
        source = "AWS managed policy" if ":iam::aws:policy/" in arn else "managed policy"
        out.append(PolicyDocument(attached["PolicyName"], _managed_document(iam, arn), source, arn))
    return out


def load_policies(
    iam: Any, *, role: str | None = None, user: str | None = None, group: str | None = None, groups: bool = True
) -> list[PolicyDocument]:
    """The identity-based policies in effect for one role, user or group: inline policies, attached customer
    managed policies (default version) and attached AWS managed policies. A user's groups are included
    unless ``groups=False``. ``iam`` is a boto3 IAM client; names or ARNs are accepted."""
    if sum(x is not None for x in (role, user, group)) != 1:
        raise ValueError("give exactly one of role=, user= or group=")
    out: list[PolicyDocument] = []
    if role is not None:
        name = _name_of(role, "role")
        for policy_name in _pages(iam, "list_role_policies", "PolicyNames", RoleName=name):
            doc = iam.get_role_policy(RoleName=name, PolicyName=policy_name)["PolicyDocument"]
            out.append(PolicyDocument(policy_name, parse_policy(doc), "inline policy"))
        out.extend(_attached(iam, "list_attached_role_policies", RoleName=name))
    elif user is not None:
        name = _name_of(user, "user")
        for policy_name in _pages(iam, "list_user_policies", "PolicyNames", UserName=name):
            doc = iam.get_user_policy(UserName=name, PolicyName=policy_name)["PolicyDocument"]
            out.append(PolicyDocument(policy_name, parse_policy(doc), "inline policy"))
        out.extend(_attached(iam, "list_attached_user_policies", UserName=name))
        if groups:
            for g in _pages(iam, "list_groups_for_user", "Groups", UserName=name):
                out.extend(load_policies(iam, group=g["GroupName"]))
    else:
        assert group is not None
        name = _name_of(group, "group")
        for policy_name in _pages(iam, "list_group_policies", "PolicyNames", GroupName=name):
            doc = iam.get_group_policy(GroupName=name, PolicyName=policy_name)["PolicyDocument"]
            out.append(PolicyDocument(f"{policy_name} of group {name}", parse_policy(doc), "inline policy"))
        for attached in _attached(iam, "list_attached_group_policies", GroupName=name):
            label = f"{attached.name} of group {name}"
            out.append(PolicyDocument(label, attached.document, attached.source, attached.arn))
    return out


def load_trust_policy(iam: Any, role: str) -> PolicyDocument:
    name = _name_of(role, "role")
    doc = iam.get_role(RoleName=name)["Role"].get("AssumeRolePolicyDocument")
    return PolicyDocument(name, parse_policy(doc), "trust policy of role")


def load_bucket_policy(s3: Any, bucket: str) -> PolicyDocument | None:
    """The bucket policy, or ``None`` when the bucket has none."""
    from botocore.exceptions import ClientError

    try:
        text = s3.get_bucket_policy(Bucket=bucket)["Policy"]
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("NoSuchBucketPolicy", "NoSuchPolicy"):
            return None
        raise
    return PolicyDocument(bucket, parse_policy(text), "bucket policy of")


class PolicyEvaluator:
    """The evaluator bound to a sandbox, as Python checks get it from ``ctx.policy_evaluator``."""

    def __init__(self, client: Callable[[str], Any]):
        self._client = client

    evaluate = staticmethod(evaluate)
    explain = staticmethod(explain)
    can_assume = staticmethod(can_assume)
    exact_permissions = staticmethod(exact_permissions)
    allowed_actions = staticmethod(allowed_actions)

    def role_policies(self, role: str) -> list[PolicyDocument]:
        return load_policies(self._client("iam"), role=role)

    def user_policies(self, user: str, *, groups: bool = True) -> list[PolicyDocument]:
        return load_policies(self._client("iam"), user=user, groups=groups)

    def group_policies(self, group: str) -> list[PolicyDocument]:
        return load_policies(self._client("iam"), group=group)

    def trust_policy(self, role: str) -> PolicyDocument:
        return load_trust_policy(self._client("iam"), role)

    def bucket_policy(self, bucket: str) -> PolicyDocument | None:
        return load_bucket_policy(self._client("s3"), bucket)
