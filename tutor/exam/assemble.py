"""Mock exams: which questions, in which order, and how the answers score.

Like the real exam, a mock holds only single- and multi-answer questions of the profile's syllabus: a
question enters only if it names a task statement of the profile's family (true/false, numeric and
order questions, and tool detail that is no exam's material, stay in review and practice). Selection
follows the profile's domain weights (largest-remainder rounding), spreads each domain's share over
its task statements in turn, never repeats a question, and is a pure function of (profile, seed,
questions to avoid): the same seed with nothing to avoid gives the same exam on every machine, so an
instructor can hand one out.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from dataclasses import dataclass, field

from tutor.content import Catalog, ExamProfile, Question
from tutor.content.exam_fit import CHOICE_TYPES


class ExamError(Exception):
    """A profile that cannot be assembled, an unknown profile: the message says what to do."""


def domain_quotas(profile: ExamProfile, total: int | None = None) -> dict[str, int]:
    """How many questions each domain gets: weights scaled to ``total``, largest remainders round up."""
    total = profile.questions if total is None else total
    weight_sum = sum(d.weight for d in profile.domains)
    exact = {d.id: total * d.weight / weight_sum for d in profile.domains}
    quotas = {k: math.floor(v) for k, v in exact.items()}
    order = sorted(exact, key=lambda k: (-(exact[k] - quotas[k]), [d.id for d in profile.domains].index(k)))
    for k in order[: total - sum(quotas.values())]:
        quotas[k] += 1
    return quotas


def in_syllabus(q: Question, family: str) -> bool:
    """Whether a question can appear in a mock of ``family``: a choice question naming one of its tasks."""
    return q.type in CHOICE_TYPES and bool(q.tasks_of(family))


def eligible(catalog: Catalog, profile: ExamProfile) -> dict[str, list[Question]]:
    """The profile's in-syllabus questions by domain, in id order (a stable base for seeded shuffles)."""
    by_domain: dict[str, list[Question]] = {d.id: [] for d in profile.domains}
    for q in sorted(catalog.questions.values(), key=lambda q: q.id):
        dom = q.domain.get(profile.family)
        if dom in by_domain and in_syllabus(q, profile.family):
            by_domain[dom].append(q)
    return by_domain


def spread_over_tasks(pool: list[Question], family: str, rng: random.Random) -> list[str]:
    """The pool's ids in the order a domain's quota takes them: one task statement after another, in a seeded
    order, so a short quota still touches as many task statements as it can (a question counts for the first
    task it names)."""
    by_task: dict[str, list[str]] = {}
    for q in pool:
        by_task.setdefault(q.tasks_of(family)[0], []).append(q.id)
    tasks = sorted(by_task)
    rng.shuffle(tasks)
    for task in tasks:
        rng.shuffle(by_task[task])
    ordered: list[str] = []
    while any(by_task.values()):
        for task in tasks:
            if by_task[task]:
                ordered.append(by_task[task].pop())
    return ordered


@dataclass(frozen=True)
class Assembly:
    question_ids: list[str]
    quotas: dict[str, int]
    shortfall: dict[str, int] = field(default_factory=dict)  # domain -> questions it could not supply


def assemble(catalog: Catalog, profile: ExamProfile, seed: int, avoid: Iterable[str] = ()) -> Assembly:
    """Pick the exam's questions. Questions in ``avoid`` (seen in recent exams) are used only when a domain
    runs out of others. A domain that runs out altogether is filled from the other domains."""
    rng = random.Random(f"{profile.id}:{seed}")
    avoid = set(avoid)
    pools = eligible(catalog, profile)
    quotas = domain_quotas(profile)
    chosen: list[tuple[str, str]] = []  # (domain, question id)
    shortfall: dict[str, int] = {}
    leftovers: list[tuple[str, str]] = []
    for dom, quota in quotas.items():
        # fresh questions first, each group spread over the task statements
        fresh = spread_over_tasks([q for q in pools[dom] if q.id not in avoid], profile.family, rng)
        stale = spread_over_tasks([q for q in pools[dom] if q.id in avoid], profile.family, rng)
        ordered = fresh + stale
        take, rest = ordered[:quota], ordered[quota:]
        chosen += [(dom, qid) for qid in take]
        leftovers += [(dom, qid) for qid in rest]
        if len(take) < quota:
            shortfall[dom] = quota - len(take)
    missing = profile.questions - len(chosen)
    if missing:
        leftovers.sort(key=lambda dq: dq[1] in avoid)  # fresh ones first, seeded order kept within each
        chosen += leftovers[:missing]
    if len(chosen) < profile.questions:
        raise ExamError(
            f"profile {profile.id} needs {profile.questions} questions but the bank has only {len(chosen)} "
            f"single or multi choice questions naming a task statement of family {profile.family!r}"
        )
    ids = [qid for _, qid in chosen]
    rng.shuffle(ids)  # domains interleaved, as in the real exam
    return Assembly(ids, quotas, shortfall)


# -- scoring -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DomainResult:
    domain: str
    name: str
    correct: int
    total: int

    @property
    def percent(self) -> float:
        return 100 * self.correct / self.total if self.total else 0.0


@dataclass(frozen=True)
class ExamScore:
    correct: int
    total: int
    scaled: int
    passed: bool
    domains: list[DomainResult]


def scaled_score(profile: ExamProfile, correct: int, total: int) -> int:
    """Linear scaling of the fraction correct onto the profile's range.

    AWS does not publish its scaling; a linear map is simple to reason about: on 100-1000 with a
    pass at 720, a learner needs 69% correct.
    """
    s = profile.scoring
    fraction = correct / total if total else 0.0
    return round(s.min + (s.max - s.min) * fraction)


def score(catalog: Catalog, profile: ExamProfile, answers: dict[str, bool]) -> ExamScore:
    """``answers``: question id -> answered correctly (unanswered counts as wrong)."""
    family = catalog.families.get(profile.family)
    names = {d.id: d.name for d in family.domains} if family else {}
    per: dict[str, list[int]] = {d.id: [0, 0] for d in profile.domains}
    for qid, ok in answers.items():
        q = catalog.questions.get(qid)
        dom = q.domain.get(profile.family) if q else None
        if dom in per:
            per[dom][0] += int(ok)
            per[dom][1] += 1
    correct = sum(int(ok) for ok in answers.values())
    total = len(answers)
    scaled = scaled_score(profile, correct, total)
    return ExamScore(
        correct=correct,
        total=total,
        scaled=scaled,
        passed=scaled >= profile.scoring.passing,
        domains=[DomainResult(d, names.get(d, d), c, t) for d, (c, t) in per.items()],
    )
