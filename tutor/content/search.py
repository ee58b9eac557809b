"""Full-text search over lesson sections and the glossary (SQLite FTS5, in memory).

The index is built lazily, once per Catalog, the first time it is searched. Queries are
never passed to FTS5 as written: the learner's text is cut into words, each word becomes a
quoted prefix term (so ``lifecy`` finds *lifecycle* and ``"`` or ``AND`` or ``*`` mean
nothing special), and a phrase in double quotes stays a phrase. All words must match; when
that finds nothing, any word may match. Results are ranked with bm25, title hits first.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .loader import Catalog

# Snippets mark the matched words with these two characters; see Hit.marked().
MARK_START = "\x02"
MARK_END = "\x03"

# bm25 column weights: title, chapter title, body
_WEIGHTS = (10.0, 2.0, 1.0)


@dataclass(frozen=True)
class Hit:
    kind: str  # "section", "glossary" or "lesson" (a chapter's introduction)
    lesson_id: str
    anchor: str | None
    title: str  # the section title, the glossary term or the chapter title
    snippet: str  # a short excerpt, matches between MARK_START and MARK_END
    score: float  # bm25: lower is better
    chapter: str = ""  # the chapter title

    @property
    def ref(self) -> str:
        """``lesson`` or ``lesson#anchor``: what Catalog.resolve and open_lesson take."""
        return f"{self.lesson_id}#{self.anchor}" if self.anchor else self.lesson_id

    def marked(self, before: str = "[", after: str = "]") -> str:
        """The snippet with its matches wrapped in ``before``/``after``."""
        return self.snippet.replace(MARK_START, before).replace(MARK_END, after)

    def plain(self) -> str:
        return self.marked("", "")


# ------------------------------------------------------------------ text preparation

_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_ADMONITION = re.compile(r"^\s*:::.*$", re.MULTILINE)
_FENCE = re.compile(r"^\s*(```|~~~).*$", re.MULTILINE)
_TABLE_RULE = re.compile(r"^\s*\|?[\s:|-]+\|[\s:|-]*$", re.MULTILINE)
_HEADING = re.compile(r"^#{1,6}\s+", re.MULTILINE)
_ANCHOR = re.compile(r"\s*\{#[a-z0-9-]+\}")
_EMPHASIS = re.compile(r"(\*\*|__|`+|~~)")
_BOX = re.compile(r"[\u2500-\u259f\u2190-\u21ff]+")  # box drawing, blocks, arrows
_SPACE = re.compile(r"[ \t]*\n[ \t\n]*|[ \t]{2,}")


def plain_text(markdown: str) -> str:
    """Markdown reduced to the words a reader sees, on one line."""
    text = _LINK.sub(r"\1", markdown)
    text = _ADMONITION.sub("", text)
    text = _FENCE.sub("", text)
    text = _TABLE_RULE.sub("", text)
    text = _HEADING.sub("", text)
    text = _ANCHOR.sub("", text)
    text = _EMPHASIS.sub("", text)
    text = _BOX.sub(" ", text)
    text = text.replace("|", " ")
    return _SPACE.sub(" ", text).strip()


# ------------------------------------------------------------------ queries

_PHRASE = re.compile(r'"([^"]*)"')
_WORD = re.compile(r"\w+", re.UNICODE)


def build_query(text: str, any_word: bool = False) -> str | None:
    """The FTS5 MATCH expression for what a learner typed, or None when it has no words.

    Every word is quoted, so FTS5 operators and punctuation in the input are just text.
    Words joined by punctuation (``Standard-IA``, ``s3:GetObject``) and words in double
    quotes become phrases; the last word of each term is a prefix.
    """
    terms: list[str] = []

    def add(words: list[str]) -> None:
        if words:  # a phrase whose last word is a prefix: "standard ia"*
            # a single letter as a prefix would match half the corpus
            star = "*" if len(words[-1]) > 1 else ""
            terms.append('"' + " ".join(words) + '"' + star)

    for m in _PHRASE.finditer(text):
        add(_WORD.findall(m.group(1).lower()))
    rest = _PHRASE.sub(" ", text).replace('"', " ")
    for chunk in rest.split():
        add(_WORD.findall(chunk.lower()))
    if not terms:
        return None
    return (" OR " if any_word else " AND ").join(terms)


