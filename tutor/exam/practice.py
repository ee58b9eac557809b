"""Practice sets: short untimed-feeling sittings built from the learner's needs.

A set is an exam attempt in practice mode with a generated profile, so it gets the same sitting
screen, resume after a crash, results and history as a mock exam.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from tutor.content import Catalog, ExamProfile

from .assemble import ExamError

PREFIX = "practice-"
KINDS = {"domain": "By domain", "chapter": "By chapter", "wrong": "Wrong answers", "weakest": "Weakest first"}
SIZE = 15


@dataclass(frozen=True)
class PracticeSet:
    profile: ExamProfile
    question_ids: list[str]


def profile_for(catalog: Catalog, profile_id: str, count: int) -> ExamProfile:
    """The generated profile of a practice set (also rebuilt from its id when an attempt resumes)."""
    kind, _, arg = profile_id.removeprefix(PREFIX).partition("--")
    if kind not in KINDS:
        raise ExamError(f"unknown practice set {profile_id!r}")
    family = catalog.families.get("saa")
    if family is None:
        raise ExamError("practice sets need the 'saa' exam family in question_bank/domains.yaml")
    title = KINDS[kind] + (f": {_label(catalog, kind, arg)}" if arg else "")
    return ExamProfile(
        id=profile_id,
        title=f"Practice · {title}",
        family="saa",
        questions=max(1, count),
        minutes=max(5, round(count * 1.5)),
        domains=[{"id": d.id, "weight": 1} for d in family.domains],
        scoring={"min": 0, "max": 100, "passing": 70},
    )


def _label(catalog: Catalog, kind: str, arg: str) -> str:
    if kind == "chapter" and arg in catalog.lessons:
        return catalog.lessons[arg].title
    if kind == "domain":
        family = catalog.families.get("saa")
        return next((d.name for d in family.domains if d.id == arg), arg) if family else arg
    return arg


def build(catalog: Catalog, kind: str, arg: str = "", seed: int | None = None, size: int = SIZE) -> PracticeSet:
    """Choose the questions of a set. ``arg`` is a domain id (domain) or a lesson id (chapter)."""
    rng = random.Random(seed)
    questions = sorted(catalog.questions)
    if kind == "domain":
        pool = [q for q in questions if catalog.questions[q].domain.get("saa") == arg]
        rng.shuffle(pool)
    elif kind == "chapter":
        pool = [q.id for q in catalog.questions_for(arg)]
        rng.shuffle(pool)
    elif kind == "wrong":
        pool = [q for q in wrong_answers() if q in catalog.questions]
    elif kind == "weakest":
        from tutor.srs.scheduler import retrievabilities

        recall = retrievabilities()
        pool = sorted((q for q in questions if q in recall), key=lambda q: recall[q])
    else:
        raise ExamError(f"a practice set is by {', '.join(KINDS)}; not {kind!r}")
    pool = pool[:size]
    if not pool:
        empty = {
            "domain": f"no questions in domain {arg!r}",
            "chapter": f"no questions for chapter {arg!r}",
            "wrong": "no wrong answers yet: sit an exam or review some cards first",
            "weakest": "no reviewed cards yet: review some cards first",
        }
        raise ExamError(empty[kind])
    profile_id = f"{PREFIX}{kind}" + (f"--{arg}" if arg else "")
    return PracticeSet(profile_for(catalog, profile_id, len(pool)), pool)


def wrong_answers() -> list[str]:
    """Questions whose latest answer, in review or in an exam, was wrong: most recent first."""
    from tutor.store.db import session

    with session(read_only=True) as s:
        rows = (
            s.connection()
            .exec_driver_sql(
                """
            SELECT item, MAX(at) AS at, wrong FROM (
                SELECT c.item_id AS item, r.reviewed_at AS at, r.rating = 1 AS wrong
                FROM review_log r JOIN card c ON c.id = r.card_id WHERE c.kind = 'question'
                UNION ALL
                SELECT a.question_id, a.answered_at, a.correct = 0 FROM exam_answer a WHERE a.answered_at IS NOT NULL
            ) GROUP BY item ORDER BY at DESC
            """
            )
            .all()
        )
    return [item for item, _, wrong in rows if wrong]
