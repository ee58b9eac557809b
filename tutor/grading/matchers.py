"""Matchers for a declarative check's ``expect`` block.

``match(expect, value)`` compares the JMESPath result ``value`` with one :class:`~tutor.content.schema.Expect`
and returns a :class:`Verdict` whose ``detail`` describes what was found, in words a learner understands
("found 'Suspended'"), so a failure message can show it.

Tolerant comparison (``equals``, ``one_of``, ``contains`` on lists)
--------------------------------------------------------------------
AWS APIs and the YAML a lab is written in do not always agree on types: a policy may hold ``"false"`` where
a lab says ``false``, SQS returns every attribute as a string (``"60"``), and YAML reads ``60`` as a number.
:func:`loosely_equal` therefore tolerates exactly these differences and nothing else:

* a number equals a string holding the same number: ``60 == "60"``, ``60 == "60.0"``, ``1.5 == "1.5"``;
* a boolean equals the string ``"true"``/``"false"`` in any letter case: ``False == "false"``, ``True == "TRUE"``;
* lists are equal when they have the same length and their items are loosely equal in order;
* dicts are equal when they have the same keys and loosely equal values.

Not tolerated: booleans never equal numbers (``True != 1``, ``False != "0"``); strings compare with their case
(``"Enabled" != "enabled"``); ``None`` only equals ``None``; surrounding spaces count.

Other matchers
--------------
* ``contains``: a list contains an item loosely equal to the expected value (when both are dicts, the item
  only needs the expected keys: ``{contains: {Key: env}}`` finds ``{"Key": "env", "Value": "prod"}``);
  a string contains the expected text; a dict contains the expected key.
* ``matches``: ``re.search`` of the regex in ``str(value)``; nothing found fails.
* ``length``: ``len`` of a list, string or dict.
* ``exists``: ``true`` passes when something was found: not ``None`` and not an empty list (a JMESPath filter
  that selects nothing gives ``[]``); ``false`` passes for ``None`` or ``[]``.
* ``gte`` / ``lte``: numbers and numeric strings; booleans are not numbers.
* ``each``: a non-empty list whose every item matches; ``some``: a list with at least one matching item.
* ``all`` / ``any`` / ``not``: combine matchers.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from tutor.content.schema import Expect

__all__ = ["Verdict", "describe", "loosely_equal", "match"]


@dataclass(frozen=True)
class Verdict:
    passed: bool
    detail: str

    def __bool__(self) -> bool:
        return self.passed


# ---------------------------------------------------------------- describing values for a learner

_MAX_TEXT = 80


def _short(text: str, limit: int = _MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _literal(value: Any) -> str:
    """A value as a learner would type it: 'text', 60, true, ["a", "b"]."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(_short(value))
    if isinstance(value, (int, float)):
        return repr(value)
    try:
        return _short(json.dumps(value, default=str, sort_keys=False))
    except (TypeError, ValueError):
        return _short(repr(value))


def describe(value: Any) -> str:
    """What was found, as a phrase: "found 'Suspended'", "found nothing", "found an empty list"."""
    if value is None:
        return "found nothing (the setting is missing)"
    if isinstance(value, list):
        if not value:
            return "found an empty list"
        noun = "item" if len(value) == 1 else "items"
        return f"found {len(value)} {noun}: {_literal(value)}"
    if isinstance(value, dict) and not value:
        return "found an empty object"
    return f"found {_literal(value)}"


# ---------------------------------------------------------------- tolerant comparison


_NUMERIC = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def _as_number(value: Any) -> float | None:
    """A number from an int, float or numeric string; never from a bool."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and _NUMERIC.fullmatch(value):
        return float(value)
    return None


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def loosely_equal(expected: Any, actual: Any) -> bool:
    """Equality with the documented tolerances (numbers vs numeric strings, booleans vs "true"/"false")."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        left, right = _as_bool(expected), _as_bool(actual)
        return left is not None and left == right
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(expected, (int, float)) or isinstance(actual, (int, float)):
        left_n, right_n = _as_number(expected), _as_number(actual)
        return left_n is not None and left_n == right_n
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(loosely_equal(e, a) for e, a in zip(expected, actual))
    if isinstance(expected, dict) and isinstance(actual, dict):
        return expected.keys() == actual.keys() and all(loosely_equal(v, actual[k]) for k, v in expected.items())
    return type(expected) is type(actual) and expected == actual


def _item_contains(item: Any, expected: Any) -> bool:
    if isinstance(expected, dict) and isinstance(item, dict):
        return all(k in item and loosely_equal(v, item[k]) for k, v in expected.items())
    return loosely_equal(expected, item)


