"""Helpers for Python checks that read policies and S3 lifecycle rules.

A learner can reach the same end state in many ways: one statement or three, ``"Action": "s3:GetObject"`` or
``["s3:GetObject"]``, ``"Principal": "*"`` or ``{"AWS": "*"}``, ``"false"`` or ``false`` in a condition, a
lifecycle prefix under ``Filter.Prefix``, ``Filter.And.Prefix`` or the legacy top-level ``Prefix``. These helpers
normalise all of that so a check can ask about meaning instead of spelling.

For "is this request denied?" questions prefer the evaluator (:mod:`tutor.grading.iam`): it decides like AWS
does. The finder here (:func:`find_statements`, :func:`covers`) answers structural questions ("is there a Deny
statement for s3:GetObject on the bucket's objects conditioned on aws:SecureTransport false?").
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

__all__ = [
    "LifecycleRule",
    "PolicyError",
    "Transition",
    "action_matches",
    "arn_matches",
    "as_list",
    "canonical_operator",
    "condition_value",
    "covers",
    "find_statements",
    "is_public_principal",
    "lifecycle_rules",
    "normalize_conditions",
    "normalize_principal",
    "parse_policy",
    "principal_matches_any",
    "split_operator",
    "statements",
]


class PolicyError(ValueError):
    """A policy document that cannot be read (not JSON, not an object, no statements)."""


# ---------------------------------------------------------------- documents and statements


def _python_literal(text: str) -> Any:
    if not text.startswith("{"):
        return None
    import ast

    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None


def parse_policy(doc: str | bytes | Mapping[str, Any] | None) -> dict[str, Any]:
    """A policy document as a dict, from a dict, a JSON string, or the URL-encoded JSON IAM returns raw.

    ``None`` and ``""`` give an empty document (no statements), so "no policy yet" reads as "nothing allowed".
    """
    if doc is None:
        return {}
    if isinstance(doc, Mapping):
        return dict(doc)
    if isinstance(doc, bytes):
        doc = doc.decode("utf-8")
    if not isinstance(doc, str):
        raise PolicyError(f"a policy is a JSON object or a string, not {type(doc).__name__}")
    text = doc.strip()
    if not text:
        return {}
    if text.startswith(("%7B", "%7b")):
        text = unquote(text)
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        parsed = _python_literal(text)  # moto returns CloudFormation-made policies as a Python repr
        if parsed is None:
            raise PolicyError(
                f"the policy is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
            ) from None
    if not isinstance(parsed, dict):
        raise PolicyError("a policy document is a JSON object with a Statement")
    return parsed


def as_list(value: Any) -> list[Any]:
    """``Action``/``Resource``/``Principal`` values are a string or a list; always get a list (``None`` -> [])."""
    if value is None:
        return []
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    return [value]


def statements(doc: str | Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The statements of a policy, always a list (``Statement`` may be one object or a list)."""
    parsed = parse_policy(doc)
    return [s for s in as_list(parsed.get("Statement")) if isinstance(s, dict)]


def _effect(statement: Mapping[str, Any]) -> str:
    return str(statement.get("Effect", "")).capitalize()


# ---------------------------------------------------------------- principals

_ACCOUNT_ID = re.compile(r"^\d{12}$")
_PRINCIPAL_KINDS = {"aws": "AWS", "service": "Service", "federated": "Federated", "canonicaluser": "CanonicalUser"}


def normalize_principal(principal: Any) -> dict[str, list[str]]:
    """``Principal`` as ``{type: [values]}``.

    ``"*"`` becomes ``{"AWS": ["*"]}`` (AWS treats both spellings as "everyone"), a bare 12-digit account id
    becomes ``arn:aws:iam::<id>:root`` (AWS stores it that way), strings are wrapped in lists.
    """
    if principal is None:
        return {}
    if isinstance(principal, str):
        return {"AWS": ["*"]} if principal == "*" else {"AWS": [_normal_aws_principal(principal)]}
    if not isinstance(principal, Mapping):
        return {}
    out: dict[str, list[str]] = {}
    for kind, values in principal.items():
        canonical = _PRINCIPAL_KINDS.get(str(kind).lower(), str(kind))
        items = [str(v) for v in as_list(values)]
        if canonical == "AWS":
            items = [_normal_aws_principal(v) for v in items]
        out.setdefault(canonical, []).extend(items)
    return out


