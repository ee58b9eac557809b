"""The workshop pack: ``workshop.yaml`` (id, title, start and end, an agenda) and an optional content folder.

A pack is content like the rest: a pydantic schema with unknown keys rejected, problems reported as file:line, and
every agenda reference resolved against the built-in content plus the pack's own folder. The server ships a pack as
one deterministic tar.gz, so its SHA-256 names it and an attendee can check what it downloaded.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import random
import tarfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import AwareDatetime, Discriminator, Field, Tag, ValidationError, model_validator

from tutor.content.corpus import Problem
from tutor.content.schema import Ident, LessonRef, Strict
from tutor.content.yamlio import YamlError, line_of, load_yaml

if TYPE_CHECKING:
    from tutor.content.loader import Catalog

PACK_FILE = "workshop.yaml"
MAX_PACK_BYTES = 20 * 1024 * 1024  # a pack is text; anything bigger is a mistake (a stray data file)


class WorkshopError(Exception):
    """A workshop problem the user can act on; the message says what to do."""


# ---------------------------------------------------------------- the agenda


class LessonItem(Strict):
    lesson: LessonRef  # a lesson or one of its sections, "s3#versioning"
    title: str | None = None


class LabItem(Strict):
    lab: Ident
    hint_penalty: float = Field(0.1, ge=0, le=1)  # share of the lab's score each hint costs in the gradebook
    due: AwareDatetime | None = None
    title: str | None = None


class QuestionSet(Strict):
    """Either explicit question ids, or a chapter and/or an exam domain ("saa:secure") with a count and a seed."""

    ids: list[Ident] = Field(default_factory=list, max_length=500)
    chapter: Ident | None = None
    domain: Annotated[str, Field(pattern=r"^[a-z0-9-]+:[a-z0-9-]+$")] | None = None
    count: int | None = Field(None, ge=1, le=500)
    seed: int = 0

    @model_validator(mode="after")
    def _one_way(self) -> QuestionSet:
        if self.ids and (self.chapter or self.domain or self.count):
            raise ValueError("give either ids, or chapter/domain with a count, not both")
        if not self.ids and not (self.chapter or self.domain):
            raise ValueError("give ids, or a chapter and/or a domain (family:domain) with a count")
        if not self.ids and self.count is None:
            raise ValueError("a question set by chapter or domain needs a count")
        return self


class QuestionsItem(Strict):
    questions: QuestionSet
    title: str | None = None


class ExamSpec(Strict):
    profile: Ident
    seed: int = 0


class ExamItem(Strict):
    exam: ExamSpec
    title: str | None = None


class DrillsItem(Strict):
    drills: list[Ident] = Field(min_length=1, max_length=100)
    title: str | None = None


ITEM_KINDS = ("lesson", "lab", "questions", "exam", "drills")


def _item_kind(data: Any) -> str | None:
    if isinstance(data, dict):
        return next((k for k in ITEM_KINDS if k in data), None)
    return next((k for k in ITEM_KINDS if hasattr(data, k)), None)


AgendaItem = Annotated[
    Annotated[LessonItem, Tag("lesson")]
    | Annotated[LabItem, Tag("lab")]
    | Annotated[QuestionsItem, Tag("questions")]
    | Annotated[ExamItem, Tag("exam")]
    | Annotated[DrillsItem, Tag("drills")],
    Discriminator(
        _item_kind,
        custom_error_type="agenda_item",
        custom_error_message="an agenda item is one of: lesson, lab, questions, exam, drills",
    ),
]


class Pack(Strict):
    id: Ident
    title: Annotated[str, Field(min_length=1, max_length=200)]
    starts: AwareDatetime
    ends: AwareDatetime
    content: str | None = None  # a folder beside workshop.yaml with lessons/, labs/, question_bank/
    agenda: list[AgendaItem] = Field(min_length=1, max_length=200)

    @model_validator(mode="after")
    def _in_order(self) -> Pack:
        if self.ends <= self.starts:
            raise ValueError("ends must be after starts")
        return self

    def content_dir(self, pack_dir: Path) -> Path | None:
        return (pack_dir / self.content) if self.content else None


def item_key(item: Any) -> str:
    """A stable name for an agenda item: ``lab:sqs-dead-letter``, ``lesson:s3#versioning``, ``exam:quick:42``."""
    if isinstance(item, LessonItem):
        return f"lesson:{item.lesson}"
    if isinstance(item, LabItem):
        return f"lab:{item.lab}"
    if isinstance(item, ExamItem):
        return f"exam:{item.exam.profile}:{item.exam.seed}"
    if isinstance(item, DrillsItem):
        return "drills:" + ",".join(item.drills)
    q = item.questions
    return "questions:" + (",".join(q.ids) if q.ids else f"{q.chapter or ''}:{q.domain or ''}:{q.count}:{q.seed}")


