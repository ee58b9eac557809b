"""Exam."""

from __future__ import annotations

from textual.app import ComposeResult

from ..base import EmptyState, ModeScreen


class ExamScreen(ModeScreen):
    MODE = "exam"

    def compose_body(self) -> ComposeResult:
        yield EmptyState("No exam profiles are installed yet.nnProfiles live in [b]question_bank/exams/[/b]; see docs/AUTHORING.md.", id="exam-empty")