# ------------------------------------------------------------------ the index


class SearchIndex:
    """An in-memory FTS5 table of every section, chapter introduction and glossary term."""

    def __init__(self, catalog: Catalog) -> None:
        self._lock = threading.Lock()
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute(
            "CREATE VIRTUAL TABLE docs USING fts5("
            "title, chapter, body, kind UNINDEXED, lesson UNINDEXED, anchor UNINDEXED, "
            "tokenize = 'unicode61 remove_diacritics 2')"
        )
        rows: list[tuple[str, str, str, str, str, str | None]] = []
        for lesson in catalog.lessons.values():
            intro = " ".join([lesson.summary, *lesson.objectives, plain_text(lesson.intro)])
            rows.append((lesson.title, lesson.title, intro, "lesson", lesson.id, None))
            for section in lesson.sections:
                rows.append(
                    (section.title, lesson.title, plain_text(section.body), "section", lesson.id, section.anchor)
                )
        for entry in catalog.glossary:
            lesson_id, _, anchor = entry.section.partition("#")
            chapter = catalog.lessons[lesson_id].title if lesson_id in catalog.lessons else ""
            rows.append((entry.term, chapter, entry.definition, "glossary", lesson_id, anchor or None))
        self._db.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?)", rows)
        self._db.execute("INSERT INTO docs(docs) VALUES ('optimize')")
        self.size = len(rows)

    def search(self, query: str, limit: int = 20, kinds: tuple[str, ...] | None = None) -> list[Hit]:
        for any_word in (False, True):
            expr = build_query(query, any_word)
            if expr is None:
                return []
            hits = self._run(expr, limit, kinds)
            if hits or " AND " not in expr:
                return hits
        return []

    def _run(self, expr: str, limit: int, kinds: tuple[str, ...] | None) -> list[Hit]:
        where = "docs MATCH ?"
        params: list[object] = [expr]
        if kinds:
            where += f" AND kind IN ({', '.join('?' for _ in kinds)})"
            params += list(kinds)
        sql = (
            "SELECT kind, lesson, anchor, title, chapter, "
            # a glossary definition is one line: show it whole
            "CASE kind WHEN 'glossary' THEN highlight(docs, 2, ?, ?) ELSE snippet(docs, 2, ?, ?, '…', 14) END, "
            f"bm25(docs, {', '.join(map(str, _WEIGHTS))}) AS score "
            f"FROM docs WHERE {where} ORDER BY score LIMIT ?"
        )
        with self._lock:
            try:
                rows = self._db.execute(sql, [MARK_START, MARK_END] * 2 + [*params, limit]).fetchall()
            except sqlite3.OperationalError:
                return []  # cannot happen with build_query's quoting, but never crash a search box
        return [
            Hit(kind=k, lesson_id=lid, anchor=a, title=t, chapter=c, snippet=s, score=sc)
            for k, lid, a, t, c, s, sc in rows
        ]


_indexes: dict[int, SearchIndex] = {}
_build_lock = threading.Lock()


def index_for(catalog: Catalog) -> SearchIndex:
    """The catalog's index, built on first use and dropped with the catalog."""
    key = id(catalog)
    index = _indexes.get(key)
    if index is None:
        with _build_lock:
            index = _indexes.get(key)
            if index is None:
                index = SearchIndex(catalog)
                _indexes[key] = index
                weakref.finalize(catalog, _indexes.pop, key, None)
    return index


def search(catalog: Catalog, query: str, limit: int = 20, kinds: tuple[str, ...] | None = None) -> list[Hit]:
    """The best ``limit`` sections, chapter introductions and glossary terms for ``query``."""
    if not query.strip():
        return []
    return index_for(catalog).search(query, limit, kinds)
