"""Load every content root into one validated Catalog.

Loading never stops at the first bad file: each item that fails validation is skipped and
recorded as a Problem (file, line, message), so the app can start with the rest. Ids and
references across files are checked by ``corpus.Index``, which `tutor validate` uses on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .cache import ContentCache
from .corpus import Entry, FileResult, Index, Problem, collect, content_roots
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
from .yamlio import YamlError, line_of, load_yaml

M = TypeVar("M", bound=BaseModel)

COLLECTIONS = {
    "lesson": "lessons",
    "question": "questions",
    "drill": "drills",
    "exam profile": "exams",
    "exam family": "families",
    "lab": "labs",
}


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
    index: Index = field(default_factory=lambda: Index([]))

    def add(self, kind: str, model: Any) -> None:
        if kind == "glossary term":
            self.glossary.append(model)
        else:
            getattr(self, COLLECTIONS[kind])[model.id] = model

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

    def labs_in_order(self) -> list[Lab]:
        """The guided order of the Labs list: a lab comes after its prerequisites, and among the labs that are
        ready, the easier and shorter first (then by id, so the order is stable)."""
        remaining = dict(self.labs)
        done: set[str] = set()
        ordered: list[Lab] = []
        while remaining:
            ready = [
                lab for lab in remaining.values() if all(p in done or p not in self.labs for p in lab.prerequisites)
            ]
            if not ready:  # a cycle (validate reports it): fall back to the plain order for the rest
                ready = list(remaining.values())
            nxt = min(ready, key=lambda lab: (lab.difficulty, lab.estimated_minutes, lab.id))
            ordered.append(nxt)
            done.add(nxt.id)
            del remaining[nxt.id]
        return ordered

    def counts(self) -> dict[str, int]:
        return self.index.counts()


def entry_of(kind: str, model: Any) -> Entry:
    """What the checks across files need of a model (see ``Entry``), as plain data."""
    if kind == "lesson":
        data = {"order": model.order, "anchors": tuple(s.anchor for s in model.sections), "domains": model.domains}
    elif kind == "glossary term":
        data = {"section": model.section}
    elif kind == "question":
        data = {
            "lesson": model.lesson,
            "lab": model.lab,
            "domain": dict(model.domain),
            "prompt": model.prompt,
            "task": list(model.task),
            "type": model.type,
            "difficulty": model.difficulty,
            "options": list(model.options),
            "answer": model.answer,
        }
    elif kind == "exam family":
        data = {
            "domains": [d.id for d in model.domains],
            "tasks": model.task_domains(),
            "task_names": model.task_names(),
        }
    elif kind == "exam profile":
        coverage = model.task_coverage.model_dump() if model.task_coverage else None
        data = {
            "family": model.family,
            "domains": [d.id for d in model.domains],
            "questions": model.questions,
            "domain_weights": [(d.id, d.weight) for d in model.domains],
            "task_coverage": coverage,
        }
    elif kind == "drill":
        data = {"lesson": model.lesson}
    else:
        data = {
            "lessons": list(model.lessons),
            "questions": list(model.questions),
            "prerequisites": list(model.prerequisites),
        }
    ident = model.term.lower() if kind == "glossary term" else model.id
    return Entry(kind, ident, model.origin.path, model.origin.line, data)


class _FileParser:
    """Reads and validates one file (or lab folder) into a FileResult; ids are checked later, by Index."""

    def __init__(self) -> None:
        self.current = FileResult(items=[])

    def problem(self, path: Path, line: int, message: str) -> None:
        self.current.problems.append(Problem(path, line, message))

    def add(self, kind: str, model: Any) -> None:
        assert self.current.items is not None  # a file being loaded always collects its models
        self.current.items.append(model)
        self.current.entries.append(entry_of(kind, model))

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
                # task statements are checked across files, against domains.yaml: point at their line
                self.current.entries[-1].data["task_line"] = line_of(
                    item, ("task",), (q.origin.line if q.origin else 1)
                )

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
                self.current.entries[-1].data["coverage_line"] = line_of(
                    data, ("task_coverage",), (exam.origin.line if exam.origin else 1)
                )

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
        line = lab.origin.line if lab.origin else 1
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
                    self.problem(
                        check.origin.path if check.origin else path,
                        line,
                        f"check {check.id!r}: module {module}.py is missing or does not parse",
                    )
                elif func not in funcs:
                    self.problem(path, line, f"check {check.id!r}: {module}.py defines no function {func!r}")
        self.add("lab", lab)


TOP_LEVEL_DEF = re.compile(r"^(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\(", re.MULTILINE)


def _functions_in(path: Path) -> set[str] | None:
    """Top-level functions of a check module (a line scan: parsing Python here costs too much)."""
    try:
        return set(TOP_LEVEL_DEF.findall(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError):
        return None


def parse(kind: str, path: Path) -> FileResult:
    """One content file (or lab folder) of the given kind (see ``corpus.content_files``), parsed and validated."""
    parser = _FileParser()
    getattr(parser, f"load_{kind}")(path)
    return parser.current


def load_catalog(extra_roots: Iterable[Path] = (), include_builtin: bool = True, use_cache: bool = True) -> Catalog:
    """Load and validate all content. ``include_builtin=False`` loads only ``extra_roots`` (tests).

    Files unchanged since the last load come from the cache; ids and cross-references are always checked.
    """
    cache = ContentCache.open() if use_cache else None
    roots = content_roots(extra_roots, include_builtin)
    results = collect(roots, cache)
    index = Index(results, memo=cache)
    catalog = Catalog(roots=roots, problems=index.problems, index=index)
    for result in results:
        catalog.sandbox_blocks += result.sandbox_blocks
        for entry, model in zip(result.entries, result.models(), strict=True):
            if index.accepted(entry):
                catalog.add(entry.kind, model)
    catalog.lessons = {lid: catalog.lessons[lid] for lid in index.by_kind["lesson"]}  # in the index's order
    if cache:
        cache.save()
    return catalog
