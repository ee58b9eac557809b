"""Labs."""

from __future__ import annotations

from textual.app import ComposeResult

from ..base import EmptyState, ModeScreen


class LabsScreen(ModeScreen):
    MODE = "labs"

    def compose_body(self) -> ComposeResult:
        yield EmptyState("No labs are installed yet.nnA lab is a folder in [b]labs/[/b] with a lab.yaml; see docs/AUTHORING.md.", id="labs-empty")

    def open_lab(self, lab_id: str) -> None:
        self.notify(f"Labs are not available yet ({lab_id}).")
