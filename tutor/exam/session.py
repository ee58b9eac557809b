"""One sitting of a mock exam: answers, flags, the clock, submission.

The clock counts the time the exam is open. It is saved with every answer and by a heartbeat
(every few seconds in the TUI), so a crash or a closed terminal costs at most one heartbeat of
accounting, and a resumed attempt continues from the time already used. Exam mode has no pause;
practice mode pauses and shows feedback after each answer.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Any

from tutor.content import Catalog, ExamProfile, Question
from tutor.store import exams as records

from .assemble import ExamError, ExamScore, assemble, score

HEARTBEAT_S = 5.0


def find_profile(catalog: Catalog, profile_id: str, count: int = 0) -> ExamProfile:
    from .practice import PREFIX, profile_for

    if profile_id.startswith(PREFIX):
        return profile_for(catalog, profile_id, count)
    profile = catalog.exams.get(profile_id)
    if profile is None:
        known = ", ".join(sorted(catalog.exams)) or "none installed"
        raise ExamError(f"there is no exam profile {profile_id!r}. Profiles: {known}")
    return profile


@dataclass
class ExamSession:
    attempt_id: int
    profile: ExamProfile
    questions: list[Question]
    mode: str
    seed: int
    responses: dict[int, Any] = field(default_factory=dict)
    correct: dict[int, bool] = field(default_factory=dict)
    flags: set[int] = field(default_factory=set)
    used_s: float = 0.0  # time already accounted before this process took over
    _since: float | None = None  # monotonic time the clock last started
    submitted: bool = False

    # -- lifecycle -----------------------------------------------------------------------

    @classmethod
    def start(
        cls,
        catalog: Catalog,
        profile_id: str,
        *,
        mode: str = "exam",
        seed: int | None = None,
        avoid_recent: bool = True,
    ) -> ExamSession:
        """A new attempt. With an explicit ``seed`` and ``avoid_recent=False`` the exam is the same for everyone."""
        if mode not in ("exam", "practice"):
            raise ExamError(f"mode is 'exam' or 'practice', not {mode!r}")
        profile = find_profile(catalog, profile_id)
        seed = seed if seed is not None else random.SystemRandom().randrange(1, 10**9)
        avoid = records.recent_question_ids(profile.id) if avoid_recent else set()
        assembly = assemble(catalog, profile, seed, avoid)
        attempt_id = records.create_attempt(profile.id, mode, seed, profile.minutes * 60, assembly.question_ids)
        questions = [catalog.questions[q] for q in assembly.question_ids]
        session = cls(attempt_id, profile, questions, mode, seed)
        session._since = time.monotonic()
        return session

    @classmethod
    def start_practice(cls, catalog: Catalog, kind: str, arg: str = "", seed: int | None = None) -> ExamSession:
        """A practice set (by domain, chapter, wrong answers, weakest first) in practice mode."""
        from .practice import build

        seed = seed if seed is not None else random.SystemRandom().randrange(1, 10**9)
        chosen = build(catalog, kind, arg, seed)
        attempt_id = records.create_attempt(
            chosen.profile.id, "practice", seed, chosen.profile.minutes * 60, chosen.question_ids
        )
        session = cls(attempt_id, chosen.profile, [catalog.questions[q] for q in chosen.question_ids], "practice", seed)
        session._since = time.monotonic()
        return session

    @classmethod
    def resume(cls, catalog: Catalog, attempt_id: int) -> ExamSession:
        row = records.get_attempt(attempt_id)
        if row is None:
            raise ExamError(f"there is no exam attempt {attempt_id}")
        profile = find_profile(catalog, row.profile_id, len(row.answers))
        missing = [a.question_id for a in row.answers if a.question_id not in catalog.questions]
        if missing:
            raise ExamError(f"attempt {attempt_id} uses questions that are no longer installed: {', '.join(missing)}")
        session = cls(
            row.id,
            profile,
            [catalog.questions[a.question_id] for a in row.answers],
            row.mode,
            row.seed,
            used_s=row.elapsed_s,
            submitted=row.status == "submitted",
        )
        for a in row.answers:
            if a.response is not None:
                session.responses[a.position] = a.response
                session.correct[a.position] = bool(a.correct)
            if a.flagged:
                session.flags.add(a.position)
        if not session.submitted:
            session._since = time.monotonic()
        return session

    # -- the clock -------------------------------------------------------------------------

    @property
    def limit_s(self) -> float:
        return self.profile.minutes * 60.0

    def elapsed(self) -> float:
        running = time.monotonic() - self._since if self._since is not None else 0.0
        return min(self.limit_s, self.used_s + running)

    def remaining(self) -> float:
        return max(0.0, self.limit_s - self.elapsed())

    def expired(self) -> bool:
        return self.remaining() <= 0

    @property
    def paused(self) -> bool:
        return self._since is None and not self.submitted

    def pause(self) -> None:
        if self.mode != "practice":
            raise ExamError("an exam in exam mode cannot be paused; practice mode can")
        if self._since is not None:
            self.used_s = self.elapsed()
            self._since = None
            records.save_elapsed(self.attempt_id, self.used_s)

    def unpause(self) -> None:
        if self._since is None and not self.submitted:
            self._since = time.monotonic()

    def heartbeat(self) -> None:
        """Save the time used so far (call every HEARTBEAT_S seconds)."""
        if not self.submitted:
            records.save_elapsed(self.attempt_id, self.elapsed())

    # -- answering ---------------------------------------------------------------------------

    def answer(self, position: int, response: Any) -> bool:
        """Record an answer (changing a previous one is allowed until submission). Returns whether it is right."""
        if self.submitted:
            raise ExamError("this exam has been submitted")
        if self.paused:
            raise ExamError("the exam is paused")
        ok = self.questions[position].is_correct(response)
        records.save_answer(self.attempt_id, position, response, ok, self.elapsed())
        self.responses[position], self.correct[position] = response, ok
        return ok

    def toggle_flag(self, position: int) -> bool:
        flagged = position not in self.flags
        records.set_flag(self.attempt_id, position, flagged)
        (self.flags.add if flagged else self.flags.discard)(position)
        return flagged

    def unanswered(self) -> list[int]:
        return [i for i in range(len(self.questions)) if i not in self.responses]

    def flagged(self) -> list[int]:
        return sorted(self.flags)

    # -- the end -------------------------------------------------------------------------------

    def result(self, catalog: Catalog) -> ExamScore:
        return score(catalog, self.profile, {q.id: self.correct.get(i, False) for i, q in enumerate(self.questions)})

    def submit(self, catalog: Catalog) -> ExamScore:
        """Score, record, and feed wrong answers to the review scheduler as lapses."""
        if self.submitted:
            return self.result(catalog)
        outcome = self.result(catalog)
        records.finish_attempt(
            self.attempt_id,
            outcome.correct,
            outcome.scaled,
            outcome.passed,
            self.elapsed(),
            [(d.domain, d.correct, d.total) for d in outcome.domains],
        )
        self.submitted, self._since = True, None
        wrong = [q.id for i, q in enumerate(self.questions) if not self.correct.get(i, False) and i in self.responses]
        if wrong:
            _lapse(wrong)
        return outcome


def _lapse(question_ids: list[str]) -> None:
    from tutor.srs.scheduler import lapse

    lapse(question_ids, source="exam", create=True)  # unseen questions answered wrong become due cards