def item_title(item: Any, catalog: Catalog | None = None) -> str:
    if item.title:
        return item.title
    if isinstance(item, LessonItem):
        found = catalog.resolve(item.lesson) if catalog else None
        if found:
            lesson, section = found
            return f"Read {lesson.title}" + (f": {section.title}" if section else "")
        return f"Read {item.lesson}"
    if isinstance(item, LabItem):
        lab = catalog.labs.get(item.lab) if catalog else None
        return f"Lab: {lab.title if lab else item.lab}"
    if isinstance(item, ExamItem):
        return f"Mock exam {item.exam.profile} (seed {item.exam.seed})"
    if isinstance(item, DrillsItem):
        names = [catalog.drills[d].title if catalog and d in catalog.drills else d for d in item.drills]
        return f"Drill{'s' if len(names) > 1 else ''}: {', '.join(names)}"
    q = item.questions
    what = ", ".join(x for x in (q.chapter, q.domain) if x)
    return f"{len(q.ids)} questions" if q.ids else f"{q.count} questions on {what}"


# ---------------------------------------------------------------- loading and checking


def pack_file(path: Path) -> Path:
    return path / PACK_FILE if path.is_dir() else path


@dataclass
class PackCheck:
    pack: Pack | None
    pack_dir: Path
    problems: list[Problem] = field(default_factory=list)
    catalog: Catalog | None = None

    @property
    def ok(self) -> bool:
        return self.pack is not None and not self.problems


def load_pack(path: Path) -> tuple[Pack | None, list[Problem]]:
    """Parse and schema-check ``workshop.yaml`` (or the folder holding it); problems carry file and line."""
    file = pack_file(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(file, 1, f"cannot read the pack: {exc}")]
    try:
        data = load_yaml(text, file)
    except YamlError as exc:
        return None, [Problem(exc.path, exc.line, exc.message)]
    if not isinstance(data, dict):
        return None, [Problem(file, getattr(data, "line", 1), "expected a mapping (id, title, starts, ends, agenda)")]
    try:
        return Pack.model_validate(data), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            if len(loc) >= 3 and loc[0] == "agenda" and loc[2] in ITEM_KINDS:
                loc = (
                    loc[:2] + loc[3:]
                )  # drop the union's tag: "agenda.3.questions.count", not "...questions.questions..."
            where = ".".join(str(p) for p in loc) or "pack"
            problems.append(Problem(file, line_of(data, loc, 1), f"{where}: {err['msg']}"))
        return None, sorted(set(problems))


def check_pack(path: Path, use_cache: bool = True) -> PackCheck:
    """The schema, the pack's own content, and every agenda reference against built-in plus pack content."""
    from tutor.content.loader import load_catalog

    file = pack_file(path)
    pack_dir = file.parent
    pack, problems = load_pack(path)
    result = PackCheck(pack, pack_dir, problems)
    if pack is None:
        return result
    data = load_yaml(file.read_text(encoding="utf-8"), file)
    extra: list[Path] = []
    content = pack.content_dir(pack_dir)
    if content is not None:
        if not content.is_dir():
            result.problems.append(Problem(file, line_of(data, ("content",), 1), f"content: no folder {content}"))
        else:
            extra.append(content)
    catalog = load_catalog(extra_roots=extra, use_cache=use_cache)
    result.catalog = catalog
    if content is not None and content.is_dir():
        inside = content.resolve()
        result.problems += [p for p in catalog.problems if inside in p.path.resolve().parents]
    for index, item in enumerate(pack.agenda):
        for loc, message in _unresolved(catalog, item):
            result.problems.append(Problem(file, line_of(data, ("agenda", index, *loc), 1), message))
    return result


