"""Showing a question and reading the learner's response, for the TUI and the plain-terminal session.

Single and multi options are shuffled per presentation (deterministically per card and study day), and
the letters the learner types are mapped back to the author's letters before grading.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from typing import Any

LETTERS = "ABCDEFGHI"
DIGITS = "123456789"


@dataclass(frozen=True)
class Presented:
    question: Any  # tutor.content.Question
    order: tuple[int, ...]  # shown position -> the author's option index

    @property
    def kind(self) -> str:
        return self.question.type

    @property
    def options(self) -> list[str]:
        return [self.question.options[i] for i in self.order]

    def original_letter(self, shown: str) -> str:
        return LETTERS[self.order[LETTERS.index(shown)]]

    def shown_letter(self, original: str) -> str:
        return LETTERS[self.order.index(LETTERS.index(original))]

    def response(self, shown: str | list[str] | bool | float) -> Any:
        """The learner's pick in shown letters -> a response in the author's form, ready for is_correct."""
        if self.kind == "single" and isinstance(shown, str):
            return self.original_letter(shown)
        if self.kind == "multi" and isinstance(shown, list):
            return sorted(self.original_letter(x) for x in shown)
        if self.kind == "order" and isinstance(shown, (str, list)):
            return "".join(self.original_letter(x) for x in shown)
        return shown

    def is_correct(self, shown) -> bool:
        return self.question.is_correct(self.response(shown))

    def correct_answer(self) -> str:
        """The right answer as the learner sees it, e.g. ``B  In buckets`` or ``256 addresses``."""
        q = self.question
        if q.type == "single":
            letter = self.shown_letter(q.answer)
            return f"{letter}  {self.options[LETTERS.index(letter)]}"
        if q.type == "multi":
            letters = sorted(self.shown_letter(a) for a in q.answer)
            return ", ".join(f"{x} {self.options[LETTERS.index(x)]}" for x in letters)
        if q.type == "order":
            return " → ".join(f"{x} {q.options[LETTERS.index(x)]}" for x in q.answer)
        if q.type == "true_false":
            return "True" if q.answer else "False"
        unit = f" {q.unit}" if q.unit else ""
        tol = f" (± {q.tolerance:g})" if q.tolerance else ""
        return f"{q.answer:g}{unit}{tol}" if isinstance(q.answer, float) else f"{q.answer}{unit}{tol}"

    def describe(self, shown) -> str:
        """The learner's response as text, for feedback."""
        if self.kind in ("single",):
            return shown
        if self.kind == "multi":
            return ", ".join(sorted(shown))
        if self.kind == "order":
            return "".join(shown)
        if self.kind == "true_false":
            return "True" if shown else "False"
        return f"{shown:g}" if isinstance(shown, float) else str(shown)


def present(question, day: str = "") -> Presented:
    """Shuffle single/multi options with a seed from the question id and the study day."""
    n = len(question.options)
    order = list(range(n))
    if question.type in ("single", "multi"):
        seed = int.from_bytes(hashlib.sha256(f"{question.id}|{day}".encode()).digest()[:8], "big")
        random.Random(seed).shuffle(order)
    return Presented(question, tuple(order))


def key_to_letter(key: str, count: int) -> str | None:
    """``1``-``9`` or ``a``-``i`` -> the shown letter, when that option exists."""
    key = key.lower()
    if key in DIGITS:
        index = DIGITS.index(key)
    elif len(key) == 1 and key.upper() in LETTERS:
        index = LETTERS.index(key.upper())
    else:
        return None
    return LETTERS[index] if index < count else None


class ResponseError(ValueError):
    """The text is not a valid response; the message says what is expected."""


def parse(p: Presented, text: str):
    """Read a typed response (``b``, ``2``, ``a c``, ``13``, ``cab``, ``t``, ``256``) in shown letters."""
    text = text.strip()
    q = p.question
    if q.type == "true_false":
        t = text.lower()
        if t in ("t", "true", "1", "y", "yes"):
            return True
        if t in ("f", "false", "2", "n", "no"):
            return False
        raise ResponseError("answer t (true) or f (false)")
    if q.type == "numeric":
        cleaned = text.replace(",", "").split()
        try:
            return float(cleaned[0]) if cleaned else float("nan")
        except ValueError:
            raise ResponseError("answer with a number") from None
    count = len(q.options)
    keyed = [key_to_letter(ch, count) for ch in text.replace(",", " ").replace(" ", "")]
    picks = [p for p in keyed if p is not None]
    if not picks or len(picks) != len(keyed):
        raise ResponseError(f"answer with letters A-{LETTERS[count - 1]} or numbers 1-{count}")
    if q.type == "single":
        if len(picks) != 1:
            raise ResponseError("pick one option")
        return picks[0]
    if q.type == "multi":
        if len(set(picks)) != len(picks) or len(picks) != (q.choose or len(q.answer)):
            raise ResponseError(f"pick {q.choose} different options")
        return sorted(picks)
    if sorted(picks) != sorted(LETTERS[:count]):
        raise ResponseError(f"give every letter A-{LETTERS[count - 1]} once, in order")
    return picks
