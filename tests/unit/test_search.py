"""Full-text search over sections and the glossary."""

from __future__ import annotations

import textwrap

import pytest

from tutor.content import load_catalog
from tutor.content.search import MARK_END, MARK_START, build_query, plain_text, search

LESSON = """\
---
id: buckets
title: Buckets in depth
summary: Storage classes and lifecycle.
objectives:
  - Tier data down
---

Intro text about object storage.

## Lifecycle rules {#lifecycle}

A lifecycle configuration transitions objects to **Standard-IA** after 30 days. See
[classes](lesson:buckets#classes).

::: takeaways
- Lifecycle saves money.
:::

## Storage classes {#classes}

Standard-IA and One Zone-IA bill a minimum of 30 days. Lifecycle is mentioned once here.

```sh
aws s3api put-bucket-lifecycle-configuration --bucket demo
```

::: mistakes
- Forgetting the minimum storage duration.
:::

## Quoting "things" {#quotes}

Policies use s3:GetObject AND s3:PutObject; a * wildcard matches anything.
"""

GLOSSARY = """\
- term: Lifecycle configuration
  definition: Bucket rules that move or expire objects as they age.
  section: buckets#lifecycle
- term: Standard-IA
  definition: An infrequent-access storage class with a 30-day minimum.
  section: buckets#classes
"""


@pytest.fixture
def catalog(tmp_path):
    root = tmp_path / "content"
    (root / "lessons" / "glossary").mkdir(parents=True)
    (root / "lessons" / "01-buckets.md").write_text(textwrap.dedent(LESSON))
    (root / "lessons" / "glossary" / "buckets.yaml").write_text(GLOSSARY)
    cat = load_catalog([root], include_builtin=False)
    assert cat.problems == [], cat.problems
    return cat


def test_a_prefix_finds_the_whole_word(catalog):
    hits = search(catalog, "lifecy")
    assert hits, "a prefix should match"
    assert {(h.kind, h.anchor) for h in hits} >= {("section", "lifecycle"), ("glossary", "lifecycle")}


def test_title_matches_rank_above_passing_mentions(catalog):
    sections = [h for h in search(catalog, "lifecycle") if h.kind == "section"]
    assert sections[0].anchor == "lifecycle"  # the section titled "Lifecycle rules"
    assert sections[-1].anchor in {"classes", None}  # mentioned once in passing


def test_glossary_hits_point_at_the_section_that_teaches_the_term(catalog):
    hit = next(h for h in search(catalog, "standard-ia") if h.kind == "glossary")
    assert (hit.title, hit.lesson_id, hit.anchor, hit.ref) == ("Standard-IA", "buckets", "classes", "buckets#classes")
    assert hit.chapter == "Buckets in depth"


def test_snippets_mark_the_matched_words(catalog):
    hit = next(h for h in search(catalog, "minimum storage") if h.anchor == "classes" and h.kind == "section")
    assert f"{MARK_START}minimum{MARK_END}" in hit.snippet
    assert "[minimum]" in hit.marked() and MARK_START not in hit.plain()


def test_a_hyphenated_word_is_searched_as_a_phrase(catalog):
    assert build_query("Standard-IA") == '"standard ia"*'
    hits = search(catalog, "One Zone-IA")
    assert hits and hits[0].anchor == "classes"


def test_all_words_must_match_before_any_word_may(catalog):
    both = search(catalog, "wildcard policies")
    assert [h.anchor for h in both] == ["quotes"]
    fallback = search(catalog, "wildcard zzzunknown")  # nothing has both: any word will do
    assert [h.anchor for h in fallback] == ["quotes"]


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "'",
        "AND",
        "OR NOT",
        "*",
        "a*b",
        "NEAR(a b)",
        "title:x",
        "(",
        ")",
        "^",
        "-",
        "s3:GetObject",
        '"unclosed phrase',
        "{}",
        "\\",
        "💥",
        "   ",
    ],
)
def test_fts_syntax_in_the_input_is_just_text(catalog, query):
    hits = search(catalog, query)  # must not raise
    assert isinstance(hits, list)


def test_operators_are_searched_as_words(catalog):
    assert build_query("AND") == '"and"*'
    assert any(h.anchor == "quotes" for h in search(catalog, "s3:GetObject AND"))
    assert search(catalog, "*") == [] and search(catalog, "") == []


def test_a_quoted_phrase_stays_a_phrase(catalog):
    assert build_query('"storage duration" bill') == '"storage duration"* AND "bill"*'
    assert [h.kind for h in search(catalog, '"minimum storage duration"')] == ["section"]


def test_limit_caps_the_results(catalog):
    assert len(search(catalog, "s", limit=2)) <= 2
    assert len(search(catalog, "lifecycle", limit=1)) == 1


def test_markdown_syntax_is_not_indexed():
    text = plain_text("**Bold** and `code` and [a link](lesson:x#y) ::: note\n| a | b |\n|---|---|\n┌──┐")
    assert "**" not in text and "`" not in text and "lesson:x" not in text and "┌" not in text
    assert "a link" in text


def test_the_index_is_built_once_per_catalog(catalog):
    from tutor.content.search import index_for

    assert index_for(catalog) is index_for(catalog)


def test_the_sample_catalog_is_searchable(sample_catalog):
    hits = search(sample_catalog, "versio")
    assert hits[0].ref == "storage#versioning"
