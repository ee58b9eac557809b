"""Pydantic schemas for every kind of content.

Unknown fields are errors (``extra="forbid"``) so that a typo in a key is caught by
``tutor validate`` instead of being silently ignored.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
Ident = Annotated[str, Field(pattern=ID_PATTERN)]
# "lesson-id" or "lesson-id#section-anchor"
LessonRef = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*(#[a-z0-9][a-z0-9-]*)?$")]
LETTERS = "ABCDEFGHIJ"
# an exam task statement: "saa-3.5" is task statement 3.5 of the saa family (see question_bank/domains.yaml)
TASK_PATTERN = r"^[a-z0-9][a-z0-9-]*-[0-9]+\.[0-9]+$"
TaskRef = Annotated[str, Field(pattern=TASK_PATTERN)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Origin(Strict):
    """Where a piece of content came from, so errors and the UI can point at it."""

    path: Path
    line: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


# ---------------------------------------------------------------- lessons


class Section(Strict):
    anchor: str
    title: str
    line: int
    body: str  # Markdown of the section, without its heading


class Lesson(Strict):
    id: Ident
    title: str
    summary: str
    objectives: list[str] = Field(min_length=1)
    domains: list[str] = Field(default_factory=list)
    order: int = 0  # taken from the NN- file prefix
    sections: list[Section] = Field(default_factory=list)
    intro: str = ""  # Markdown before the first section
    origin: Origin | None = None

    def section(self, anchor: str) -> Section | None:
        return next((s for s in self.sections if s.anchor == anchor), None)


class LessonFrontMatter(Strict):
    """The YAML block at the top of a lesson file."""

    id: Ident
    title: str
    summary: str
    objectives: list[str] = Field(min_length=1)
    domains: list[str] = Field(default_factory=list)


class GlossaryEntry(Strict):
    term: str
    definition: str
    section: LessonRef
    origin: Origin | None = None


# ---------------------------------------------------------------- questions


class Question(Strict):
    id: Ident
    lesson: LessonRef
    # exam family -> domain id, e.g. {saa: secure, clf: security}; see question_bank/domains.yaml
    domain: dict[str, str]
    type: Literal["single", "multi", "true_false", "numeric", "order"]
    difficulty: Literal[1, 2, 3]
    tags: list[str] = Field(default_factory=list)
    # the exam task statements it examines, e.g. [saa-3.5, clf-3.7]; none of a family keeps it out of that
    # family's mocks (it stays in review and practice)
    task: list[TaskRef] = Field(default_factory=list)
    prompt: str
    options: list[str] = Field(default_factory=list)
    choose: int | None = None  # "choose N" for multi
    answer: Any
    tolerance: float = 0  # numeric only
    unit: str | None = None  # numeric only, shown after the input
    explanation: str
    lab: Ident | None = None
    origin: Origin | None = None

    @field_validator("task", mode="before")
    @classmethod
    def _task_list(cls, task: Any) -> Any:
        return [task] if isinstance(task, str) else task  # `task: saa-3.5` is a list of one

    @field_validator("task")
    @classmethod
    def _task_unique(cls, task: list[str]) -> list[str]:
        repeated = sorted({t for t in task if task.count(t) > 1})
        if repeated:
            raise ValueError(f"task {', '.join(repeated)} is named twice")
        return task

    @field_validator("answer")
    @classmethod
    def _answer_fits_type(cls, ans: Any, info: ValidationInfo) -> Any:
        # a field validator (not a model one) so that errors point at the answer's line
        kind, opts, choose = info.data.get("type"), info.data.get("options") or [], info.data.get("choose")
        if kind is None:
            return ans
        letters = LETTERS[: len(opts)]
        if kind in ("single", "multi", "order") and len(opts) < 2:
            raise ValueError(f"a {kind} question needs at least two options")
        if kind != "multi" and choose is not None:
            raise ValueError("'choose' is only for multi questions")
        if kind == "single":
            if not (isinstance(ans, str) and len(ans) == 1 and ans in letters):
                raise ValueError(f"answer must be one letter among {letters}, got {ans!r}")
        elif kind == "multi":
            if not (isinstance(ans, list) and ans and all(isinstance(a, str) and a in letters for a in ans)):
                raise ValueError(f"answer must be a list of letters among {letters}, got {ans!r}")
            if len(set(ans)) != len(ans):
                raise ValueError("answer repeats a letter")
            if choose != len(ans):
                raise ValueError(f"'choose' is {choose} but the answer has {len(ans)} letters")
            if len(ans) >= len(opts):
                raise ValueError("a multi question needs more options than answers")
        elif kind == "true_false":
            if not isinstance(ans, bool) or opts:
                raise ValueError("a true_false answer is true or false, with no options")
        elif kind == "numeric":
            if isinstance(ans, bool) or not isinstance(ans, (int, float)) or opts:
                raise ValueError("a numeric answer is a number, with no options")
        elif kind == "order" and not (isinstance(ans, str) and sorted(ans) == sorted(letters)):
            raise ValueError(f"an order answer lists every letter {letters} once, got {ans!r}")
        return ans

    def is_correct(self, response: Any) -> bool:
        """Grade a response given in the same form as ``answer``."""
        if self.type == "multi":
            return isinstance(response, (list, set, tuple)) and set(response) == set(self.answer)
        if self.type == "numeric":
            try:
                return abs(float(response) - float(self.answer)) <= self.tolerance
            except (TypeError, ValueError):
                return False
        return response == self.answer

    def tasks_of(self, family: str) -> list[str]:
        """The task statements of one exam family this question examines, e.g. ["saa-3.5"]."""
        return [t for t in self.task if task_family(t) == family]


def task_family(task: str) -> str:
    """The exam family of a task reference: "saa" for "saa-3.5"."""
    return task.rpartition("-")[0]


class TaskSpec(Strict):
    """One task statement of an exam guide; its number is written as a string: "3.5"."""

    id: str = Field(pattern=r"^[0-9]+\.[0-9]+$")
    name: str


class DomainSpec(Strict):
    id: Ident
    name: str
    tasks: list[TaskSpec] = Field(default_factory=list)


class ExamFamily(Strict):
    id: Ident
    name: str
    domains: list[DomainSpec]
    origin: Origin | None = None

    @field_validator("domains")
    @classmethod
    def _tasks_numbered_by_domain(cls, domains: list[DomainSpec]) -> list[DomainSpec]:
        # the exam guides number task statements by domain: domain 3's tasks are 3.1, 3.2, ...
        seen: set[str] = set()
        for number, dom in enumerate(domains, start=1):
            for t in dom.tasks:
                if t.id.partition(".")[0] != str(number):
                    raise ValueError(f"task {t.id} is listed under domain {number} ({dom.id}): it must start {number}.")
                if t.id in seen:
                    raise ValueError(f"task {t.id} is listed twice")
                seen.add(t.id)
        return domains

    def task_domains(self) -> dict[str, str]:
        """Every task statement of the family ("saa-3.5") with its domain id."""
        return {f"{self.id}-{t.id}": d.id for d in self.domains for t in d.tasks}

    def task_names(self) -> dict[str, str]:
        return {f"{self.id}-{t.id}": t.name for d in self.domains for t in d.tasks}


# ---------------------------------------------------------------- exams and drills


class ProfileDomain(Strict):
    id: Ident
    weight: float = Field(gt=0)


class Scoring(Strict):
    min: int = 0
    max: int = 100
    passing: int

    @model_validator(mode="after")
    def _ordered(self) -> Scoring:
        if not self.min <= self.passing <= self.max:
            raise ValueError("scoring needs min <= passing <= max")
        return self


class TaskCoverage(Strict):
    """How many choice questions each task statement of the profile's family must have (see exam_fit)."""

    sittings: int = Field(gt=0)  # enough for this many mocks without a repeat
    enforce: bool = False  # false: `tutor validate` reports shortfalls but does not fail on them


