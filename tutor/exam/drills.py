"""Interview drills: which key points a typed answer covers, and what that earns.

A key point counts as covered when any of its phrases appears in the answer as whole words,
ignoring case, punctuation, hyphens and a plural "s". The learner then confirms or corrects the
coverage; the confirmed share becomes an FSRS rating for the drill's card.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from tutor.content import Drill

AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4
_WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> list[str]:
    return [_singular(w) for w in _WORD.findall(text.lower())]


def _singular(word: str) -> str:
    # "queues" ~ "queue", "policies" ~ "policy"; short words and "ss" endings stay as they are
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _contains(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return n > 0 and any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def detect(drill: Drill, answer: str) -> list[str]:
    """Ids of the key points the answer covers, in the drill's order."""
    words = _words(answer)
    return [kp.id for kp in drill.key_points if any(_contains(words, _words(p)) for p in kp.phrases)]


def rating_for(covered: int, total: int) -> int:
    """All points: Easy; three quarters or more: Good; half or more: Hard; less: Again."""
    share = covered / total if total else 0.0
    if share >= 1:
        return EASY
    if share >= 0.75:
        return GOOD
    if share >= 0.5:
        return HARD
    return AGAIN


@dataclass(frozen=True)
class DrillResult:
    drill_id: str
    detected: list[str]
    confirmed: list[str]
    rating: int
    duration_s: float


def finish(drill: Drill, answer: str, confirmed: list[str], started_at: datetime, duration_s: float) -> DrillResult:
    """Record the attempt and schedule the drill's review card from the confirmed coverage."""
    from tutor.srs.scheduler import record_answer
    from tutor.store import outbox
    from tutor.store.db import session
    from tutor.store.models import DrillAttempt

    known = {kp.id for kp in drill.key_points}
    confirmed = [kp for kp in confirmed if kp in known]
    detected = detect(drill, answer)
    rating = rating_for(len(confirmed), len(drill.key_points))
    with session() as s:
        s.add(
            DrillAttempt(
                drill_id=drill.id,
                started_at=started_at.astimezone(UTC),
                duration_s=duration_s,
                answer=answer,
                detected=json.dumps(detected),
                confirmed=json.dumps(confirmed),
                rating=rating,
            )
        )
        outbox.record(
            s.connection(),
            "drill_done",
            drill=drill.id,
            covered=len(confirmed),
            total=len(drill.key_points),
            rating=rating,
            duration_s=round(duration_s, 3),
        )
    record_answer("drill", drill.id, rating, int(duration_s * 1000), source="drill")
    return DrillResult(drill.id, detected, confirmed, rating, duration_s)