# ---------------------------------------------------------------- the matchers

_FIELD_OF_KIND = {"all": "all_", "any": "any_", "not": "not_"}


def _kind(expect: Expect) -> str:
    field = next(iter(expect.model_fields_set))
    return {v: k for k, v in _FIELD_OF_KIND.items()}.get(field, field)


@lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _number_or_fail(value: Any) -> tuple[float | None, str]:
    number = _as_number(value)
    if number is None:
        return None, f"{describe(value)}, which is not a number"
    return number, describe(value)


def match(expect: Expect, value: Any) -> Verdict:
    """Compare ``value`` (a JMESPath result) with ``expect``; see the module docstring for the rules."""
    kind = _kind(expect)
    found = describe(value)

    if kind == "equals":
        ok = loosely_equal(expect.equals, value)
        return Verdict(ok, found if ok else f"expected {_literal(expect.equals)}, {found}")

    if kind == "contains":
        target = expect.contains
        if isinstance(value, list):
            ok = any(_item_contains(item, target) for item in value)
        elif isinstance(value, str):
            ok = str(target) in value if not isinstance(target, bool) else str(target).lower() in value
        elif isinstance(value, dict):
            ok = isinstance(target, str) and target in value
        else:
            ok = False
        return Verdict(ok, found if ok else f"expected something containing {_literal(target)}, {found}")

    if kind == "matches":
        assert expect.matches is not None
        ok = value is not None and _regex(expect.matches).search(str(value)) is not None
        return Verdict(ok, found if ok else f"expected text matching /{expect.matches}/, {found}")

    if kind == "length":
        if not isinstance(value, (list, str, dict)):
            return Verdict(False, f"expected {expect.length} items, {found}")
        ok = len(value) == expect.length
        return Verdict(ok, found if ok else f"expected {expect.length} items, found {len(value)}: {_literal(value)}")

    if kind == "exists":
        present = value is not None and value != []
        ok = present == bool(expect.exists)
        if ok:
            return Verdict(True, found)
        return Verdict(False, found if expect.exists else f"expected nothing, {found}")

    if kind == "one_of":
        options = expect.one_of or []
        ok = any(loosely_equal(option, value) for option in options)
        listed = ", ".join(_literal(o) for o in options)
        return Verdict(ok, found if ok else f"expected one of {listed}; {found}")

    if kind in ("gte", "lte"):
        bound = expect.gte if kind == "gte" else expect.lte
        number, text = _number_or_fail(value)
        if number is None:
            return Verdict(False, text)
        assert bound is not None
        ok = number >= bound if kind == "gte" else number <= bound
        words = "at least" if kind == "gte" else "at most"
        bound_text = _literal(int(bound) if float(bound).is_integer() else bound)
        return Verdict(ok, text if ok else f"expected {words} {bound_text}, {text}")

    if kind in ("each", "some"):
        inner = expect.each if kind == "each" else expect.some
        assert inner is not None
        if not isinstance(value, list):
            return Verdict(False, f"expected a list, {found}")
        if not value:
            return Verdict(False, f"expected at least one item, {found}")
        verdicts = [match(inner, item) for item in value]
        if kind == "each":
            for index, verdict in enumerate(verdicts, 1):
                if not verdict.passed:
                    return Verdict(False, f"item {index} of {len(value)}: {verdict.detail}")
            return Verdict(True, f"all {len(value)} items match")
        hits = [i for i, v in enumerate(verdicts, 1) if v.passed]
        if hits:
            return Verdict(True, f"item {hits[0]} of {len(value)} matches")
        return Verdict(False, f"none of the {len(value)} items matches (item 1: {verdicts[0].detail})")

    if kind == "all":
        for sub in expect.all_ or []:
            verdict = match(sub, value)
            if not verdict.passed:
                return verdict
        return Verdict(True, found)

    if kind == "any":
        verdicts = [match(sub, value) for sub in expect.any_ or []]
        if any(v.passed for v in verdicts):
            return Verdict(True, found)
        reasons = "; or ".join(dict.fromkeys(v.detail for v in verdicts))
        return Verdict(False, reasons or found)

    if kind == "not":
        assert expect.not_ is not None
        verdict = match(expect.not_, value)
        if verdict.passed:
            return Verdict(False, f"expected the opposite, {found}")
        return Verdict(True, found)

    raise ValueError(f"unknown matcher {kind!r}")  # pragma: no cover - the schema admits only the kinds above
