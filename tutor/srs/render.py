"""Plain-text renderings of statistics for `tutor stats` (plotext charts, a heatmap, tables). No Textual."""

from __future__ import annotations

from datetime import date

from tutor.content.text import fit

SHADES = " ░▒▓█"


def heatmap_rows(heatmap: list[tuple[str, int]]) -> list[str]:
    """Seven rows (Mon..Sun), one column per week, darker = more answers; a month row on top."""
    if not heatmap:
        return []
    first = date.fromisoformat(heatmap[0][0])
    top = max(n for _, n in heatmap) or 1
    weeks = (first.weekday() + len(heatmap) + 6) // 7
    grid = [[" "] * weeks for _ in range(7)]
    months = [" "] * (weeks + 3)
    for i, (day, n) in enumerate(heatmap):
        d = date.fromisoformat(day)
        col = (first.weekday() + i) // 7
        level = 0 if n == 0 else 1 + min(3, int(3 * n / top))
        grid[d.weekday()][col] = "·" if n == 0 else SHADES[level]
        if d.day == 1:
            for j, ch in enumerate(d.strftime("%b")):
                if col + j < len(months):
                    months[col + j] = ch
    labels = ["Mon", "   ", "Wed", "   ", "Fri", "   ", "Sun"]
    return ["    " + "".join(months).rstrip()] + [f"{labels[r]} " + "".join(grid[r]) for r in range(7)]


def bar(fraction: float | None, width: int = 20) -> str:
    if fraction is None:
        return "·" * width
    filled = round(width * fraction)
    return "█" * filled + "░" * (width - filled)


def pct(x: float | None) -> str:
    return "  –  " if x is None else f"{100 * x:4.0f}%"


def draw_forecast(plt, forecast: list[int], title: str) -> None:
    """Bars of cards due per day on a plotext figure (the module, or a textual-plotext widget's ``plt``)."""
    plt.clear_figure()
    plt.bar(list(range(len(forecast))), forecast, width=0.6)
    plt.title(title)
    plt.xticks(list(range(0, len(forecast), 5)))  # plotext's own ticks land on uneven days
    top = max(forecast, default=0)
    if top <= 8:  # whole numbers of cards, not 0.17
        plt.yticks(list(range(top + 1)))


def forecast_chart(forecast: list[int], width: int = 100, height: int = 14, color: bool = False) -> str:
    import plotext as plt

    draw_forecast(plt, forecast, "Due in the next 30 days (day 0 = today, overdue included)")
    plt.xlabel("days from today")
    plt.plotsize(width, height)
    plt.theme("clear")
    chart = plt.build()
    return chart if color else plt.uncolorize(chart)


def retention_rows(stats) -> list[str]:
    rows = ["month     young          mature"]
    for m in stats.retention[-12:]:
        rows.append(f"{m.month}   {pct(m.young)} ({m.young_total:>4})  {pct(m.mature)} ({m.mature_total:>4})")
    return rows


def mastery_rows(items, width: int = 32) -> list[str]:
    return [
        f"{fit(m.title, width):<{width}} {bar(m.mastery, 16)} {pct(m.mastery)}  {m.seen}/{m.total} seen" for m in items
    ]


def stats_text(stats, color: bool = False) -> str:
    c = stats.counts
    out = [
        f"Statistics for {stats.today}",
        f"cards: {c['new']} new · {c['learning']} learning · {c['young']} young · {c['mature']} mature"
        + (f" · {c['retired']} retired" if c.get("retired") else ""),
        f"answers: {c['reviews_today']} today · {c['reviews_total']} in all · {c['due_today']} due today",
        "",
    ]
    if stats.empty:
        out.append("No reviews yet: run `tutor review` (or press r in the app) to answer your first questions.")
        return "\n".join(out)
    out += [
        forecast_chart(stats.forecast, color=color),
        "",
        "Answers per day, last 365 days",
        *heatmap_rows(stats.heatmap),
        "",
    ]
    out += ["True retention (first answer of a card each day; mature = interval ≥ 21 days)"]
    out += retention_rows(stats) if stats.retention else ["  none yet: it needs cards answered on two different days"]
    out += ["", "Mastery by chapter (mean recall probability of the cards you have seen)"]
    out += mastery_rows(stats.chapters)
    for fam, domains in stats.domains.items():
        out += ["", f"Mastery by {fam} domain", *mastery_rows(domains)]
    return "\n".join(out)
