"""Help: the keys that work right now, read from the active bindings."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static


def _place(node) -> str:
    from tutor.tui.base import MODE_TITLES

    name = type(node).__name__
    return MODE_TITLES.get(getattr(node, "MODE", ""), name.removesuffix("Screen")) if name.endswith("Screen") else name


class HelpScreen(ModalScreen):
    BINDINGS = [Binding("escape,f1,question_mark,q", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with Vertical(id="help"):
            yield Static("[b]Keys[/b]  [dim](Esc closes; Ctrl+P opens the command palette)[/dim]")
            yield DataTable(id="help-keys", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Key", "Action", "Where")
        for keys, description, where in self.rows():
            table.add_row(" ".join(keys), description, where)

    def rows(self) -> list[tuple[list[str], str, str]]:
        """Our own keys for the screen underneath, nearest first, one row per action (F1 and ?, q and ^q share one)."""
        screen = self.app.screen_stack[-2] if len(self.app.screen_stack) > 1 else self.app.screen
        chain = [*(screen.focused.ancestors_with_self if screen.focused else []), screen, self.app]
        # Textual's own widgets and screens bring scrolling, focus and copy keys every terminal app has
        ours = [n for n in dict.fromkeys(chain) if n is self.app or not type(n).__module__.startswith("textual.")]
        generic = {b.action for b in Screen.BINDINGS}
        taken: set[str] = set()
        rows: dict[tuple[str, str], tuple[list[str], str, str]] = {}
        for node in ours:
            where = "everywhere" if node is self.app else _place(node)
            for key, bindings in node._bindings.key_to_bindings.items():
                for binding in bindings:
                    if (
                        not isinstance(binding, Binding)
                        or not binding.description
                        or binding.system
                        or binding.action in generic
                        or key in taken
                    ):
                        continue
                    taken.add(key)  # a nearer binding of the same key hides this one
                    shown = binding.key_display or self.app.get_key_display(binding)
                    description = binding.description[0].upper() + binding.description[1:]
                    keys, _, _ = rows.setdefault((description, where), ([], description, where))
                    if shown not in keys:
                        keys.append(shown)
        return list(rows.values())
