"""Python checks for eventbridge-to-sqs.

The rule's pattern is judged by what it matches: a small EventBridge pattern matcher runs a battery of sample
events through it, so any correct spelling passes (a literal list, "numeric" with one or two bounds, $or...).
moto does not implement TestEventPattern, and the live probe (``delivery``) goes through moto's own matcher.
"""

import ipaddress
import json
import re
import time
import uuid

from tutor.grading.delivery import queue_policy_problem, take_messages

BUS = "acme-orders"
RULE = "express-shipping-orders"
QUEUE = "express-shipping"
SOURCE = "com.acme.orders"
DETAIL_TYPE = "OrderPlaced"
EVENTS = "events.amazonaws.com"

# ---------------------------------------------------------------- an EventBridge pattern matcher

_MISSING = object()


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _wildcard(pattern, value):
    regex = "".join(".*" if ch == "*" else re.escape(ch) for ch in str(pattern))
    return isinstance(value, str) and re.fullmatch(regex, value, re.DOTALL) is not None


def _string_op(kind, arg, value):
    """prefix / suffix / equals-ignore-case / wildcard; prefix and suffix also take {"equals-ignore-case": x}."""
    if not isinstance(value, str):
        return False
    if isinstance(arg, dict):
        if "equals-ignore-case" not in arg:
            return False
        arg, value = str(arg["equals-ignore-case"]).lower(), value.lower()
    arg = str(arg)
    if kind == "prefix":
        return value.startswith(arg)
    if kind == "suffix":
        return value.endswith(arg)
    if kind == "equals-ignore-case":
        return value.lower() == arg.lower()
    if kind == "wildcard":
        return _wildcard(arg, value)
    return False


_NUMERIC = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    "=": lambda a, b: a == b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _one(matcher, value):
    """Does one element of a pattern's value list match one (non-list) event value?"""
    if not isinstance(matcher, dict):  # a literal: string, number, boolean or null
        if value is _MISSING:
            return False
        if _is_number(matcher) and _is_number(value):
            return float(matcher) == float(value)
        if matcher is None or value is None:
            return matcher is None and value is None
        return type(matcher) is type(value) and matcher == value
    if len(matcher) != 1:
        return False
    ((kind, arg),) = matcher.items()
    if kind == "exists":
        return (value is not _MISSING) == bool(arg)
    if value is _MISSING:
        return False
    if kind == "numeric":
        if not _is_number(value) or not isinstance(arg, list) or len(arg) % 2:
            return False
        return all(
            op in _NUMERIC and _is_number(bound) and _NUMERIC[op](value, bound)
            for op, bound in zip(arg[::2], arg[1::2])
        )
    if kind == "anything-but":
        if isinstance(arg, dict):
            return not any(_string_op(k, v, value) for k, v in arg.items())
        return not any(_one(a, value) for a in (arg if isinstance(arg, list) else [arg]))
    if kind in ("prefix", "suffix", "equals-ignore-case", "wildcard"):
        return any(_string_op(kind, a, value) for a in (arg if isinstance(arg, list) else [arg]))
    if kind == "cidr":
        try:
            return ipaddress.ip_address(value) in ipaddress.ip_network(arg, strict=False)
        except (TypeError, ValueError):
            return False
    return False


def pattern_matches(pattern, event):
    """True when the EventBridge ``pattern`` (a dict) matches ``event`` (a dict)."""
    if not isinstance(pattern, dict):
        return False
    for key, expected in pattern.items():
        if key == "$or":
            if not any(pattern_matches(p, event) for p in expected):
                return False
            continue
        value = event.get(key, _MISSING) if isinstance(event, dict) else _MISSING
        if isinstance(expected, dict):
            if not pattern_matches(expected, value if isinstance(value, dict) else {}):
                return False
        elif isinstance(expected, list):
            values = value if isinstance(value, list) and value else [value]
            if not any(_one(m, v) for m in expected for v in values):
                return False
        else:
            return False
    return True


def sample_event(source=SOURCE, detail_type=DETAIL_TYPE, detail=None):
    return {
        "version": "0",
        "id": "00000000-0000-0000-0000-000000000000",
        "detail-type": detail_type,
        "source": source,
        "account": "123456789012",
        "time": "2025-03-14T09:26:53Z",
        "region": "us-east-1",
        "resources": [],
        "detail": detail if detail is not None else {},
    }


# (description, event, should match)
BATTERY = [
    (
        "an OrderPlaced event from com.acme.orders with amount 150",
        sample_event(detail={"orderId": "o-1", "amount": 150}),
        True,
    ),
    ("an order with amount 101", sample_event(detail={"amount": 101}), True),
    ("an order with amount 100.5", sample_event(detail={"amount": 100.5}), True),
    ("an order with amount 25000", sample_event(detail={"amount": 25000, "currency": "USD"}), True),
    ("an order with amount exactly 100", sample_event(detail={"amount": 100}), False),
    ("an order with amount 99", sample_event(detail={"amount": 99}), False),
    ("an order with amount 0", sample_event(detail={"amount": 0}), False),
    ("an order with no amount", sample_event(detail={"orderId": "o-2"}), False),
    ('an order whose amount is the string "150"', sample_event(detail={"amount": "150"}), False),
    ("an OrderShipped event with amount 150", sample_event(detail_type="OrderShipped", detail={"amount": 150}), False),
    (
        "an OrderPlaced event from com.acme.payments with amount 150",
        sample_event(source="com.acme.payments", detail={"amount": 150}),
        False,
    ),
    (
        "an OrderPlaced event from com.acme.orders.test with amount 150",
        sample_event(source="com.acme.orders.test", detail={"amount": 150}),
        False,
    ),
]


