"""Help: the keys that work right now, read from the active bindings."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static


class HelpScreen(ModalScreen):
    BINDINGS = [Binding("escape,f1,question_mark,q", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with Vertical(id="help"):
            yield Static("[b]Keys[/b]  [dim](Esc closes; Ctrl+P opens the command palette)[/dim]")
            yield DataTable(id="help-keys", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Key", "Action", "Where")
        # The bindings of the screen underneath, not of this modal.
        screen = self.app.screen_stack[-2] if len(self.app.screen_stack) > 1 else self.app.screen
        seen: set[str] = set()
        for node in [*reversed(screen.focused.ancestors_with_self if screen.focused else []), screen, self.app]:
            for key, bindings in getattr(node, "_bindings").key_to_bindings.items():
                for binding in bindings:
                    if not isinstance(binding, Binding) or not binding.description or key in seen:
                        continue
                    seen.add(key)
                    where = "everywhere" if node is self.app else type(node).__name__
                    table.add_row(binding.key_display or self.app.get_key_display(binding), binding.description, where)