def _normal_aws_principal(value: str) -> str:
    return f"arn:aws:iam::{value}:root" if _ACCOUNT_ID.match(value) else value


def is_public_principal(principal: Any) -> bool:
    """True for ``"*"`` and ``{"AWS": "*"}`` (and lists containing ``"*"``)."""
    return "*" in normalize_principal(principal).get("AWS", [])


def _account_of(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 and parts[0] == "arn" else None


def _role_of_session(arn: str) -> str | None:
    """``arn:aws:sts::123:assumed-role/name/session`` -> ``arn:aws:iam::123:role/name``."""
    m = re.match(r"^arn:([^:]+):sts::(\d+):assumed-role/([^/]+)/", arn)
    return f"arn:{m.group(1)}:iam::{m.group(2)}:role/{m.group(3)}" if m else None


def principal_matches_any(normalized: Mapping[str, list[str]], principal: str | None) -> bool:
    """Does the caller ``principal`` (an ARN, an account id, or a service name such as
    ``lambda.amazonaws.com``) match a normalised ``Principal`` element?

    An account (``arn:aws:iam::123456789012:root``) matches every principal of that account, an assumed-role
    session matches its role, ``*`` matches everyone including an anonymous (``None``) caller.
    """
    if "*" in normalized.get("AWS", []):
        return True
    if principal is None:
        return False
    if principal == "*":
        return False
    candidates = {principal, _normal_aws_principal(principal)}
    role = _role_of_session(principal)
    if role:
        candidates.add(role)
    account = _account_of(principal) or (principal if _ACCOUNT_ID.match(principal) else None)
    for kind, values in normalized.items():
        for value in values:
            if kind == "AWS":
                if value in candidates:
                    return True
                if account and value == f"arn:aws:iam::{account}:root":
                    return True
            elif kind == "Service":
                if value.lower() == principal.lower():
                    return True
            elif value == principal:
                return True
    return False


# ---------------------------------------------------------------- conditions

# Every operator AWS defines, in AWS's own letter case (keyed by lower case for lookup).
_BASE_OPERATORS = [
    "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
    "StringLike", "StringNotLike",
    "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
    "NumericGreaterThan", "NumericGreaterThanEquals",
    "DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals",
    "Bool", "BinaryEquals", "IpAddress", "NotIpAddress",
    "ArnEquals", "ArnNotEquals", "ArnLike", "ArnNotLike",
    "Null",
]  # fmt: skip
_OPERATOR_CASE = {op.lower(): op for op in _BASE_OPERATORS}
_QUALIFIERS = {"foranyvalue": "ForAnyValue", "forallvalues": "ForAllValues"}


def split_operator(operator: str) -> tuple[str | None, str | None, bool]:
    """``"ForAnyValue:StringLikeIfExists"`` -> ``("ForAnyValue", "StringLike", True)``.

    The base operator is ``None`` when AWS defines no such operator.
    """
    qualifier = None
    text = operator.strip()
    if ":" in text:
        prefix, text = text.split(":", 1)
        qualifier = _QUALIFIERS.get(prefix.lower(), prefix)
    if_exists = False
    lowered = text.lower()
    if lowered.endswith("ifexists") and lowered != "ifexists":
        if_exists = True
        lowered = lowered[: -len("ifexists")]
    base = _OPERATOR_CASE.get(lowered)
    if base == "Null" and if_exists:
        base = None  # NullIfExists is not an operator
    if qualifier is not None and qualifier not in _QUALIFIERS.values():
        base = None
    return qualifier, base, if_exists


def canonical_operator(operator: str) -> str:
    """The operator in AWS's letter case (``stringequals`` -> ``StringEquals``); unknown ones are returned as is."""
    qualifier, base, if_exists = split_operator(operator)
    if base is None:
        return operator
    return f"{qualifier + ':' if qualifier else ''}{base}{'IfExists' if if_exists else ''}"


def condition_value(value: Any) -> str:
    """A condition value as the string AWS compares: ``False`` -> ``"false"``, ``60`` -> ``"60"``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def normalize_conditions(condition: Any) -> dict[str, dict[str, list[str]]]:
    """``Condition`` as ``{CanonicalOperator: {lower-case key: [string values]}}``.

    Keys are case-insensitive in AWS, so they are lower-cased; values become strings (``false`` -> ``"false"``),
    and for ``Bool``/``Null`` operators they are lower-cased too (``"False"`` means the same).
    Two spellings of one operator (``bool`` and ``Bool``) are merged.
    """
    out: dict[str, dict[str, list[str]]] = {}
    if not isinstance(condition, Mapping):
        return out
    for operator, block in condition.items():
        name = canonical_operator(str(operator))
        _, base, _ = split_operator(name)
        if not isinstance(block, Mapping):
            continue
        target = out.setdefault(name, {})
        for key, values in block.items():
            items = [condition_value(v) for v in as_list(values)]
            if base in ("Bool", "Null"):
                items = [v.lower() for v in items]
            target.setdefault(str(key).lower(), []).extend(items)
    return out


# ---------------------------------------------------------------- wildcard matching


@lru_cache(maxsize=4096)
def _action_regex(pattern: str) -> re.Pattern[str]:
    body = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile(body, re.IGNORECASE | re.DOTALL)


def action_matches(pattern: str, action: str) -> bool:
    """IAM action matching: case-insensitive, ``*`` any run of characters, ``?`` one character."""
    return _action_regex(str(pattern)).fullmatch(str(action)) is not None


@lru_cache(maxsize=4096)
def _arn_regex(pattern: str) -> re.Pattern[str]:
    # AWS: wildcards match within one colon-separated segment of an ARN, except that a "*" which is the last
    # character of a segment may expand across the following colons. "*" alone matches everything.
    out = []
    for i, ch in enumerate(pattern):
        if ch == "*":
            last_in_segment = i + 1 == len(pattern) or pattern[i + 1] == ":"
            out.append(".*" if last_in_segment else "[^:]*")
        elif ch == "?":
            out.append("[^:]")
        else:
            out.append(re.escape(ch))
    return re.compile("".join(out), re.DOTALL)


def arn_matches(pattern: str, arn: str) -> bool:
    """IAM resource matching: case-sensitive, segment-aware ``*`` and ``?`` (see ``_arn_regex``)."""
    return _arn_regex(str(pattern)).fullmatch(str(arn)) is not None


# ---------------------------------------------------------------- finding statements


def _statement_covers_action(statement: Mapping[str, Any], action: str) -> bool:
    if "NotAction" in statement:
        return not any(action_matches(p, action) for p in as_list(statement["NotAction"]))
    return any(action_matches(p, action) for p in as_list(statement.get("Action")))


def _statement_covers_resource(statement: Mapping[str, Any], resource: str) -> bool:
    if "NotResource" in statement:
        return not any(arn_matches(p, resource) for p in as_list(statement["NotResource"]))
    if "Resource" not in statement:
        return True  # trust policies have no Resource: they are about the role they are attached to
    return any(arn_matches(p, resource) for p in as_list(statement.get("Resource")))


_EQUALITY_FAMILY = {
    "Bool", "StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike", "NumericEquals",
}  # fmt: skip


def _values_equal(a: str, b: str) -> bool:
    if a.lower() in ("true", "false") or b.lower() in ("true", "false"):
        return a.lower() == b.lower()
    return a == b


def _condition_wanted(condition: Any) -> list[tuple[str | None, str, str]]:
    """The (operator or None, lower key, value) triples a finder's ``condition`` asks for."""
    if condition is None:
        return []
    if isinstance(condition, Mapping):
        return [
            (op, key, value)
            for op, block in normalize_conditions(condition).items()
            for key, values in block.items()
            for value in values
        ]
    items = tuple(condition)
    if len(items) == 2:
        return [(None, str(items[0]).lower(), condition_value(items[1]))]
    if len(items) == 3:
        return [(canonical_operator(str(items[0])), str(items[1]).lower(), condition_value(items[2]))]
    raise ValueError("condition is (key, value), (operator, key, value) or a policy-style Condition dict")


def _statement_has_condition(statement: Mapping[str, Any], wanted: Iterable[tuple[str | None, str, str]]) -> bool:
    have = normalize_conditions(statement.get("Condition"))
    for operator, key, value in wanted:
        found = False
        for op, block in have.items():
            qualifier, base, _ = split_operator(op)
            if operator is None:
                if qualifier is not None or base not in _EQUALITY_FAMILY:
                    continue
            elif op != operator:
                continue
            if any(_values_equal(v, value) for v in block.get(key, [])):
                found = True
                break
        if not found:
            return False
    return True


def _principal_filter_matches(statement: Mapping[str, Any], principal: Any) -> bool:
    normalized = normalize_principal(statement.get("Principal"))
    if isinstance(principal, tuple):
        kind, value = principal
        wanted = normalize_principal({kind: value})
        public = "*" in normalized.get("AWS", [])
        return all(public or v in normalized.get(k, []) for k, vs in wanted.items() for v in vs)
    if principal == "*" or principal == {"AWS": "*"}:
        return is_public_principal(statement.get("Principal"))
    return principal_matches_any(normalized, str(principal))


def find_statements(
    doc: str | Mapping[str, Any] | None,
    *,
    effect: str | None = None,
    action: str | None = None,
    resource: str | None = None,
    principal: Any = None,
    condition: Any = None,
) -> list[dict[str, Any]]:
    """Statements of ``doc`` that cover every criterion given.

    * ``effect``: ``"Allow"``/``"Deny"`` (any case).
    * ``action``: the statement's ``Action`` matches it with wildcards (``s3:*`` covers ``s3:GetObject``), or its
      ``NotAction`` does not exclude it. The action may itself be a pattern (``s3:Get*``); it is then taken
      literally, which is right for the usual questions ("does a statement cover s3:*?").
    * ``resource``: likewise with ARN wildcards (``arn:aws:s3:::b/*`` covers ``arn:aws:s3:::b/key``, ``*``
      covers everything) and ``NotResource``.
    * ``principal``: ``"*"`` (the statement is public), an ARN/account/service the statement's principal matches,
      or ``(kind, value)`` such as ``("Service", "lambda.amazonaws.com")``.
    * ``condition``: ``(key, value)`` (any equality-style operator: Bool, StringEquals, ... with or without
      IfExists), ``(operator, key, value)`` (that operator exactly, any letter case), or a policy-style
      ``{"Bool": {"aws:SecureTransport": "false"}}``. Keys are case-insensitive, ``false`` equals ``"false"``.
      Extra conditions on the statement are allowed; ask the evaluator when they matter.

    Because each statement is tested on its own, a lab that needs several actions should call this (or
    :func:`covers`) once per action, so split and merged statements are both accepted.
    """
    wanted_condition = _condition_wanted(condition)
    found = []
    for statement in statements(doc):
        if effect is not None and _effect(statement) != effect.capitalize():
            continue
        if action is not None and not _statement_covers_action(statement, action):
            continue
        if resource is not None and not _statement_covers_resource(statement, resource):
            continue
        if principal is not None and not _principal_filter_matches(statement, principal):
            continue
        if wanted_condition and not _statement_has_condition(statement, wanted_condition):
            continue
        found.append(statement)
    return found


def covers(
    doc: str | Mapping[str, Any] | None,
    *,
    effect: str,
    actions: str | Iterable[str],
    resources: str | Iterable[str],
    principal: Any = None,
    condition: Any = None,
) -> bool:
    """True when every (action, resource) pair is covered by some statement with these criteria.

    Accepts one merged statement as well as one statement per action or per resource.
    """
    return all(
        find_statements(doc, effect=effect, action=a, resource=r, principal=principal, condition=condition)
        for a in as_list(actions)
        for r in as_list(resources)
    )


# ---------------------------------------------------------------- S3 lifecycle rules


@dataclass(frozen=True)
class Transition:
    storage_class: str
    days: int | None = None
    date: str | None = None
    newer_versions: int | None = None  # NewerNoncurrentVersions, for noncurrent transitions


@dataclass(frozen=True)
class LifecycleRule:
    """One S3 lifecycle rule with every spelling normalised.

    ``prefix`` is ``""`` for a rule that applies to the whole bucket. ``transitions`` are sorted by days
    (then date), whatever order the learner listed them in.
    """

    id: str | None
    enabled: bool
    prefix: str = ""
    tags: Mapping[str, str] = field(default_factory=dict)
    size_greater_than: int | None = None
    size_less_than: int | None = None
    transitions: tuple[Transition, ...] = ()
    expiration_days: int | None = None
    expiration_date: str | None = None
    expired_object_delete_marker: bool | None = None
    noncurrent_transitions: tuple[Transition, ...] = ()
    noncurrent_expiration_days: int | None = None
    abort_incomplete_upload_days: int | None = None

    def transition_to(self, storage_class: str) -> Transition | None:
        """The transition into ``storage_class`` (case-insensitive), if any."""
        return next((t for t in self.transitions if t.storage_class.upper() == storage_class.upper()), None)

    def noncurrent_transition_to(self, storage_class: str) -> Transition | None:
        return next((t for t in self.noncurrent_transitions if t.storage_class.upper() == storage_class.upper()), None)

    def applies_to(self, key: str) -> bool:
        """Whether the rule's prefix covers an object key or key prefix (tags and sizes are not considered)."""
        return key.startswith(self.prefix)


def _int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _transitions(items: Any, days_key: str) -> tuple[Transition, ...]:
    out = [
        Transition(
            storage_class=str(t.get("StorageClass", "")),
            days=_int(t.get(days_key)),
            date=str(t["Date"]) if t.get("Date") is not None else None,
            newer_versions=_int(t.get("NewerNoncurrentVersions")),
        )
        for t in as_list(items)
        if isinstance(t, Mapping)
    ]
    out.sort(key=lambda t: (t.days if t.days is not None else 1 << 30, t.date or ""))
    return tuple(out)


def _tags(items: Any) -> dict[str, str]:
    return {str(t.get("Key")): str(t.get("Value", "")) for t in as_list(items) if isinstance(t, Mapping)}


def _rules_of(config: Any) -> Iterator[Mapping[str, Any]]:
    if config is None:
        return iter(())
    if isinstance(config, Mapping):
        if "Rules" in config:
            return (r for r in as_list(config["Rules"]) if isinstance(r, Mapping))
        if "LifecycleConfiguration" in config:
            return _rules_of(config["LifecycleConfiguration"])
        return iter([config])  # a single rule
    return (r for r in as_list(config) if isinstance(r, Mapping))


def lifecycle_rules(config: Any, *, enabled_only: bool = False) -> list[LifecycleRule]:
    """Normalised rules from a ``get_bucket_lifecycle_configuration`` response, a ``{"Rules": [...]}`` dict,
    a list of rules or one rule.

    The prefix is taken from ``Filter.Prefix``, ``Filter.And.Prefix`` or the legacy top-level ``Prefix``;
    tags from ``Filter.Tag`` or ``Filter.And.Tags``; transitions from ``Transitions`` or the legacy single
    ``Transition``, sorted by days.
    """
    out = []
    for rule in _rules_of(config):
        flt: Mapping[str, Any] = rule["Filter"] if isinstance(rule.get("Filter"), Mapping) else {}
        conj: Mapping[str, Any] = flt["And"] if isinstance(flt.get("And"), Mapping) else {}
        prefix = flt.get("Prefix", conj.get("Prefix", rule.get("Prefix", ""))) or ""
        tags = _tags(conj.get("Tags")) if conj else {}
        if isinstance(flt.get("Tag"), Mapping):
            tags.update(_tags([flt["Tag"]]))
        expiration: Mapping[str, Any] = rule["Expiration"] if isinstance(rule.get("Expiration"), Mapping) else {}
        noncurrent_exp: Mapping[str, Any] = (
            rule["NoncurrentVersionExpiration"] if isinstance(rule.get("NoncurrentVersionExpiration"), Mapping) else {}
        )
        abort: Mapping[str, Any] = (
            rule["AbortIncompleteMultipartUpload"]
            if isinstance(rule.get("AbortIncompleteMultipartUpload"), Mapping)
            else {}
        )
        marker = expiration.get("ExpiredObjectDeleteMarker")
        parsed = LifecycleRule(
            id=rule.get("ID"),
            enabled=str(rule.get("Status", "")).lower() == "enabled",
            prefix=str(prefix),
            tags=tags,
            size_greater_than=_int(flt.get("ObjectSizeGreaterThan", conj.get("ObjectSizeGreaterThan"))),
            size_less_than=_int(flt.get("ObjectSizeLessThan", conj.get("ObjectSizeLessThan"))),
            transitions=_transitions(as_list(rule.get("Transitions")) + as_list(rule.get("Transition")), "Days"),
            expiration_days=_int(expiration.get("Days")),
            expiration_date=str(expiration["Date"]) if expiration.get("Date") is not None else None,
            expired_object_delete_marker=None if marker is None else str(marker).lower() == "true",
            noncurrent_transitions=_transitions(
                as_list(rule.get("NoncurrentVersionTransitions")) + as_list(rule.get("NoncurrentVersionTransition")),
                "NoncurrentDays",
            ),
            noncurrent_expiration_days=_int(noncurrent_exp.get("NoncurrentDays")),
            abort_incomplete_upload_days=_int(abort.get("DaysAfterInitiation")),
        )
        if parsed.enabled or not enabled_only:
            out.append(parsed)
    return out
