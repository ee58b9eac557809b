"""`tutor lessons list|show|search` and `tutor glossary` on the real chapters."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tutor.cli.commands import app
from tutor.content import load_catalog

runner = CliRunner()
CATALOG = load_catalog()


def test_list_shows_every_chapter_with_progress():
    result = runner.invoke(app, ["lessons", "list"])
    assert result.exit_code == 0, result.output
    for lesson in CATALOG.lessons.values():
        assert lesson.id in result.output and lesson.title in result.output
    assert f"0/{len(next(iter(CATALOG.lessons.values())).sections)}" in result.output


def test_list_json_counts_read_sections():
    from tutor.store.progress import mark_read

    lesson = next(iter(CATALOG.lessons.values()))
    mark_read(lesson.id, lesson.sections[0].anchor)
    rows = json.loads(runner.invoke(app, ["lessons", "list", "--json"]).output)
    assert [r["id"] for r in rows] == list(CATALOG.lessons)
    first = rows[0]
    assert (first["read"], first["sections"], first["title"]) == (1, len(lesson.sections), lesson.title)


def test_show_prints_plain_markdown_with_plain_admonitions():
    lesson = next(iter(CATALOG.lessons.values()))
    result = runner.invoke(app, ["lessons", "show", lesson.id])
    assert result.exit_code == 0
    out = result.output
    assert out.startswith(f"# {lesson.title}\n")
    assert "Key takeaways:" in out and "Common mistakes:" in out
    assert "\n:::" not in out and "::: takeaways" not in out
    for section in lesson.sections:
        assert f"\n## {section.title}\n" in out
    assert "{#" not in out  # the ids are for authors: piped text reads as prose
    assert "review questions" in out  # the chapter's practice footer


def test_show_markdown_keeps_the_section_ids_for_authors():
    lesson = next(iter(CATALOG.lessons.values()))
    out = runner.invoke(app, ["lessons", "show", lesson.id, "--markdown"]).output
    for section in lesson.sections:
        assert f"## {section.title} {{#{section.anchor}}}" in out


def test_show_one_section():
    lesson = CATALOG.lessons["s3"] if "s3" in CATALOG.lessons else next(iter(CATALOG.lessons.values()))
    section = lesson.sections[1]
    result = runner.invoke(app, ["lessons", "show", f"{lesson.id}#{section.anchor}"])
    assert result.exit_code == 0
    assert result.output.startswith(f"## {section.title}")
    others = [s for s in lesson.sections if s is not section]
    assert all(f"{{#{s.anchor}}}" not in result.output for s in others)


def test_show_unknown_lesson_or_section_lists_what_exists():
    result = runner.invoke(app, ["lessons", "show", "no-such-lesson"])
    assert result.exit_code == 2
    assert "no lesson 'no-such-lesson'" in result.output and next(iter(CATALOG.lessons)) in result.output
    lesson = next(iter(CATALOG.lessons.values()))
    result = runner.invoke(app, ["lessons", "show", f"{lesson.id}#nope"])
    assert result.exit_code == 2
    assert "no section 'nope'" in result.output and lesson.sections[0].anchor in result.output


def test_search_finds_sections_and_glossary_terms():
    result = runner.invoke(app, ["lessons", "search", "dead-letter", "queue", "--json"])
    assert result.exit_code == 0
    hits = json.loads(result.output)
    assert hits and {"kind", "ref", "title", "snippet", "score"} <= hits[0].keys()
    assert {h["kind"] for h in hits} >= {"glossary", "section"}
    assert all(CATALOG.resolve(h["ref"]) is not None for h in hits)
    text = runner.invoke(app, ["lessons", "search", "lifecy"]).output
    assert "#lifecycle" in text


def test_search_with_no_match_exits_1():
    result = runner.invoke(app, ["lessons", "search", "zzqqxx"])
    assert result.exit_code == 1 and "No matches" in result.output


def test_glossary_lists_every_term_and_looks_one_up():
    result = runner.invoke(app, ["glossary"])
    assert result.exit_code == 0
    assert len(result.output.splitlines()) == len(CATALOG.glossary)
    entry = CATALOG.glossary[0]
    one = runner.invoke(app, ["glossary", entry.term, "--json"])
    data = json.loads(one.output)
    assert data[0] == {"term": entry.term, "definition": entry.definition, "section": entry.section}
    assert runner.invoke(app, ["glossary", "zzqqxx"]).exit_code == 1
