"""The lesson reader in the real program, in tmux: open a chapter, search, jump, practise."""

from __future__ import annotations

import pytest

from tutor.content import load_catalog
from tutor.content.search import search

pytestmark = pytest.mark.e2e

QUERIES = ["dead-letter queue", "lifecycle rules", "nat gateway", "security groups", "versioning"]


def _practisable_hit(catalog):
    """A query whose first result is a section with questions, so `p` starts a review."""
    for query in QUERIES:
        hits = search(catalog, query)
        if hits and hits[0].anchor and catalog.questions_for(hits[0].ref):
            return query, hits[0]
    pytest.skip("no search result leads to a section with questions yet")


def test_open_a_chapter_search_jump_and_practise(tui):
    catalog = load_catalog()
    first = next(iter(catalog.lessons.values()))
    query, hit = _practisable_hit(catalog)
    lesson, section = catalog.resolve(hit.ref)
    index = lesson.sections.index(section) + 1

    t = tui()
    t.wait_for("Welcome to aws-tutor")
    t.press("l")
    t.wait_for(f"1. {first.title[:12]}")
    t.press("Enter")  # the first chapter, at its introduction
    t.wait_for(f"{first.title}: introduction")
    t.press("]")
    t.wait_for(f"§ 1/{len(first.sections)} {first.sections[0].title[:20]}")

    t.press("/")
    t.wait_for("Search chapters")  # keys typed before the box has focus would go to the reader
    t.type(query)
    t.wait_for(hit.title[:30])  # results appear as you type
    t.press("Enter")  # the first result
    t.wait_for(f"§ {index}/{len(lesson.sections)} {section.title[:20]}")
    screen = t.wait_for(section.title[:30])
    assert "Search chapters" not in screen  # the search box closed

    t.press("p")
    n = len(catalog.questions_for(hit.ref))
    t.wait_for(f"Practising {section.title[:20]}")
    t.wait_gone(f"§ {index}/{len(lesson.sections)}")  # the review mode replaced the reader
    assert f"{n} question" in t.screen() or "Practise" in t.screen()