def _unresolved(catalog: Catalog, item: Any) -> list[tuple[tuple, str]]:
    out: list[tuple[tuple, str]] = []
    if isinstance(item, LessonItem):
        if catalog.resolve(item.lesson) is None:
            out.append((("lesson",), f"lesson: no lesson or section {item.lesson!r}"))
    elif isinstance(item, LabItem):
        if item.lab not in catalog.labs:
            out.append((("lab",), f"lab: no lab {item.lab!r}"))
    elif isinstance(item, ExamItem):
        if item.exam.profile not in catalog.exams:
            known = ", ".join(sorted(catalog.exams))
            out.append(
                (("exam", "profile"), f"exam.profile: no exam profile {item.exam.profile!r} (there are {known})")
            )
    elif isinstance(item, DrillsItem):
        for i, drill in enumerate(item.drills):
            if drill not in catalog.drills:
                out.append((("drills", i), f"drills: no drill {drill!r}"))
    elif isinstance(item, QuestionsItem):
        q = item.questions
        for i, qid in enumerate(q.ids):
            if qid not in catalog.questions:
                out.append((("questions", "ids", i), f"questions.ids: no question {qid!r}"))
        if q.chapter and q.chapter not in catalog.lessons:
            out.append((("questions", "chapter"), f"questions.chapter: no chapter {q.chapter!r}"))
        elif not q.ids:
            found = len(_candidates(catalog, q))
            if q.count and found < q.count:
                out.append((("questions", "count"), f"questions.count: {q.count} asked, only {found} questions match"))
    return out


def _candidates(catalog: Catalog, q: QuestionSet) -> list[str]:
    family, _, domain = (q.domain or "").partition(":")
    return sorted(
        qid
        for qid, question in catalog.questions.items()
        if (not q.chapter or question.lesson.partition("#")[0] == q.chapter)
        and (not q.domain or question.domain.get(family) == domain)
    )


def question_ids(catalog: Catalog, q: QuestionSet) -> list[str]:
    """The questions of a set: its ids, or ``count`` drawn with ``seed`` (the same for everyone in the room)."""
    if q.ids:
        return list(q.ids)
    candidates = _candidates(catalog, q)
    return random.Random(q.seed).sample(candidates, min(q.count or 0, len(candidates)))


# ---------------------------------------------------------------- shipping


def _packed_files(pack_dir: Path, pack: Pack) -> list[Path]:
    files = [pack_dir / PACK_FILE]
    content = pack.content_dir(pack_dir)
    if content is not None and content.is_dir():
        files += sorted(
            p
            for p in content.rglob("*")
            if p.is_file()
            and not any(part.startswith(".") or part == "__pycache__" for part in p.relative_to(pack_dir).parts)
        )
    return files


def bundle(pack_dir: Path, pack: Pack) -> bytes:
    """The pack as a tar.gz with fixed metadata, so the same files always give the same bytes and hash."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in _packed_files(pack_dir, pack):
            data = path.read_bytes()
            info = tarfile.TarInfo(path.relative_to(pack_dir).as_posix())
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            tar.addfile(info, io.BytesIO(data))
    packed = gzip.compress(raw.getvalue(), mtime=0)
    if len(packed) > MAX_PACK_BYTES:
        raise WorkshopError(
            f"the pack is {len(packed) // 1024} KiB packed; keep it under {MAX_PACK_BYTES // 2**20} MiB"
        )
    return packed


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def unpack(data: bytes, expected_sha256: str, target: Path) -> Path:
    """Check the hash, then extract into ``target`` (nothing outside it, no links). Returns ``target``."""
    actual = sha256(data)
    if actual != expected_sha256:
        raise WorkshopError(
            f"the downloaded pack does not match its hash ({actual[:12]} != {expected_sha256[:12]}); join again"
        )
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        tar.extractall(target, filter="data")
    return target


def now_between(pack: Pack, at: datetime) -> bool:
    return pack.starts <= at <= pack.ends


__all__ = [
    "ITEM_KINDS",
    "PACK_FILE",
    "AgendaItem",
    "DrillsItem",
    "ExamItem",
    "LabItem",
    "LessonItem",
    "Pack",
    "PackCheck",
    "QuestionSet",
    "QuestionsItem",
    "WorkshopError",
    "bundle",
    "check_pack",
    "item_key",
    "item_title",
    "load_pack",
    "question_ids",
    "sha256",
    "unpack",
]
