"""A review session over the catalog: the queue, one question at a time, answers, overrides and undo.

Shared by the TUI (which calls it from worker threads) and ``tutor review`` in a plain terminal.
Every answer is committed before ``answer`` returns, so what the UI shows as recorded is on disk.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tutor.content import Catalog


from . import scheduler
from .clock import utcnow
from .present import Presented, present
from .queue import Queue, QueueItem, Today, build_queue, load_today

LEARN_AHEAD = timedelta(minutes=20)  # learning steps due this soon are asked before the session ends


@dataclass(frozen=True)
class Outcome:
    presented: Presented
    response: object
    correct: bool
    recorded: scheduler.Recorded

    @property
    def rating(self) -> int:
        return self.recorded.rating


@dataclass
class ReviewSession:
    catalog: Catalog
    scope: str | None = None
    queue: Queue = field(default_factory=Queue)
    position: int = 0
    answered: int = 0
    right: int = 0
    history: list[tuple[int, Outcome]] = field(default_factory=list)  # (queue position, outcome), for undo
    current: Presented | None = None
    shown_at: float = 0.0
    today: Today | None = None

    def load(self, at: datetime | None = None) -> None:
        """Build the queue (retiring cards whose questions disappeared) and show its first question."""
        scheduler.retire_missing("question", self.catalog.questions.keys())
        self.queue = build_queue(self.catalog, self.scope, at)
        self.today = self.queue.today
        self.position = 0
        self._show()

    def _show(self) -> None:
        if self.position >= len(self.queue.items):
            self._refill()
        if self.position < len(self.queue.items):
            item = self.queue.items[self.position]
            day = self.today.day if self.today else ""
            self.current = present(self.catalog.questions[item.item_id], day)
            self.shown_at = time.monotonic()
        else:
            self.current = None

    def _refill(self) -> None:
        """At the end of the queue, ask again whatever fell due meanwhile (learning steps), then stop."""
        asked = {i.item_id for i in self.queue.items[max(0, self.position - 1) : self.position]}
        queue = build_queue(self.catalog, self.scope, learn_ahead=LEARN_AHEAD)
        self.today = queue.today
        fresh = list(queue.items)
        # never put the question just answered straight back on screen if anything else is waiting
        fresh.sort(key=lambda i: i.item_id in asked)
        self.queue.items[self.position :] = fresh
        self.queue.next_due = queue.next_due

    @property
    def item(self) -> QueueItem | None:
        return self.queue.items[self.position] if self.current else None

    @property
    def remaining(self) -> int:
        return max(0, len(self.queue.items) - self.position)

    def to_go(self, current_answered: bool = False) -> int:
        """Questions still to ask today: the new cards ahead in the queue plus every card due today that the
        daily maximum allows, learning cards that come back later today included (so the count does not jump
        back up as they return). A scoped practice counts its own queue."""
        if self.scope or self.today is None:
            return max(0, self.remaining - int(current_answered))
        ahead = self.queue.items[self.position + int(current_answered) :]
        return sum(1 for i in ahead if i.state == scheduler.NEW) + self.today.reviews_left

    def elapsed_ms(self) -> int:
        return int((time.monotonic() - self.shown_at) * 1000)

    def answer(self, shown_response, duration_ms: int | None = None, at: datetime | None = None) -> Outcome:
        """Grade and record the current question (committed on return)."""
        assert self.current is not None and self.item is not None
        duration_ms = self.elapsed_ms() if duration_ms is None else duration_ms
        correct = self.current.is_correct(shown_response)
        rec = scheduler.record_answer(
            self.item.kind, self.item.item_id, scheduler.rating_for(correct), duration_ms, at=at
        )
        outcome = Outcome(self.current, shown_response, correct, rec)
        self.history.append((self.position, outcome))
        self.answered += 1
        self.right += int(correct)
        return outcome

    def override(self, rating: int) -> Outcome:
        """Replace the rating of the last answer (1 Again, 2 Hard, 3 Good, 4 Easy)."""
        pos, last = self.history[-1]
        if last.rating == rating:
            return last
        rec = scheduler.rerate(last.recorded.log_id, rating)
        outcome = Outcome(last.presented, last.response, last.correct, rec)
        self.history[-1] = (pos, outcome)
        return outcome

    def next(self) -> Presented | None:
        self.position += 1
        self._show()
        return self.current

    def undo(self) -> Outcome | None:
        """Take back the last answer and show its question again. None when there is nothing to undo."""
        if not self.history:
            return None
        pos, outcome = self.history.pop()
        scheduler.undo(outcome.recorded.log_id)
        self.answered -= 1
        self.right -= int(outcome.correct)
        self.position = pos
        if pos >= len(self.queue.items) or self.queue.items[pos].item_id != outcome.recorded.item_id:
            self.queue.items.insert(
                pos,
                QueueItem(
                    outcome.recorded.kind, outcome.recorded.item_id, scheduler.NEW if outcome.recorded.created else 1
                ),
            )
        self.current = outcome.presented
        self.shown_at = time.monotonic()
        return outcome

    def refresh_today(self) -> Today:
        self.today = load_today(self.catalog)
        return self.today


def lesson_link(catalog, question) -> tuple[str, str | None, str]:
    """(lesson id, anchor, "Lesson title › Section title") of the section that teaches a question."""
    lesson_id, _, anchor = question.lesson.partition("#")
    found = catalog.resolve(question.lesson)
    if not found:
        return lesson_id, anchor or None, question.lesson
    lesson, section = found
    title = f"{lesson.title} › {section.title}" if section else lesson.title
    return lesson_id, anchor or None, title


def when(due: datetime, at: datetime | None = None) -> str:
    """A short human delay: "in 10 min", "in 3 days"."""
    seconds = (due - (at or utcnow())).total_seconds()
    if seconds <= 0:
        return "now"
    if seconds < 3600:
        return f"in {max(1, round(seconds / 60))} min"
    if seconds < 86400:
        return f"in {round(seconds / 3600)} h"
    days = round(seconds / 86400)
    return f"in {days} day{'s' if days != 1 else ''}"
