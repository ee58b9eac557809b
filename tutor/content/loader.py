"""Load every content root into one validated Catalog.

Loading never stops at the first bad file: each item that fails validation is skipped and
recorded as a Problem (file, line, message), so the app can start with the rest.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any, Iterable, TypeVar

from pydantic import BaseModel, ValidationError

from .lessons import FILE_NAME, parse_lesson
from .schema import (
    Drill,
    ExamFamily,
    ExamProfile,
    GlossaryEntry,
    Lab,
    Lesson,
    LessonFrontMatter,
    Origin,
    Question,
    Section,
)
from .cache import ContentCache
from .yamlio import YamlError, line_of, load_yaml

M = TypeVar("M", bound=BaseModel)

PACKAGE_DIR = Path(__file__).resolve().parent.parent
CONTENT_DIRS = ("lessons", "labs", "question_bank")
COLLECTIONS = {"lesson": "lessons", "question": "questions", "drill": "drills", "exam profile": "exams",
               "exam family": "families", "lab": "labs"}


@dataclass(frozen=True, order=True)
class Problem:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class Catalog:
    roots: list[Path]
    lessons: dict[str, Lesson] = field(default_factory=dict)
    glossary: list[GlossaryEntry] = field(default_factory=list)
    questions: dict[str, Question] = field(default_factory=dict)
    families: dict[str, ExamFamily] = field(default_factory=dict)
    exams: dict[str, ExamProfile] = field(default_factory=dict)
    drills: dict[str, Drill] = field(default_factory=dict)
    labs: dict[str, Lab] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    sandbox_blocks: list[tuple[Path, int, str]] = field(default_factory=list)

    def resolve(self, ref: str) -> tuple[Lesson, Section | None] | None:
        """``lesson`` or ``lesson#anchor`` -> (lesson, section); None when it does not exist."""
        lesson_id, _, anchor = ref.partition("#")
        lesson = self.lessons.get(lesson_id)
        if lesson is None:
            return None
        if not anchor:
            return lesson, None
        section = lesson.section(anchor)
        return (lesson, section) if section else None

    def questions_for(self, ref: str) -> list[Question]:
        """Questions about a lesson (``s3``) or one section (``s3#versioning``)."""
        if "#" in ref:
            return [q for q in self.questions.values() if q.lesson == ref]
        return [q for q in self.questions.values() if q.lesson.partition("#")[0] == ref]

    def labs_for(self, ref: str) -> list[Lab]:
        """Labs that teach a lesson (``s3``) or one of its sections (``s3#versioning``)."""
        def teaches(lab: Lab) -> bool:
            if "#" in ref:
                return ref in lab.lessons or ref.partition("#")[0] in lab.lessons
            return any(r.partition("#")[0] == ref for r in lab.lessons)

        return [lab for lab in self.labs.values() if teaches(lab)]

    def counts(self) -> dict[str, int]:
        return {
            "lessons": len(self.lessons),
            "sections": sum(len(x.sections) for x in self.lessons.values()),
            "glossary terms": len(self.glossary),
            "questions": len(self.questions),
            "labs": len(self.labs),
            "exam profiles": len(self.exams),
            "drills": len(self.drills),
        }


def builtin_root() -> Path:
    """Content shipped in the wheel, or the source tree's top level in a checkout."""
    packaged = PACKAGE_DIR / "_content"
    return packaged if packaged.is_dir() else PACKAGE_DIR.parent


def content_roots(extra: Iterable[Path] = (), include_builtin: bool = True) -> list[Path]:
    """The built-in content, then ``TUTOR_CONTENT_PATH`` folders, then ``extra``."""
    roots = [builtin_root()] if include_builtin else []
    env = os.environ.get("TUTOR_CONTENT_PATH", "") if include_builtin else ""
    roots += [Path(p).expanduser() for p in env.split(os.pathsep) if p.strip()]
    roots += list(extra)
    unique: list[Path] = []
    for root in roots:
        resolved = root.resolve()
        if resolved not in unique:
            unique.append(resolved)
    return unique


def root_of(path: Path) -> Path | None:
    """The content root a file or folder belongs to."""
    path = path.resolve()
    for candidate in [path, *path.parents]:
        if candidate.is_dir() and any((candidate / d).is_dir() for d in CONTENT_DIRS):
            return candidate
    return None


