"""Labs mode: every lab in the guided order, with its id, status and best score; Enter opens one."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from ..base import EmptyState, ModeScreen


def gather(catalog) -> dict[str, Any]:
    from tutor.store.labs import lab_summaries

    return {"catalog": catalog, "summaries": lab_summaries()}


class LabsTable(DataTable):
    """The labs table: Home and End move the selection to the first and the last lab (not just the view)."""

    BINDINGS = [
        Binding("home", "first_row", "First", show=False),
        Binding("end", "last_row", "Last", show=False),
    ]

    def action_first_row(self) -> None:
        self.move_cursor(row=0)

    def action_last_row(self) -> None:
        self.move_cursor(row=self.row_count - 1)


class LabsScreen(ModeScreen):
    MODE = "labs"
    load = staticmethod(gather)

    def __init__(self) -> None:
        super().__init__()
        self._pending: str | None = None
        self.data: dict[str, Any] | None = None

    def compose_body(self) -> ComposeResult:
        yield EmptyState("Loading labs…", id="labs-empty")
        yield Static(
            "[b]Labs[/b]  [dim]suggested order: easier first, prerequisites before · Enter opens one[/dim]",
            id="labs-title",
        )
        yield LabsTable(id="labs-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one("#labs-table").display = False
        self.query_one("#labs-title").display = False
        self.reload()

    def show(self, data: dict[str, Any]) -> None:
        self.data = data
        catalog, summaries = data["catalog"], data["summaries"]
        empty = self.query_one("#labs-empty", EmptyState)
        if not catalog.labs:
            empty.update(
                "No labs are installed yet.\n\nA lab is a folder in [b]labs/[/b] with a lab.yaml; "
                "see docs/AUTHORING.md."
            )
            return
        empty.display = False
        self.query_one("#labs-title").display = True
        table = self.query_one("#labs-table", DataTable)
        table.display = True
        cursor = table.cursor_row
        table.clear(columns=True)
        labs = catalog.labs_in_order()
        # the title (with the id the CLI needs under it) and the services share what the short columns leave
        lab_width, services_width = self._flexible_widths(labs)
        table.add_column("#")
        table.add_column("Lab  [dim]id[/dim]", width=lab_width)
        table.add_columns("Status", "Best", "Level", "Min")
        table.add_column("Services", width=services_width)
        suggested = False
        for number, lab in enumerate(labs, 1):
            s = summaries.get(lab.id, {})
            if s.get("passed"):
                status = "✔ passed"
            elif s.get("attempts"):
                status = "in progress"
            elif not suggested:
                status, suggested = "▶ next", True
            else:
                status = "new"
            best = f"{s['best_score']:.0f}" if s.get("attempts") else "—"
            label = Text(lab.title, overflow="fold")
            label.append("\n" + lab.id, style="dim")
            table.add_row(
                str(number),
                label,
                status,
                best,
                "●" * lab.difficulty,
                str(lab.estimated_minutes),
                Text(", ".join(lab.services), overflow="fold"),
                key=lab.id,
                height=None,
            )
        table.move_cursor(row=min(max(cursor, 0), table.row_count - 1))
        table.focus()
        if self._pending:
            lab_id, self._pending = self._pending, None
            self.open_lab(lab_id)

    def _flexible_widths(self, labs: list[Any]) -> tuple[int, int]:
        fixed = 3 + len("in progress") + len("Best") + len("Level") + len("Min")
        padding = 2 * 7 + 2  # one cell of padding on each side of seven columns, and the scrollbar
        room = max(30, self.size.width - fixed - padding)
        longest_title = max(max(len(lab.title), len(lab.id)) for lab in labs)
        longest_services = max(len(", ".join(lab.services)) for lab in labs)
        longest_service = max(len(name) for lab in labs for name in lab.services)  # never cut inside a name
        services_width = min(longest_services, max(longest_service + 1, room // 3))  # +1: the comma
        return min(longest_title, room - services_width), services_width

    def on_resize(self) -> None:
        if self.data is not None:  # the wrapped columns follow the terminal's width
            self.call_after_refresh(self.show, self.data)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.open_lab(event.row_key.value)

    def open_lab(self, lab_id: str) -> None:
        if self.data is None:
            self._pending = lab_id
            return
        lab = self.data["catalog"].labs.get(lab_id)
        if lab is None:
            self.notify(f"No lab {lab_id!r}", severity="warning")
            return
        from .lab import LabScreen

        self.app.push_screen(LabScreen(lab, self.data["catalog"]))
