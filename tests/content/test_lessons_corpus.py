"""The real chapters and glossary: valid, complete, and every cross-reference resolves."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor.content import load_catalog
from tutor.content.lessons import LESSON_LINK, parse_lesson

ROOT = Path(__file__).resolve().parents[2]
LESSONS = ROOT / "lessons"
MIN_CHAPTERS = 16
MIN_QUESTIONS_PER_CHAPTER = 25

CATALOG = load_catalog([ROOT], include_builtin=False)


def _under(path: Path, folder: Path) -> bool:
    return folder.resolve() in path.resolve().parents


def test_chapters_and_glossary_validate_without_problems():
    problems = [str(p) for p in CATALOG.problems if _under(p.path, LESSONS)]
    assert not problems, "\n".join(problems)


def test_the_whole_corpus_validates():
    """What `tutor validate` checks: schemas, ids and every cross-reference of all content."""
    assert not CATALOG.problems, "\n".join(map(str, CATALOG.problems))


def test_there_are_enough_chapters():
    assert len(CATALOG.lessons) >= MIN_CHAPTERS, sorted(CATALOG.lessons)


@pytest.mark.parametrize("path", sorted(LESSONS.glob("*.md")), ids=lambda p: p.name)
def test_each_chapter_has_takeaways_and_mistakes(path):
    parsed = parse_lesson(path.read_text(encoding="utf-8"), path)
    assert parsed.blocks.get("takeaways", 0) >= 1, f"{path.name} has no '::: takeaways' block"
    assert parsed.blocks.get("mistakes", 0) >= 1, f"{path.name} has no '::: mistakes' block"
    assert parsed.sections, f"{path.name} has no sections"


@pytest.mark.parametrize("path", sorted(LESSONS.glob("*.md")), ids=lambda p: p.name)
def test_each_lesson_link_resolves(path):
    broken = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        for m in LESSON_LINK.finditer(line):
            if CATALOG.resolve(m["ref"]) is None:
                broken.append(f"{path.name}:{number}: lesson:{m['ref']}")
    assert not broken, "\n".join(broken)


def test_every_glossary_entry_points_at_a_section_that_exists():
    broken = [
        f"{e.origin}: {e.term} -> {e.section}"
        for e in CATALOG.glossary
        if "#" not in e.section or CATALOG.resolve(e.section) is None
    ]
    assert not broken, "\n".join(broken)


def test_glossary_definitions_are_one_line_and_terms_unique():
    seen: dict[str, str] = {}
    for e in CATALOG.glossary:
        assert "\n" not in e.definition.strip(), f"{e.origin}: {e.term}: a definition is one line"
        key = e.term.lower()
        assert key not in seen, f"{e.origin}: {e.term} is also defined at {seen[key]}"
        seen[key] = str(e.origin)


def test_every_chapter_has_glossary_terms():
    chapters_with_terms = {e.section.partition("#")[0] for e in CATALOG.glossary}
    missing = sorted(set(CATALOG.lessons) - chapters_with_terms)
    assert not missing, f"chapters without glossary terms: {missing}"


def test_questions_labs_and_drills_point_at_real_sections():
    broken = [
        f"{q.origin}: question {q.id} -> {q.lesson}"
        for q in CATALOG.questions.values()
        if CATALOG.resolve(q.lesson) is None
    ]
    broken += [
        f"{lab.origin}: lab {lab.id} -> {ref}"
        for lab in CATALOG.labs.values()
        for ref in lab.lessons
        if CATALOG.resolve(ref) is None
    ]
    broken += [
        f"{d.origin}: drill {d.id} -> {d.lesson}" for d in CATALOG.drills.values() if CATALOG.resolve(d.lesson) is None
    ]
    assert not broken, "\n".join(broken)


def test_every_chapter_has_enough_questions():
    short = {
        lid: len(CATALOG.questions_for(lid))
        for lid in CATALOG.lessons
        if len(CATALOG.questions_for(lid)) < MIN_QUESTIONS_PER_CHAPTER
    }
    assert not short, f"chapters with fewer than {MIN_QUESTIONS_PER_CHAPTER} questions: {short}"


def test_the_reader_can_practise_most_sections():
    """`p` in the reader needs questions or a lab for the section; report the sections with neither."""
    bare = [
        f"{lid}#{s.anchor}"
        for lid, lesson in CATALOG.lessons.items()
        for s in lesson.sections
        if not CATALOG.questions_for(f"{lid}#{s.anchor}") and not CATALOG.labs_for(f"{lid}#{s.anchor}")
    ]
    total = sum(len(lesson.sections) for lesson in CATALOG.lessons.values())
    assert len(bare) <= total // 4, f"{len(bare)} of {total} sections have nothing to practise: {bare}"
