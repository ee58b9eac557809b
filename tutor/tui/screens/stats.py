"""Stats."""

from __future__ import annotations

from textual.app import ComposeResult

from ..base import EmptyState, ModeScreen


class StatsScreen(ModeScreen):
    MODE = "stats"

    def compose_body(self) -> ComposeResult:
        yield EmptyState("No statistics yet.nnAnswer some questions in Review ([b]r[/b]) and your forecast, retention and mastery appear here.", id="stats-empty")
