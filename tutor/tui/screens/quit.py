"""Quitting with a lab running: keep its sandbox in the background, stop it (saved), or stay."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

KEEP, STOP = "keep", "stop"


class QuitDialog(ModalScreen[str | None]):
    BINDINGS = [
        Binding("k", "choose('keep')", "Keep running"),
        Binding("s", "choose('stop')", "Stop and save"),
        Binding("escape,c", "choose(None)", "Cancel"),
    ]

    def __init__(self, labs: list[str], idle_minutes: float) -> None:
        super().__init__()
        self.labs = labs
        self.idle_minutes = idle_minutes

    def compose(self) -> ComposeResult:
        names = ", ".join(f"[b]{lab}[/b]" for lab in self.labs)
        which = "A lab is" if len(self.labs) == 1 else f"{len(self.labs)} labs are"
        with Vertical(id="confirm"):
            yield Static(f"{which} still running: {names}.")
            yield Static(
                f"\n[b]k[/b]  keep it running in the background (it saves and stops itself after "
                f"{self.idle_minutes:g} idle minutes; `tutor lab stop` stops it)\n"
                "[b]s[/b]  stop it now: your work is saved, and opening the lab again resumes it\n"
                "[b]esc[/b]  cancel, and stay in aws-tutor"
            )

    def action_choose(self, choice: str | None) -> None:
        self.dismiss(choice)