def _rule(ctx):
    return ctx.call("events", "describe_rule", Name=RULE, EventBusName=BUS)


def rule_pattern(ctx):
    try:
        rule = _rule(ctx)
    except Exception:  # noqa: BLE001 - ResourceNotFoundException
        return False, f"There is no rule {RULE} on the event bus {BUS} yet."
    raw = rule.get("EventPattern")
    if not raw:
        return False, "The rule has no event pattern (a scheduled rule cannot react to orders)."
    try:
        pattern = json.loads(raw)
    except json.JSONDecodeError:
        return False, "The rule's event pattern is not valid JSON."
    for description, event, expected in BATTERY:
        if pattern_matches(pattern, event) != expected:
            verb = "does not match" if expected else "also matches"
            return False, f"The pattern {verb} {description}."
    return True


def _queue(ctx):
    try:
        url = ctx.call("sqs", "get_queue_url", QueueName=QUEUE)["QueueUrl"]
    except Exception:  # noqa: BLE001 - QueueDoesNotExist
        return None
    attributes = ctx.call("sqs", "get_queue_attributes", QueueUrl=url, AttributeNames=["All"]).get("Attributes", {})
    return url, attributes


def rule_target(ctx):
    queue = _queue(ctx)
    if queue is None:
        return False, f"There is no queue {QUEUE} yet."
    try:
        targets = ctx.call("events", "list_targets_by_rule", Rule=RULE, EventBusName=BUS).get("Targets", [])
    except Exception:  # noqa: BLE001
        return False, f"There is no rule {RULE} on the event bus {BUS} yet."
    mine = [t for t in targets if t.get("Arn") == queue[1]["QueueArn"]]
    if not mine:
        shown = ", ".join(t.get("Arn", "?") for t in targets) or "none"
        return False, f"The rule's targets are: {shown}."
    for target in mine:
        changed = [k for k in ("Input", "InputPath", "InputTransformer") if target.get(k)]
        if changed:
            return False, (
                f"The target rewrites the event ({changed[0]}); the express-shipping team needs the whole event."
            )
    return True


OTHER_SOURCES = (
    f"arn:aws:events:us-east-1:123456789012:rule/{BUS}/another-rule",
    f"arn:aws:events:us-east-1:123456789012:rule/{RULE}",  # the same name on the default bus
    f"arn:aws:events:us-east-1:210987654321:rule/{BUS}/{RULE}",
    "arn:aws:sns:us-east-1:123456789012:order-events",
)
OTHER_ACTIONS = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:PurgeQueue", "sqs:SetQueueAttributes")


def queue_policy(ctx):
    queue = _queue(ctx)
    if queue is None:
        return False, f"There is no queue {QUEUE} yet."
    rule_arn = ctx.arn("events", f"rule/{BUS}/{RULE}")
    problem = queue_policy_problem(
        queue[1].get("Policy"),
        queue_arn=queue[1]["QueueArn"],
        service=EVENTS,
        service_name="EventBridge",
        source_arn=rule_arn,
        source_label=f"the rule {RULE}",
        other_sources=OTHER_SOURCES,
        other_actions=OTHER_ACTIONS,
        account_id=ctx.account_id,
    )
    return (False, problem) if problem else True


# ---------------------------------------------------------------- the live probe


PROBES = [  # (case, source, detail-type, amount, should arrive)
    ("amount 150", SOURCE, DETAIL_TYPE, 150, True),
    ("amount 100.5", SOURCE, DETAIL_TYPE, 100.5, True),
    ("amount 100", SOURCE, DETAIL_TYPE, 100, False),
    ("amount 40", SOURCE, DETAIL_TYPE, 40, False),
    ("an OrderShipped event", SOURCE, "OrderShipped", 150, False),
    ("an event from com.acme.payments", "com.acme.payments", DETAIL_TYPE, 150, False),
]


def delivery(ctx):
    queue = _queue(ctx)
    if queue is None:
        return False, f"There is no queue {QUEUE} yet."
    try:
        _rule(ctx)
    except Exception:  # noqa: BLE001
        return False, f"There is no rule {RULE} on the event bus {BUS} yet."
    marker = f"tutor-probe-{uuid.uuid4()}"
    entries = [
        {
            "EventBusName": BUS,
            "Source": source,
            "DetailType": detail_type,
            "Detail": json.dumps({"orderId": f"{marker}-{n}", "amount": amount, "probe": marker}),
        }
        for n, (_case, source, detail_type, amount, _expected) in enumerate(PROBES)
    ]
    response = ctx.client("events").put_events(Entries=entries)
    if response.get("FailedEntryCount"):
        return False, "The checker could not put its test events on the bus."
    sqs = ctx.client("sqs")
    arrived = set()
    for _attempt in range(5):
        for body in take_messages(sqs, queue[0], marker):
            for n in range(len(PROBES)):
                if f'{marker}-{n}"' in body:
                    arrived.add(n)
        if all(n in arrived for n, probe in enumerate(PROBES) if probe[4]):
            break
        time.sleep(0.2)
    missing = [PROBES[n][0] for n in range(len(PROBES)) if PROBES[n][4] and n not in arrived]
    extra = [PROBES[n][0] for n in range(len(PROBES)) if not PROBES[n][4] and n in arrived]
    if missing:
        return False, "Test events that should have reached the queue did not: " + ", ".join(missing) + "."
    if extra:
        return False, "Test events that should have been filtered out reached the queue: " + ", ".join(extra) + "."
    return True, "Matching test orders reached the queue; the others did not."