class ExamProfile(Strict):
    id: Ident
    title: str
    description: str = ""
    family: Ident
    questions: int = Field(gt=0)
    minutes: int = Field(gt=0)
    domains: list[ProfileDomain] = Field(min_length=1)
    scoring: Scoring
    task_coverage: TaskCoverage | None = None
    origin: Origin | None = None


class KeyPoint(Strict):
    id: Ident
    point: str
    # any of these phrases (case-insensitive, word-bounded) counts as covering the point
    phrases: list[str] = Field(min_length=1)


class Drill(Strict):
    id: Ident
    title: str
    prompt: str
    minutes: int = Field(gt=0)
    lesson: LessonRef
    tags: list[str] = Field(default_factory=list)
    key_points: list[KeyPoint] = Field(min_length=2)
    model_answer: str
    origin: Origin | None = None


# ---------------------------------------------------------------- labs


class Expect(Strict):
    """A matcher over the JMESPath result. Exactly one key is set."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    equals: Any = None
    contains: Any = None  # list contains value / string contains substring
    matches: str | None = None  # regex, searched in str(value)
    length: int | None = None
    exists: bool | None = None  # value is not None / is None
    one_of: list[Any] | None = None
    gte: float | None = None
    lte: float | None = None
    each: Expect | None = None  # every element of a non-empty list matches
    some: Expect | None = None  # at least one element matches
    all_: list[Expect] | None = Field(default=None, alias="all")
    any_: list[Expect] | None = Field(default=None, alias="any")
    not_: Expect | None = Field(default=None, alias="not")

    @model_validator(mode="before")
    @classmethod
    def _exactly_one(cls, data: Any) -> Any:
        if isinstance(data, dict) and len(data) != 1:
            raise ValueError(f"an expectation has exactly one matcher key, got {sorted(data) or 'none'}")
        return data

    def kind(self) -> str:
        return next(k for k, v in self.model_dump(by_alias=True, exclude_unset=True).items())


class Check(Strict):
    id: Ident
    title: str
    weight: float = Field(default=1, gt=0)
    # declarative form: boto3 client method + params + JMESPath + matcher
    call: str | None = Field(default=None, pattern=r"^[a-z0-9-]+\.[a-z0-9_]+$")
    params: dict[str, Any] = Field(default_factory=dict)
    query: str | None = None
    expect: Expect | None = None
    # python form: "module:function" inside the lab folder
    python: str | None = Field(default=None, pattern=r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")
    fail: str  # the teaching message shown when the check fails
    origin: Origin | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Check:
        if (self.call is None) == (self.python is None):
            raise ValueError("a check has either 'call' (with 'expect') or 'python', not both and not neither")
        if self.call and self.expect is None:
            raise ValueError("a 'call' check needs an 'expect' matcher")
        if self.python and (self.params or self.query or self.expect):
            raise ValueError("a 'python' check takes no params, query or expect")
        return self

    @field_validator("query")
    @classmethod
    def _jmespath_compiles(cls, query: str | None) -> str | None:
        if query is not None:
            import jmespath  # small, pure Python; the error belongs to validation, not grading

            try:
                jmespath.compile(query)
            except jmespath.exceptions.JMESPathError as exc:
                reason = str(exc).splitlines()[0]
                raise ValueError(f"{query!r} is not valid JMESPath ({reason})") from None
        return query


class SetupCall(Strict):
    call: str = Field(pattern=r"^[a-z0-9-]+\.[a-z0-9_]+$")
    params: dict[str, Any] = Field(default_factory=dict)


class LabSetup(Strict):
    calls: list[SetupCall] = Field(default_factory=list)  # run in order with boto3
    script: str | None = None  # "setup.py" defining setup(ctx), run after the calls


class Lab(Strict):
    id: Ident
    title: str
    summary: str
    lessons: list[LessonRef] = Field(min_length=1)
    services: list[str] = Field(min_length=1)
    difficulty: Literal[1, 2, 3] = 2
    estimated_minutes: int = Field(gt=0)
    handout: str = "handout.md"  # file in the lab folder
    setup: LabSetup = Field(default_factory=LabSetup)
    checks: list[Check] = Field(min_length=1)
    hints: list[str] = Field(min_length=1)  # progressive: vague first, precise last
    solution: str = "solution.py"  # defines solve(ctx)
    starter: str | None = None  # folder copied into the learner's workspace
    questions: list[Ident] = Field(default_factory=list)  # exam questions this lab teaches
    prerequisites: list[Ident] = Field(default_factory=list)  # labs worth doing first (the guided order)
    origin: Origin | None = None

    @field_validator("checks")
    @classmethod
    def _unique_check_ids(cls, checks: list[Check]) -> list[Check]:
        seen: set[str] = set()
        for c in checks:
            if c.id in seen:
                raise ValueError(f"check id {c.id!r} is used twice")
            seen.add(c.id)
        return checks

    @property
    def folder(self) -> Path | None:
        return self.origin.path.parent if self.origin else None


def anchor_of(title: str) -> str:
    """The anchor a heading gets when the author gives none."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
