"""How ready is the learner for the real exam? A range per domain from the mocks they sat, not one number.

The method, kept simple enough to explain on the results screen:

1. Take the learner's last ``WINDOW`` submitted attempts at the profile in exam mode (practice mode gives
   feedback after each answer, so it measures something else). Older attempts describe a learner who has
   since studied more.
2. Per domain, pool the answers of those attempts: k correct out of n. The share correct on the real exam is
   unknown; k/n is one noisy sample of it. Its plausible range is the Wilson score interval at 90% confidence,
   which stays inside 0-100% and is honest about small samples (3 of 4 right gives roughly 36-94%, not 75%).
3. The whole exam is the weighted sum of the domains (the profile's weights): its share correct is
   sum(w * k/n), and its range is the Wilson interval for that share at the effective sample size of a
   weighted mean, 1 / sum(w^2 / n). A domain never answered could score anything, so its weight widens the
   range from 0 to 100%. The range is mapped onto the scaled score the same linear way a sitting is scored.
4. The verdict compares the range with the pass mark: the whole range above it is "likely to pass", the
   whole range below "not yet", and a range that straddles it "too close to call".

This measures how the learner does on this bank's mocks. The real exam's questions differ, so the range is a
guide to where to study, not a promise.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from tutor.content import Catalog, ExamProfile

from .assemble import scaled_score

WINDOW = 3  # most recent exam-mode attempts that count
Z = 1.645  # two-sided 90%


def wilson(correct: int, total: int, z: float = Z) -> tuple[float, float]:
    """The Wilson score interval for a share correct, as fractions (0, 1) when nothing was answered."""
    return wilson_fraction(correct / total, total, z) if total else (0.0, 1.0)


@dataclass(frozen=True)
class DomainRange:
    domain: str
    name: str
    correct: int
    total: int
    low: float  # fractions of the domain's questions answered correctly
    high: float


@dataclass(frozen=True)
class Readiness:
    attempts: int  # how many attempts the figures come from
    domains: list[DomainRange]
    scaled_low: int
    scaled_high: int
    passing: int

    @property
    def verdict(self) -> str:
        if not self.attempts:
            return "no exam-mode mock yet"
        if self.scaled_low >= self.passing:
            return "likely to pass"
        if self.scaled_high < self.passing:
            return "not yet"
        return "too close to call"

    def as_dict(self) -> dict:
        """Plain data (JSON for `tutor exam results --json`); percentages are ranges [low, high]."""
        return {
            "attempts": self.attempts,
            "verdict": self.verdict,
            "scaled": [self.scaled_low, self.scaled_high],
            "passing": self.passing,
            "domains": [
                {
                    "id": d.domain,
                    "name": d.name,
                    "correct": d.correct,
                    "total": d.total,
                    "percent": [round(100 * d.low, 1), round(100 * d.high, 1)],
                }
                for d in self.domains
            ],
        }


def readiness(catalog: Catalog, profile: ExamProfile, attempts: Iterable) -> Readiness:
    """The prediction from ``attempts`` (store AttemptRows with answers), newest last; see the module doc."""
    chosen = [a for a in attempts if a.mode == "exam" and a.profile_id == profile.id][-WINDOW:]
    family = catalog.families.get(profile.family)
    names = {d.id: d.name for d in family.domains} if family else {}
    tally = {d.id: [0, 0] for d in profile.domains}
    for attempt in chosen:
        for answer in attempt.answers:
            q = catalog.questions.get(answer.question_id)
            dom = q.domain.get(profile.family) if q else None
            if dom in tally:
                tally[dom][0] += int(bool(answer.correct))
                tally[dom][1] += 1
    domains = [DomainRange(d, names.get(d, d), k, n, *wilson(k, n)) for d, (k, n) in tally.items()]
    low, high = overall_range(domains, {d.id: d.weight for d in profile.domains})
    scale = 10_000  # scaled_score takes a count; a fine fraction keeps the rounding to the scale's own step
    return Readiness(
        len(chosen),
        domains,
        scaled_score(profile, round(low * scale), scale),
        scaled_score(profile, round(high * scale), scale),
        profile.scoring.passing,
    )


def overall_range(domains: list[DomainRange], weights: dict[str, float]) -> tuple[float, float]:
    """The whole exam's share correct: the weighted mean of the domains' shares, with a Wilson interval on the
    effective sample size of a weighted mean, 1 / sum(w^2 / n). A domain with no answers could be anything from
    0 to 100%, so its weight widens the range by that much."""
    total_weight = sum(weights.values())
    known = [d for d in domains if d.total]
    unknown_weight = sum(weights[d.domain] for d in domains if not d.total) / total_weight
    if not known:
        return 0.0, 1.0
    known_weight = sum(weights[d.domain] for d in known)
    share = {d.domain: weights[d.domain] / known_weight for d in known}
    mean = sum(share[d.domain] * d.correct / d.total for d in known)
    n_eff = 1 / sum(share[d.domain] ** 2 / d.total for d in known)
    low, high = wilson_fraction(mean, n_eff)
    k = 1 - unknown_weight
    return k * low, k * high + unknown_weight


def wilson_fraction(p: float, n: float, z: float = Z) -> tuple[float, float]:
    """``wilson`` for a share ``p`` of a (possibly fractional, effective) sample size ``n``."""
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def for_profile(catalog: Catalog, profile: ExamProfile) -> Readiness:
    """The prediction from the learner's stored history of this profile."""
    from tutor.store.exams import get_attempt, history

    recent = [r for r in history(profile.id) if r.mode == "exam"][-WINDOW:]
    full = [get_attempt(r.id) for r in recent]
    return readiness(catalog, profile, [a for a in full if a is not None])


def summary_lines(r: dict, profile_id: str, name_width: int = 42) -> list[str]:
    """The prediction (``Readiness.as_dict()``) as plain lines, for the results screen and `tutor exam results`."""
    if not r["attempts"]:
        return [f"Readiness: sit {profile_id} in exam mode to get a predicted score range."]
    plural = "s" if r["attempts"] != 1 else ""
    lines = [f"Readiness, from your last {r['attempts']} exam-mode mock{plural} of {profile_id} (90% ranges):"]
    for d in r["domains"]:
        low, high = d["percent"]
        figures = f"{low:3.0f}% to {high:3.0f}%" if d["total"] else "no answers yet"
        lines.append(f"  {d['name'][:name_width]:<{name_width}} {figures:>13}  ({d['correct']}/{d['total']})")
    low, high = r["scaled"]
    lines.append(f"  Predicted scaled score {low} to {high} (pass {r['passing']}): {r['verdict']}")
    return lines
