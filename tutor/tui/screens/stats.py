"""Stats: due forecast, review heatmap, true retention by month, mastery per chapter and per exam domain."""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static

from ..base import EmptyState, ModeScreen

EMPTY = (
    "[b]No statistics yet.[/b]\n\nAnswer some questions in Review ([b]r[/b]) and your forecast, "
    "retention and mastery appear here. [dim]`tutor stats` prints them in a plain terminal too.[/dim]"
)
HEAT = {
    " ": " ",
    "·": "[#3a3a3a]·[/]",
    "░": "[#0e4429]█[/]",
    "▒": "[#006d32]█[/]",
    "▓": "[#26a641]█[/]",
    "█": "[#39d353]█[/]",
}


def gather(catalog):
    from tutor.srs.stats import gather as gather_stats
    from tutor.store import StoreError

    try:
        return gather_stats(catalog)
    except StoreError as exc:
        return exc


class StatsScreen(ModeScreen):
    MODE = "stats"
    load = staticmethod(gather)

    def compose_body(self) -> ComposeResult:
        from textual_plotext import PlotextPlot

        yield EmptyState("Loading statistics…", id="stats-empty")
        with VerticalScroll(id="stats-main"):
            yield Static("", id="st-summary")
            with Horizontal(id="st-charts"):
                yield PlotextPlot(id="st-forecast")
                yield PlotextPlot(id="st-retention")
            yield Static("", id="st-heatmap")
            with Horizontal(id="st-mastery"):
                yield Static("", id="st-chapters")
                yield Static("", id="st-domains")

    def on_mount(self) -> None:
        self.query_one("#stats-main").display = False
        self.reload()

    def show(self, stats) -> None:
        empty = self.query_one("#stats-empty", EmptyState)
        main = self.query_one("#stats-main")
        if isinstance(stats, Exception):
            empty.update(f"[b red]Progress is unavailable[/]: {stats}")
            empty.display, main.display = True, False
            return
        if stats.empty:
            empty.update(EMPTY)
            empty.display, main.display = True, False
            return
        empty.display, main.display = False, True
        from tutor.content.text import fit
        from tutor.srs.render import bar, draw_forecast, heatmap_rows, pct

        c = stats.counts
        self.query_one("#st-summary", Static).update(
            f"[b]Cards[/b]  {c['new']} new · {c['learning']} learning · {c['young']} young · {c['mature']} mature"
            + (f" · {c['retired']} retired" if c["retired"] else "")
            + f"     [b]Answers[/b]  {c['reviews_today']} today · {c['reviews_total']} in all"
            f"     [b]Due today[/b]  {c['due_today']}\n"
            "[dim]Mastery is the mean probability of recalling the cards you have seen; "
            "true retention counts the first answer of a card each day (mature: interval ≥ 21 days).[/dim]"
        )

        draw_forecast(self.query_one("#st-forecast").plt, stats.forecast, "Due forecast, next 30 days (0 = today)")
        self.query_one("#st-forecast").refresh()

        retention = self.query_one("#st-retention").plt
        retention.clear_figure()
        months = stats.retention[-12:]
        retention.title("True retention by month (%)")
        if months:
            labels = [m.month[2:] for m in months]
            xs = list(range(len(months)))
            young = [(i, 100 * m.young) for i, m in zip(xs, months) if m.young is not None]
            mature = [(i, 100 * m.mature) for i, m in zip(xs, months) if m.mature is not None]
            if young:
                retention.plot(*zip(*young), label="young", marker="braille")
            if mature:
                retention.plot(*zip(*mature), label="mature ≥21d", marker="braille")
            retention.xticks(xs, labels)
            retention.ylim(0, 100)
        else:
            retention.text("needs cards answered on two different days", x=0, y=0, alignment="center")
            retention.xlim(-1, 1)
            retention.ylim(-1, 1)
            retention.xticks([])
            retention.yticks([])
        self.query_one("#st-retention").refresh()

        rows = heatmap_rows(stats.heatmap)
        heat = [rows[0]] + ["".join(HEAT.get(ch, ch) for ch in row) for row in rows[1:]]
        self.query_one("#st-heatmap", Static).update("[b]Answers per day, last 365 days[/b]\n" + "\n".join(heat))

        def table(title: str, items, room: int) -> str:
            # the names take what the column leaves after bar, percentage and counts (28 cells)
            width = max(12, min(max((len(m.title) for m in items), default=0), room - 28))
            lines = [f"[b]{title}[/b]"]
            for m in items:
                colour = (
                    "dim"
                    if m.mastery is None
                    else ("green" if m.mastery >= 0.85 else "yellow" if m.mastery >= 0.7 else "red")
                )
                lines.append(
                    f"{escape(fit(m.title, width)):<{width}} [{colour}]{bar(m.mastery, 12)}[/] "
                    f"{pct(m.mastery)} [dim]{m.seen}/{m.total}[/dim]"
                )
            return "\n".join(lines)

        chapters, domains = self.query_one("#st-chapters", Static), self.query_one("#st-domains", Static)
        chapters.update(table("Mastery by chapter", stats.chapters, chapters.size.width or 56))
        domains.update(
            "\n\n".join(
                table(f"Mastery by {fam.upper()} domain", items, domains.size.width or 56)
                for fam, items in stats.domains.items()
                if any(m.total for m in items)
            )
        )
