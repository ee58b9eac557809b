"""Who can do what under a set of policies, read from the documents themselves.

"Only this rule may send", "exactly one principal may assume it", "no other secret": such properties are about
every possible request, not a handful of samples. Like IAM Access Analyzer, this module reasons over the
policy documents: it collects every principal, action, resource and condition value that any statement names,
adds one instance of each wildcard and one value that no statement names ("anyone else"), and decides every
combination with the evaluator (:mod:`tutor.grading.iam`). Requests that no statement tells apart from one of
these representatives get the same decision, so a grant the documents make is always found, whatever the
learner's spelling, and the report names the statement that makes it.

Keys that describe the caller (``aws:PrincipalArn``, ``aws:PrincipalAccount``) are not free: they follow from
the principal, so their values become principals to try. Keys a service sets when it acts on a resource's
behalf (``aws:SourceArn``, ``aws:SourceAccount``) are present only when the caller is a service principal.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from tutor.grading.iam import Decision, PolicyDocument, Request, StatementRef, evaluate
from tutor.grading.policy import as_list, normalize_principal, split_operator, statements

__all__ = [
    "FRESH_ACCOUNT",
    "Grant",
    "Probe",
    "Universe",
    "describe_principals",
    "distinct",
    "grants",
    "others_who_can_assume",
    "universe",
]

ACTION_TOKEN = "Tutorprobe"
RESOURCE_TOKEN = "tutorprobe"
FRESH_SERVICE = "tutorprobe"
FRESH_ACCOUNT = "000011112222"  # an account no lab policy names: "any other account"
FRESH_VALUE = "tutorprobe-other-value"

# condition keys whose value is fixed by who is asking
_PRINCIPAL_KEYS = {"aws:principalarn", "aws:principalaccount"}
# condition keys only present when a service principal makes the request on behalf of a resource
_SERVICE_KEYS = {"aws:sourcearn", "aws:sourceaccount", "aws:sourceowner", "aws:sourceorgid", "aws:sourceorgpaths"}
_ACCOUNT_ID = re.compile(r"^\d{12}$")


@dataclass(frozen=True)
class Probe:
    """One representative value: ``value`` is evaluated, ``shown`` is what a learner reads."""

    value: str | None
    shown: str


def _instantiate(pattern: str, token: str) -> str:
    """A concrete value a wildcard pattern matches: ``s3:Get*`` -> ``s3:GetTutorprobe``."""
    return pattern.replace("*", token).replace("?", "x")


def _has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


def _service_of(action: str) -> str:
    return action.split(":", 1)[0].lower() if ":" in action else ""


def _is_service(principal: str | None) -> bool:
    return bool(principal) and not str(principal).startswith("arn:") and "." in str(principal)


class _Collector:
    def __init__(self) -> None:
        self.items: dict[str | None, Probe] = {}

    def add(self, value: str | None, shown: str) -> None:
        key = value.lower() if isinstance(value, str) else value
        self.items.setdefault(key, Probe(value, shown))

    def probes(self) -> tuple[Probe, ...]:
        return tuple(self.items.values())


def _account_principals(add: Any, account: str) -> None:
    add(f"arn:aws:iam::{account}:root", f"account {account}")
    add(f"arn:aws:iam::{account}:role/{RESOURCE_TOKEN}", f"any role or user of account {account}")


def _condition_values(base: str, values: list[str]) -> list[tuple[str, str]]:
    """Representative request values for one condition block: (value, shown)."""
    out: list[tuple[str, str]] = []
    for value in values:
        if base in ("StringLike", "ArnLike", "ArnEquals") and _has_wildcard(value):
            out.append((_instantiate(value, RESOURCE_TOKEN), value))
        elif base.startswith("Numeric"):
            try:
                number = float(value)
            except ValueError:
                continue
            for near in (number - 1, number, number + 1):
                text = str(int(near)) if near.is_integer() else str(near)
                out.append((text, text))
        elif base == "Bool":
            out.extend([("true", "true"), ("false", "false")])
        else:
            out.append((value, value))
            if base == "StringEqualsIgnoreCase":
                out.append((value.swapcase(), value.swapcase()))
    return out


@dataclass(frozen=True)
class Universe:
    """The representative requests of a set of policies (see the module's docstring)."""

    principals: tuple[Probe, ...]
    actions: tuple[Probe, ...]
    resources: tuple[Probe, ...]
    context_keys: Mapping[str, tuple[Probe, ...]] = field(default_factory=dict)

    def contexts(self, principal: str | None) -> Iterator[dict[str, Probe]]:
        keys = [k for k in self.context_keys if _is_service(principal) or k not in _SERVICE_KEYS]
        for combo in itertools.product(*(self.context_keys[k] for k in keys)):
            yield dict(zip(keys, combo))

    def requests(self) -> Iterator[tuple[Request, Probe, Probe, Probe, dict[str, Probe]]]:
        for principal in self.principals:
            for context in self.contexts(principal.value):
                values = {k: p.value for k, p in context.items() if p.value is not None}
                for action in self.actions:
                    for resource in self.resources:
                        request = Request(
                            action=str(action.value),
                            resource=str(resource.value),
                            principal=principal.value,
                            context=values,
                        )
                        yield request, principal, action, resource, context


def _policies(policies: Any) -> list[PolicyDocument]:
    if isinstance(policies, (PolicyDocument, Mapping, str)):
        policies = [policies]
    return [
        PolicyDocument.of(p, name="" if isinstance(p, PolicyDocument) else f"#{i}") for i, p in enumerate(policies, 1)
    ]


def universe(
    policies: Any,
    *,
    principals: Iterable[str | None] = (),
    actions: Iterable[str] = (),
    resources: Iterable[str] = (),
    context: Mapping[str, Any] | None = None,
    common_actions: Mapping[str, Iterable[str]] | None = None,
    on: str | None = None,
) -> Universe:
    """Every representative principal, action, resource and condition value of ``policies``, plus the given
    seeds (the values a lab cares about, so a report can name them). ``context`` values are seeds too. ``common_actions`` adds real action names of each service
    the policies mention, so a report can say "s3:PutObject" rather than "other s3 actions". ``on`` is the
    resource a resource-based policy is attached to (a queue, a secret): it is then the only resource tried.

    Each condition key (named by a statement or given in ``context``) takes every value named for it, a value
    nobody names, and no value at all; the combinations of keys are all tried."""
    docs = _policies(policies)
    who, what, where = _Collector(), _Collector(), _Collector()
    keys: dict[str, _Collector] = {}
    named_principal = False
    services: set[str] = set()

    for doc in docs:
        for statement in statements(doc.document):
            for element in ("Principal", "NotPrincipal"):
                if element not in statement:
                    continue
                named_principal = True
                for kind, values in normalize_principal(statement[element]).items():
                    for value in values:
                        if value == "*":
                            _account_principals(who.add, FRESH_ACCOUNT)
                            who.add(None, "an anonymous caller")
                        elif kind == "AWS" and value.endswith(":root") and value.count(":") == 5:
                            _account_principals(who.add, value.split(":")[4])
                        else:
                            who.add(value, value)
            for element in ("Action", "NotAction"):
                for pattern in map(str, as_list(statement.get(element))):
                    if pattern == "*":
                        what.add(f"{FRESH_SERVICE}:{ACTION_TOKEN}", "actions of any service")
                    else:
                        what.add(_instantiate(pattern, ACTION_TOKEN), pattern)
                    services.add(_service_of(pattern))
            for element in ("Resource", "NotResource"):
                for pattern in map(str, as_list(statement.get(element))):
                    where.add(_instantiate(pattern, RESOURCE_TOKEN), "any resource (*)" if pattern == "*" else pattern)
            condition = statement.get("Condition")
            if not isinstance(condition, Mapping):
                continue
            for operator, block in condition.items():
                _, base, _ = split_operator(str(operator))
                if base is None or not isinstance(block, Mapping):
                    continue
                for key, raw in block.items():
                    lowered = str(key).lower()
                    values = [str(v) for v in as_list(raw)]
                    if lowered == "aws:principalarn":
                        for value in values:
                            shown = value
                            who.add(_instantiate(value, RESOURCE_TOKEN) if _has_wildcard(value) else value, shown)
                        continue
                    if lowered == "aws:principalaccount":
                        for value in values:
                            if _ACCOUNT_ID.match(value):
                                _account_principals(who.add, value)
                        continue
                    collector = keys.setdefault(lowered, _Collector())
                    if base == "Null":
                        continue
                    for value, shown in _condition_values(base, values):
                        collector.add(value, shown)

    for key, value in (context or {}).items():
        if key.lower() in _PRINCIPAL_KEYS:
            continue
        collector = keys.setdefault(key.lower(), _Collector())
        for item in as_list(value):
            text = ("true" if item else "false") if isinstance(item, bool) else str(item)
            collector.add(text, text)
    for key, collector in keys.items():
        collector.add(FRESH_VALUE, f"any other {key}")
        collector.add(None, f"no {key}")

    for principal in principals:
        who.add(principal, principal or "an anonymous caller")
    if not named_principal and not who.items:
        who.add(None, "the principal")
    elif named_principal:
        _account_principals(who.add, FRESH_ACCOUNT)
        who.add(f"{FRESH_SERVICE}.amazonaws.com", "another AWS service")

    for action in actions:
        what.add(_instantiate(action, ACTION_TOKEN), action)
        services.add(_service_of(action))
    for service in sorted(services - {""}):
        for name in (common_actions or {}).get(service, ()):
            what.add(f"{service}:{name}", f"{service}:{name}")
        what.add(f"{service}:{ACTION_TOKEN}", f"other {service}:* actions")
    what.add(f"{FRESH_SERVICE}:{ACTION_TOKEN}", "actions of any service")

    for resource in resources:
        where.add(_instantiate(resource, RESOURCE_TOKEN), resource)
    where.add(RESOURCE_TOKEN, "any resource (*)")

    return Universe(
        principals=who.probes(),
        actions=what.probes(),
        resources=(Probe(on, on),) if on is not None else where.probes(),
        context_keys={k: c.probes() for k, c in keys.items()},
    )


@dataclass(frozen=True)
class Grant:
    """One representative request the policies allow."""

    request: Request
    principal: Probe
    action: Probe
    resource: Probe
    context: Mapping[str, Probe]
    via: StatementRef

    def describe(self, *, with_principal: bool = True, with_resource: bool = True) -> str:
        """``"account 000011112222 may call sqs:SendMessage on arn:... (without aws:SourceArn) (via ...)"``."""
        text = self.action.shown
        if with_resource:
            text += f" on {self.resource.shown}"
        if with_principal:
            text = f"{self.principal.shown} may call {text}"
        conditions = [
            f"without {key}"
            if probe.value is None
            else f"for {probe.shown}"
            if probe.value == FRESH_VALUE
            else f"with {key} {probe.shown}"
            for key, probe in sorted(self.context.items())
        ]
        if conditions:
            text += " (" + ", ".join(conditions) + ")"
        return f"{text} (via {self.via})"


def grants(policies: Any, **seeds: Any) -> list[Grant]:
    """Every representative request that ``policies`` allow (keyword arguments as for :func:`universe`).

    The context of a grant lists only the keys the deciding statement's Condition names, so a report reads
    "sqs:SendMessage on ... (without aws:SourceArn)" rather than listing every key tried."""
    docs = _policies(policies)
    out: list[Grant] = []
    for request, principal, action, resource, context in universe(docs, **seeds).requests():
        decision: Decision = evaluate(request, docs)
        if decision.allowed:
            named = _condition_keys(docs, decision.deciding[0])
            shown = {k: p for k, p in context.items() if k in named}
            out.append(Grant(request, principal, action, resource, shown, decision.deciding[0]))
    return out


def _condition_keys(docs: list[PolicyDocument], ref: StatementRef) -> set[str]:
    for doc in docs:
        if doc.label != ref.policy:
            continue
        found = statements(doc.document)
        if 0 < ref.index <= len(found):
            condition = found[ref.index - 1].get("Condition")
            if isinstance(condition, Mapping):
                return {str(k).lower() for block in condition.values() if isinstance(block, Mapping) for k in block}
    return set()


def distinct(found: Iterable[Grant], key: Any) -> list[Grant]:
    """The first grant of each ``key(grant)``, in order (one line per thing a learner must fix)."""
    seen: set[Any] = set()
    out = []
    for grant in found:
        k = key(grant)
        if k not in seen:
            seen.add(k)
            out.append(grant)
    return out


def others_who_can_assume(trust: Any, principal: str, *, context: Mapping[str, Any] | None = None) -> list[Grant]:
    """One grant per principal other than ``principal`` that the trust policy lets in (any action, any
    condition value the policy names): "only X can assume it" holds when this is empty."""
    found = grants(trust, principals=[principal], actions=["sts:AssumeRole"], context=context)
    wanted = principal.lower()
    return distinct((g for g in found if str(g.principal.value).lower() != wanted), key=lambda g: g.principal.value)


def describe_principals(found: list[Grant], limit: int = 3) -> str:
    """``"account 1111 (via trust policy ..., statement #2); ..."`` for a failure message."""
    more = f" (and {len(found) - limit} more)" if len(found) > limit else ""
    return "; ".join(f"{g.principal.shown} (via {g.via})" for g in found[:limit]) + more
