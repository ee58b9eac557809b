"""Review."""

from __future__ import annotations

from textual.app import ComposeResult

from ..base import EmptyState, ModeScreen


class ReviewScreen(ModeScreen):
    MODE = "review"

    def compose_body(self) -> ComposeResult:
        yield EmptyState("Nothing to review yet.nnQuestions come with the lessons; read a chapter ([b]l[/b]), then come back here to learn its cards.", id="review-empty")

    def start(self, scope: str | None = None) -> None:
        pass
