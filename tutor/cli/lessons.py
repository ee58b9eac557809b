"""`tutor lessons ...` and `tutor glossary`: the chapters as plain text, for reading, piping and scripts."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from tutor.content import Catalog, Lesson

lessons_app = typer.Typer(help="Read and search the chapters.", no_args_is_help=True, rich_markup_mode=None)

ADMONITION_TITLES = {
    "takeaways": "Key takeaways",
    "mistakes": "Common mistakes",
    "note": "Note",
    "tip": "Tip",
    "warning": "Warning",
}


def _catalog() -> Catalog:
    from tutor.content import load_catalog

    return load_catalog()


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"tutor: {message}", err=True)
    raise typer.Exit(code)


def _read_sections() -> dict[str, set[str]]:
    """Progress from the store; the chapters still list when the store cannot be read."""
    try:
        from tutor.store.progress import read_sections

        return read_sections()
    except Exception as exc:  # noqa: BLE001 - progress is a nicety here, the content is not
        typer.echo(f"tutor: reading progress failed ({exc}); showing 0 read", err=True)
        return {}


def plain_admonitions(markdown: str) -> str:
    """``::: kind`` blocks as a titled, indented paragraph: readable as plain text."""
    from tutor.content.lessons import ADMONITION_OPEN, FENCE

    out: list[str] = []
    inside = in_fence = False
    for raw in markdown.splitlines():
        if FENCE.match(raw):
            in_fence = not in_fence
        stripped = raw.strip()
        if not in_fence and stripped.startswith(":::"):
            m = ADMONITION_OPEN.match(stripped)
            if m and m["kind"] in ADMONITION_TITLES:
                out.append((m["title"].strip() or ADMONITION_TITLES[m["kind"]]) + ":")
                inside = True
                continue
            if stripped == ":::" and inside:
                inside = False
                continue
        out.append(f"  {raw}" if inside and raw else raw)
    return "\n".join(out)


def _footer(catalog: Catalog, lesson: Lesson) -> list[str]:
    lines = []
    labs = catalog.labs_for(lesson.id)
    questions = catalog.questions_for(lesson.id)
    if labs or questions:
        lines += ["", "---", "", "Practise this chapter:"]
        for lab in labs:
            lines.append(f"- Lab {lab.id}: {lab.title} (tutor lab start {lab.id})")
        if questions:
            lines.append(f"- {len(questions)} review questions (tutor review, or `p` in the reader)")
    return lines


def lesson_text(catalog: Catalog, lesson: Lesson, anchor: str | None = None, anchors: bool = True) -> str:
    """The chapter (or one section) as Markdown with plain-text admonitions; `anchors` keeps the `{#id}` marks."""

    def heading(section) -> str:
        return f"## {section.title} {{#{section.anchor}}}" if anchors else f"## {section.title}"

    if anchor:
        section = lesson.section(anchor)
        assert section is not None
        parts = [heading(section), "", section.body]
        questions = catalog.questions_for(f"{lesson.id}#{anchor}")
        labs = catalog.labs_for(f"{lesson.id}#{anchor}")
        if questions or labs:
            parts += ["", "---", ""]
            parts += [f"- Lab {lab.id}: {lab.title}" for lab in labs]
            if questions:
                parts.append(f"- {len(questions)} review questions on this section")
        return plain_admonitions("\n".join(parts)).rstrip() + "\n"
    parts = [f"# {lesson.title}", "", lesson.summary, "", "You will learn to:"]
    parts += [f"- {o}" for o in lesson.objectives]
    if lesson.intro:
        parts += ["", lesson.intro]
    for section in lesson.sections:
        parts += ["", heading(section), "", section.body]
    parts += _footer(catalog, lesson)
    return plain_admonitions("\n".join(parts)).rstrip() + "\n"


@lessons_app.command("list")
def list_lessons(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """Every chapter with its sections and how many of them you have read."""
    catalog = _catalog()
    read = _read_sections()
    rows = []
    for lesson in catalog.lessons.values():
        anchors = [s.anchor for s in lesson.sections]
        done = len(read.get(lesson.id, set()) & set(anchors))
        rows.append(
            {
                "id": lesson.id,
                "order": lesson.order,
                "title": lesson.title,
                "summary": lesson.summary,
                "sections": len(anchors),
                "read": done,
                "anchors": anchors,
            }
        )
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        typer.echo("No lessons are installed. Chapters are Markdown files in lessons/ (see docs/AUTHORING.md).")
        return
    width = max(len(r["id"]) for r in rows)
    for r in rows:
        typer.echo(f"{r['order']:>2}  {r['id']:<{width}}  {r['read']:>2}/{r['sections']:<2} read  {r['title']}")


@lessons_app.command("show")
def show(
    ref: str = typer.Argument(..., metavar="ID[#SECTION]", help="A chapter id, or chapter#section."),
    markdown: bool = typer.Option(False, "--markdown", help="Print the Markdown source, {#section} ids included."),
) -> None:
    """Print a chapter or one section: formatted in a terminal, plain Markdown when piped."""
    catalog = _catalog()
    lesson_id, _, anchor = ref.partition("#")
    lesson = catalog.lessons.get(lesson_id)
    if lesson is None:
        known = ", ".join(catalog.lessons) or "none installed"
        _fail(f"no lesson {lesson_id!r}. Lessons: {known}")
    if anchor and lesson.section(anchor) is None:
        known = ", ".join(s.anchor for s in lesson.sections) or "none"
        _fail(f"no section {anchor!r} in lesson {lesson_id!r}. Sections: {known}")
    if markdown or not sys.stdout.isatty():
        typer.echo(lesson_text(catalog, lesson, anchor or None, anchors=markdown), nl=False)
        return
    from rich.console import Console
    from rich.markdown import Markdown

    Console().print(Markdown(lesson_text(catalog, lesson, anchor or None, anchors=False)))


def _emphasis(hit) -> str:
    if sys.stdout.isatty():
        return hit.marked("\x1b[1m", "\x1b[22m")
    return hit.plain()


@lessons_app.command("search")
def search_cmd(
    terms: list[str] = typer.Argument(..., metavar="TERM...", help="Words to look for; prefixes work (lifecy)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    limit: int = typer.Option(20, "--limit", "-n", min=1, help="At most this many results."),
) -> None:
    """Full-text search across every chapter and the glossary; exit 1 when nothing matches."""
    from tutor.content.search import search

    query = " ".join(terms)
    hits = search(_catalog(), query, limit=limit)
    if as_json:
        typer.echo(
            json.dumps(
                [
                    {
                        "kind": h.kind,
                        "ref": h.ref,
                        "lesson": h.lesson_id,
                        "anchor": h.anchor,
                        "title": h.title,
                        "chapter": h.chapter,
                        "snippet": h.plain(),
                        "score": round(h.score, 4),
                    }
                    for h in hits
                ],
                indent=2,
            )
        )
    elif not hits:
        typer.echo(f"No matches for {query!r}.", err=True)
    else:
        width = max(len(h.ref) for h in hits)
        for h in hits:
            label = f"{h.title} (glossary)" if h.kind == "glossary" else h.title
            typer.echo(f"{h.ref:<{width}}  {label}")
            typer.echo(f"{'':<{width}}  {_emphasis(h)}")
    raise typer.Exit(0 if hits else 1)


def glossary(
    term: str = typer.Argument(None, help="A term, or part of one; omit to list them all."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Every AWS term the chapters use, with a one-line definition and the section that teaches it."""
    catalog = _catalog()
    entries = sorted(catalog.glossary, key=lambda e: e.term.lower())
    if term:
        wanted = term.strip().lower()
        exact = [e for e in entries if e.term.lower() == wanted]
        entries = exact or [e for e in entries if wanted in e.term.lower()]
        if not entries:
            from tutor.content.search import search

            by_term = {e.term: e for e in catalog.glossary}
            entries = [
                by_term[h.title] for h in search(catalog, term, limit=10, kinds=("glossary",)) if h.title in by_term
            ]
        if not entries:
            _fail(f"no glossary term matches {term!r}; `tutor glossary` lists them all", code=1)
    if as_json:
        typer.echo(
            json.dumps([{"term": e.term, "definition": e.definition, "section": e.section} for e in entries], indent=2)
        )
        return
    if not entries:
        typer.echo("The glossary is empty.")
        return
    for e in entries:
        typer.echo(f"{e.term}: {e.definition}  (tutor lessons show {e.section})")


def register(app: typer.Typer) -> None:
    app.add_typer(lessons_app, name="lessons")
    app.command("glossary")(glossary)