@dataclass
class FileResult:
    """What one file (or lab folder) contributes, before ids are checked against other files."""

    items: list[tuple[str, Any]] = field(default_factory=list)  # (kind, model)
    problems: list[Problem] = field(default_factory=list)
    link_refs: list[tuple[str, Path, int]] = field(default_factory=list)
    sandbox_blocks: list[tuple[Path, int, str]] = field(default_factory=list)


class _Loader:
    def __init__(self, roots: list[Path], cache: ContentCache | None = None) -> None:
        self.catalog = Catalog(roots=roots)
        self.id_origin: dict[tuple[str, str], Origin] = {}
        self.link_refs: list[tuple[str, Path, int]] = []
        self.cache = cache
        self.current = FileResult()

    # -- helpers ------------------------------------------------------------------

    def problem(self, path: Path, line: int, message: str) -> None:
        self.current.problems.append(Problem(path, line, message))

    def add(self, kind: str, model: Any) -> None:
        self.current.items.append((kind, model))

    def load_file(self, loader, path: Path, fingerprint_of: Path | None = None) -> None:
        """Load one file through the cache, then merge what it contributes into the catalog."""
        key = fingerprint_of or path
        result = self.cache.get(key) if self.cache else None
        if result is None:
            self.current = FileResult()
            loader(path)
            result = self.current
            if self.cache:
                self.cache.put(key, result)
        self.merge(result)

    def merge(self, result: FileResult) -> None:
        cat = self.catalog
        cat.problems += result.problems
        self.link_refs += result.link_refs
        cat.sandbox_blocks += result.sandbox_blocks
        for kind, model in result.items:
            if kind == "exam family":
                known = cat.families.get(model.id)
                if known and [d.id for d in known.domains] == [d.id for d in model.domains]:
                    continue  # another root repeating the same family is harmless
            ident = model.term.lower() if kind == "glossary term" else model.id
            first = self.id_origin.get((kind, ident))
            if first:
                o = model.origin
                cat.problems.append(Problem(o.path, o.line, f"{kind} id {ident!r} is already defined at {first}"))
                continue
            self.id_origin[(kind, ident)] = model.origin
            if kind == "glossary term":
                cat.glossary.append(model)
            else:
                getattr(cat, COLLECTIONS[kind])[model.id] = model

    def read_yaml(self, path: Path) -> Any:
        try:
            return load_yaml(path.read_text(encoding="utf-8"), path)
        except YamlError as exc:
            self.problem(exc.path, exc.line, exc.message)
        except (OSError, UnicodeDecodeError) as exc:
            self.problem(path, 1, f"cannot read: {exc}")
        return None

    def build(self, model: type[M], data: Any, path: Path, **extra: Any) -> M | None:
        line = getattr(data, "line", 1)
        if not isinstance(data, dict):
            self.problem(path, line, f"expected a mapping for a {model.__name__.lower()}, got {type(data).__name__}")
            return None
        try:
            if "origin" in model.model_fields:
                extra = {**extra, "origin": Origin(path=path, line=line)}
            return model.model_validate({**data, **extra})
        except ValidationError as exc:
            for err in exc.errors():
                loc = tuple(err["loc"])
                where = ".".join(str(p) for p in loc) or model.__name__.lower()
                self.problem(path, line_of(data, loc, line), f"{where}: {err['msg']}")
            return None

    def yaml_list(self, path: Path) -> list:
        data = self.read_yaml(path)
        if data is None:
            return []
        if not isinstance(data, list):
            self.problem(path, getattr(data, "line", 1), "expected a YAML list at the top level")
            return []
        return data

    # -- kinds --------------------------------------------------------------------

    def load_lesson(self, path: Path) -> None:
        name = FILE_NAME.match(path.name)
        if not name:
            self.problem(path, 1, "lesson files are named NN-id.md, e.g. 08-s3.md")
            return
        try:
            parsed = parse_lesson(path.read_text(encoding="utf-8"), path)
        except YamlError as exc:
            self.problem(exc.path, exc.line, exc.message)
            return
        for line, message in parsed.problems:
            self.problem(path, line, message)
        if not parsed.front:
            return
        front = self.build(LessonFrontMatter, parsed.front, path)
        if front is None:
            return
        if front.id != name["id"]:
            self.problem(path, parsed.front_line, f"id {front.id!r} does not match the file name {name['id']!r}")
        for kind in ("takeaways", "mistakes"):
            if not parsed.blocks.get(kind):
                self.problem(path, parsed.front_line, f"lesson has no '::: {kind}' block")
        sections = [Section(**s) for s in parsed.sections if s["anchor"]]
        lesson = Lesson(
            **front.model_dump(),
            order=int(name["order"]),
            sections=sections,
            intro=parsed.intro,
            origin=Origin(path=path, line=1),
        )
        self.add("lesson", lesson)
        self.current.link_refs += [(ref, path, line) for ref, line in parsed.links]
        self.current.sandbox_blocks += [(path, line, cmds) for line, cmds in parsed.sandbox_blocks]

    def load_glossary(self, path: Path) -> None:
        for item in self.yaml_list(path):
            entry = self.build(GlossaryEntry, item, path)
            if entry:
                self.add("glossary term", entry)

    def load_questions(self, path: Path) -> None:
        for item in self.yaml_list(path):
            q = self.build(Question, item, path)
            if q:
                self.add("question", q)

    def load_drills(self, path: Path) -> None:
        for item in self.yaml_list(path):
            d = self.build(Drill, item, path)
            if d:
                self.add("drill", d)

    def load_families(self, path: Path) -> None:
        for item in self.yaml_list(path):
            fam = self.build(ExamFamily, item, path)
            if fam:
                self.add("exam family", fam)

    def load_exam(self, path: Path) -> None:
        data = self.read_yaml(path)
        if data is not None:
            exam = self.build(ExamProfile, data, path)
            if exam:
                self.add("exam profile", exam)

    def load_lab(self, folder: Path) -> None:
        path = folder / "lab.yaml"
        if not path.is_file():
            self.problem(folder, 1, "a lab folder needs a lab.yaml")
            return
        data = self.read_yaml(path)
        if data is None:
            return
        lab = self.build(Lab, data, path)
        if lab is None:
            return
        line = lab.origin.line
        if lab.id != folder.name:
            self.problem(path, line, f"id {lab.id!r} does not match the folder name {folder.name!r}")
        for attr in ("handout", "solution"):
            if not (folder / getattr(lab, attr)).is_file():
                self.problem(path, line, f"{attr} file {getattr(lab, attr)!r} is missing")
        if lab.setup.script and not (folder / lab.setup.script).is_file():
            self.problem(path, line, f"setup script {lab.setup.script!r} is missing")
        if lab.starter and not (folder / lab.starter).is_dir():
            self.problem(path, line, f"starter folder {lab.starter!r} is missing")
        defined: dict[str, set[str] | None] = {}
        for check in lab.checks:
            if check.python:
                module, func = check.python.split(":")
                if module not in defined:
                    defined[module] = _functions_in(folder / (module.replace(".", "/") + ".py"))
                funcs = defined[module]
                if funcs is None:
                    self.problem(check.origin.path if check.origin else path, line,
                                 f"check {check.id!r}: module {module}.py is missing or does not parse")
                elif func not in funcs:
                    self.problem(path, line, f"check {check.id!r}: {module}.py defines no function {func!r}")
        self.add("lab", lab)

    # -- whole roots -----------------------------------------------------------------

    def load_root(self, root: Path) -> None:
        lessons = root / "lessons"
        if lessons.is_dir():
            for path in sorted(lessons.glob("*.md")):
                self.load_file(self.load_lesson, path)
            for path in sorted((lessons / "glossary").glob("*.yaml")):
                self.load_file(self.load_glossary, path)
        bank = root / "question_bank"
        if bank.is_dir():
            if (bank / "domains.yaml").is_file():
                self.load_file(self.load_families, bank / "domains.yaml")
            for path in sorted(bank.glob("*.yaml")):
                if path.name != "domains.yaml":
                    self.load_file(self.load_questions, path)
            for path in sorted((bank / "exams").glob("*.yaml")):
                self.load_file(self.load_exam, path)
            for path in sorted((bank / "drills").glob("*.yaml")):
                self.load_file(self.load_drills, path)
        labs = root / "labs"
        if labs.is_dir():
            for folder in sorted(p for p in labs.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
                self.load_file(self.load_lab, folder)

    def cross_check(self) -> None:
        cat = self.catalog
        self.current = FileResult()  # problems found here belong to no single file
        def ref_ok(ref: str, origin: Origin | None, what: str) -> None:
            if cat.resolve(ref) is None and origin:
                self.problem(origin.path, origin.line, f"{what} {ref!r} does not resolve to a lesson section")

        cat.lessons = dict(sorted(cat.lessons.items(), key=lambda kv: (kv[1].order, kv[0])))
        for ref, path, line in self.link_refs:
            if cat.resolve(ref) is None:
                self.problem(path, line, f"link lesson:{ref} does not resolve")
        for entry in cat.glossary:
            ref_ok(entry.section, entry.origin, "glossary section")
        saa = cat.families.get("saa")
        for lesson in cat.lessons.values():
            for d in lesson.domains:
                if saa and d not in {x.id for x in saa.domains}:
                    self.problem(lesson.origin.path, 2, f"domain {d!r} is not a domain of family 'saa'")
        for q in cat.questions.values():
            ref_ok(q.lesson, q.origin, "lesson")
            if q.lab and q.lab not in cat.labs:
                self.problem(q.origin.path, q.origin.line, f"lab {q.lab!r} does not exist")
            for fam_id, fam in cat.families.items():
                dom = q.domain.get(fam_id)
                if dom is None:
                    self.problem(q.origin.path, q.origin.line, f"domain has no entry for exam family {fam_id!r}")
                elif dom not in {d.id for d in fam.domains}:
                    valid = ", ".join(d.id for d in fam.domains)
                    self.problem(q.origin.path, q.origin.line, f"domain {fam_id}: {dom!r} is not one of {valid}")
            for fam_id in q.domain.keys() - cat.families.keys():
                self.problem(q.origin.path, q.origin.line, f"unknown exam family {fam_id!r} in domain")
        for exam in cat.exams.values():
            fam = cat.families.get(exam.family)
            if fam is None:
                self.problem(exam.origin.path, exam.origin.line, f"unknown exam family {exam.family!r}")
                continue
            for d in exam.domains:
                if d.id not in {x.id for x in fam.domains}:
                    self.problem(exam.origin.path, exam.origin.line, f"domain {d.id!r} is not in family {fam.id!r}")
        for drill in cat.drills.values():
            ref_ok(drill.lesson, drill.origin, "lesson")
        for lab in cat.labs.values():
            for ref in lab.lessons:
                ref_ok(ref, lab.origin, "lesson")
            for qid in lab.questions:
                if qid not in cat.questions:
                    self.problem(lab.origin.path, lab.origin.line, f"question {qid!r} does not exist")
        for a, b in near_duplicates(cat.questions.values()):
            self.problem(b.origin.path, b.origin.line, f"question {b.id!r} is a near-duplicate of {a.id!r} ({a.origin})")
        cat.problems += self.current.problems
        cat.problems.sort()


TOP_LEVEL_DEF = re.compile(r"^(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\(", re.MULTILINE)


def _functions_in(path: Path) -> set[str] | None:
    """Top-level functions of a check module (a line scan: parsing Python here costs too much)."""
    try:
        return set(TOP_LEVEL_DEF.findall(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError):
        return None


WORD = re.compile(r"[a-z0-9]+")


def near_duplicates(questions: Iterable[Question], threshold: float = 0.8) -> list[tuple[Question, Question]]:
    """Pairs of questions whose prompts share most of their word trigrams."""
    shingles: dict[str, set[tuple[str, ...]]] = {}
    by_id = {}
    for q in questions:
        words = WORD.findall(q.prompt.lower())
        grams = {tuple(words[i : i + 3]) for i in range(max(1, len(words) - 2))}
        shingles[q.id] = grams
        by_id[q.id] = q
    # only trigrams that few prompts share can reveal a near-duplicate cheaply
    postings: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for qid, grams in shingles.items():
        for g in grams:
            postings[g].append(qid)
    candidates: set[tuple[str, str]] = set()
    for ids in postings.values():
        if 1 < len(ids) <= 8:
            candidates.update(combinations(sorted(ids), 2))
    pairs = []
    for a, b in sorted(candidates):
        sa, sb = shingles[a], shingles[b]
        if len(sa & sb) / len(sa | sb) >= threshold:
            pairs.append((by_id[a], by_id[b]))
    return pairs


def load_catalog(extra_roots: Iterable[Path] = (), include_builtin: bool = True, use_cache: bool = True) -> Catalog:
    """Load and validate all content. ``include_builtin=False`` loads only ``extra_roots`` (tests).

    Files unchanged since the last load come from the cache; cross-references are always checked.
    """
    cache = ContentCache.open() if use_cache else None
    loader = _Loader(content_roots(extra_roots, include_builtin), cache)
    for root in loader.catalog.roots:
        loader.load_root(root)
    loader.cross_check()
    if cache:
        cache.save()
    return loader.catalog
