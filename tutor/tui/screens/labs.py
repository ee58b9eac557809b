"""Labs mode: every lab with its status and best score; Enter opens one."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from ..base import EmptyState, ModeScreen


def gather(catalog) -> dict[str, Any]:
    from tutor.store.labs import lab_summaries

    return {"catalog": catalog, "summaries": lab_summaries()}


class LabsScreen(ModeScreen):
    MODE = "labs"
    load = staticmethod(gather)

    def __init__(self) -> None:
        super().__init__()
        self._pending: str | None = None
        self.data: dict[str, Any] | None = None

    def compose_body(self) -> ComposeResult:
        yield EmptyState("Loading labs…", id="labs-empty")
        yield Static("[b]Labs[/b]  [dim]hands-on tasks against a local AWS sandbox · Enter opens one[/dim]",
                     id="labs-title")
        yield DataTable(id="labs-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one("#labs-table").display = False
        self.query_one("#labs-title").display = False
        self.reload()

    def show(self, data: dict[str, Any]) -> None:
        self.data = data
        catalog, summaries = data["catalog"], data["summaries"]
        empty = self.query_one("#labs-empty", EmptyState)
        if not catalog.labs:
            empty.update("No labs are installed yet.\n\nA lab is a folder in [b]labs/[/b] with a lab.yaml; "
                         "see docs/AUTHORING.md.")
            return
        empty.display = False
        self.query_one("#labs-title").display = True
        table = self.query_one("#labs-table", DataTable)
        table.display = True
        cursor = table.cursor_row
        table.clear(columns=True)
        # the learner's own columns first: services, the widest, go last where a narrow terminal cuts them
        table.add_columns("Lab", "Status", "Best", "Level", "Min", "Services")
        for lab in catalog.labs.values():
            s = summaries.get(lab.id, {})
            status = "✔ passed" if s.get("passed") else ("in progress" if s.get("attempts") else "new")
            best = f"{s['best_score']:.0f}" if s.get("attempts") else "—"
            table.add_row(lab.title, status, best, "●" * lab.difficulty, str(lab.estimated_minutes),
                          ", ".join(lab.services), key=lab.id)
        table.move_cursor(row=min(cursor, table.row_count - 1))
        table.focus()
        if self._pending:
            lab_id, self._pending = self._pending, None
            self.open_lab(lab_id)

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
