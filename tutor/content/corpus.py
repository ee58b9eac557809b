"""The content corpus as plain data: which files it has, what each contributes, and the checks across files.

Nothing here imports pydantic or YAML. A file is parsed (by ``loader``) only when the cache has no
current result for it, so `tutor validate` on an unchanged corpus reads no content and builds no model,
yet still checks every id and cross-reference again.
"""

from __future__ import annotations

import os
import pickle
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .exam_fit import problems as exam_fit_problems

if TYPE_CHECKING:
    from .cache import ContentCache

PACKAGE_DIR = Path(__file__).resolve().parent.parent
CONTENT_DIRS = ("lessons", "labs", "question_bank")


@dataclass(frozen=True, order=True)
class Problem:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Entry:
    """What other files see of one item: its kind and id, where it is, and the fields they check.

    ``data`` by kind: lesson (order, anchors, domains), glossary term (section), question (lesson, lab,
    domain, prompt, task, type, difficulty, options, answer), exam family (domains; tasks: task id -> domain id;
    task_names), exam profile (family, domains, questions, domain_weights, task_coverage), drill (lesson), lab
    (lessons, questions, prerequisites). ``loader.entry_of`` builds it from the item's model.
    """

    kind: str
    id: str
    path: Path
    line: int
    data: dict[str, Any]

    @property
    def origin(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class FileResult:
    """What one file (or lab folder) contributes, before its ids are checked against other files."""

    entries: list[Entry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    link_refs: list[tuple[str, Path, int]] = field(default_factory=list)
    sandbox_blocks: list[tuple[Path, int, str]] = field(default_factory=list)
    items: list[Any] | None = None  # the models, one per entry; not cached (see blob); None once unpickled
    blob: bytes = b""  # the models pickled: unpickling them imports pydantic, which validation can skip

    def models(self) -> list[Any]:
        if self.items is None:
            self.items = pickle.loads(self.blob) if self.blob else []
        return self.items

    def __getstate__(self) -> dict[str, Any]:
        if not self.blob and self.items:
            self.blob = pickle.dumps(self.items, protocol=pickle.HIGHEST_PROTOCOL)
        return {**self.__dict__, "items": None}


# -- where content lives -------------------------------------------------------------


def builtin_root() -> Path:
    """Content shipped in the wheel, or the source tree's top level in a checkout."""
    packaged = PACKAGE_DIR / "_content"
    return packaged if packaged.is_dir() else PACKAGE_DIR.parent


def content_roots(extra: Iterable[Path] = (), include_builtin: bool = True) -> list[Path]:
    """The built-in content, then ``TUTOR_CONTENT_PATH`` folders, then ``extra``."""
    roots = [builtin_root()] if include_builtin else []
    env = os.environ.get("TUTOR_CONTENT_PATH", "") if include_builtin else ""
    roots += [Path(p).expanduser() for p in env.split(os.pathsep) if p.strip()]
    if include_builtin:
        from tutor.paths import workshop_content_roots

        roots += workshop_content_roots()  # a joined workshop's own lessons, labs and questions
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


def content_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(kind of file, path) for every content file of a root, in load order (first definition wins)."""
    lessons = root / "lessons"
    if lessons.is_dir():
        yield from (("lesson", p) for p in sorted(lessons.glob("*.md")))
        yield from (("glossary", p) for p in sorted((lessons / "glossary").glob("*.yaml")))
    bank = root / "question_bank"
    if bank.is_dir():
        if (bank / "domains.yaml").is_file():
            yield "families", bank / "domains.yaml"
        yield from (("questions", p) for p in sorted(bank.glob("*.yaml")) if p.name != "domains.yaml")
        yield from (("exam", p) for p in sorted((bank / "exams").glob("*.yaml")))
        yield from (("drills", p) for p in sorted((bank / "drills").glob("*.yaml")))
    labs = root / "labs"
    if labs.is_dir():
        yield from (("lab", p) for p in sorted(labs.iterdir()) if p.is_dir() and not p.name.startswith((".", "_")))


def collect(roots: Iterable[Path], cache: ContentCache | None) -> list[FileResult]:
    """Every file's result: from the cache when the file is unchanged, parsed otherwise."""
    results = []
    for root in roots:
        for kind, path in content_files(root):
            result = cache.get(path) if cache else None
            if result is None:
                from .loader import parse  # pydantic and YAML only when a file has to be read

                result = parse(kind, path)
                if cache:
                    cache.put(path, result)
            results.append(result)
    return results


# -- checks across files ----------------------------------------------------------------


class Index:
    """Every item of the corpus by kind and id, first definition first, and all problems found."""

    def __init__(self, results: Iterable[FileResult], memo: ContentCache | None = None) -> None:
        self.by_kind: dict[str, dict[str, Entry]] = defaultdict(dict)
        self.problems: list[Problem] = []
        self.link_refs: list[tuple[str, Path, int]] = []
        for result in results:
            self.problems += result.problems
            self.link_refs += result.link_refs
            for entry in result.entries:
                self._add(entry)
        self.by_kind["lesson"] = dict(
            sorted(self.by_kind["lesson"].items(), key=lambda kv: (kv[1].data["order"], kv[0]))
        )
        self._cross_check(memo)
        self.problems.sort()

    def _add(self, entry: Entry) -> None:
        same = self.by_kind[entry.kind]
        first = same.get(entry.id)
        if first is None:
            same[entry.id] = entry
        elif not (entry.kind == "exam family" and first.data["domains"] == entry.data["domains"]):
            # (another root repeating the same exam family is harmless)
            self.problem(entry, f"{entry.kind} id {entry.id!r} is already defined at {first.origin}")

    def accepted(self, entry: Entry) -> bool:
        """False for an item whose id another file defined first."""
        return self.by_kind[entry.kind].get(entry.id) is entry

    def problem(self, entry: Entry, message: str, line: int | None = None) -> None:
        self.problems.append(Problem(entry.path, entry.line if line is None else line, message))

    def resolves(self, ref: str) -> bool:
        """Whether ``lesson`` or ``lesson#anchor`` names an existing lesson or section."""
        lesson_id, _, anchor = ref.partition("#")
        lesson = self.by_kind["lesson"].get(lesson_id)
        return lesson is not None and (not anchor or anchor in lesson.data["anchors"])

    def counts(self) -> dict[str, int]:
        kinds = self.by_kind
        return {
            "lessons": len(kinds["lesson"]),
            "sections": sum(len(x.data["anchors"]) for x in kinds["lesson"].values()),
            "glossary terms": len(kinds["glossary term"]),
            "questions": len(kinds["question"]),
            "labs": len(kinds["lab"]),
            "exam profiles": len(kinds["exam profile"]),
            "drills": len(kinds["drill"]),
        }

    def _check_task(self, q: Entry, task: str) -> None:
        """A question's task statement exists, and lies in the domain the question names for its family."""
        fam_id, line = task.rpartition("-")[0], q.data.get("task_line", q.line)
        family = self.by_kind["exam family"].get(fam_id)
        if family is None:
            self.problem(q, f"task {task!r}: unknown exam family {fam_id!r}", line)
            return
        task_domain = family.data["tasks"].get(task)
        if task_domain is None:
            known = ", ".join(family.data["tasks"]) or "none"
            self.problem(q, f"task {task!r} is not a task statement of family {fam_id!r} (known: {known})", line)
        elif q.data["domain"].get(fam_id) not in (None, task_domain):
            self.problem(
                q,
                f"task {task!r} is in domain {task_domain!r}, but the question's domain for "
                f"{fam_id} is {q.data['domain'][fam_id]!r}",
                line,
            )

    def _cross_check(self, memo: ContentCache | None) -> None:
        kinds = self.by_kind
        families = {fid: set(f.data["domains"]) for fid, f in kinds["exam family"].items()}

        def lesson_ref(entry: Entry, ref: str, what: str) -> None:
            if not self.resolves(ref):
                self.problem(entry, f"{what} {ref!r} does not resolve to a lesson section")

        for ref, path, line in self.link_refs:
            if not self.resolves(ref):
                self.problems.append(Problem(path, line, f"link lesson:{ref} does not resolve"))
        for term in kinds["glossary term"].values():
            lesson_ref(term, term.data["section"], "glossary section")
        if "saa" in families:
            for lesson in kinds["lesson"].values():
                for d in lesson.data["domains"]:
                    if d not in families["saa"]:
                        self.problem(lesson, f"domain {d!r} is not a domain of family 'saa'", line=2)
        for q in kinds["question"].values():
            lesson_ref(q, q.data["lesson"], "lesson")
            if q.data["lab"] and q.data["lab"] not in kinds["lab"]:
                self.problem(q, f"lab {q.data['lab']!r} does not exist")
            domain = q.data["domain"]
            for fam_id, fam in kinds["exam family"].items():
                dom = domain.get(fam_id)
                if dom is None:
                    self.problem(q, f"domain has no entry for exam family {fam_id!r}")
                elif dom not in families[fam_id]:
                    self.problem(q, f"domain {fam_id}: {dom!r} is not one of {', '.join(fam.data['domains'])}")
            for fam_id in domain.keys() - families.keys():
                self.problem(q, f"unknown exam family {fam_id!r} in domain")
            for task in q.data["task"]:
                self._check_task(q, task)
        for exam in kinds["exam profile"].values():
            fam_id = exam.data["family"]
            if fam_id not in families:
                self.problem(exam, f"unknown exam family {fam_id!r}")
                continue
            for d in exam.data["domains"]:
                if d not in families[fam_id]:
                    self.problem(exam, f"domain {d!r} is not in family {fam_id!r}")
        for drill in kinds["drill"].values():
            lesson_ref(drill, drill.data["lesson"], "lesson")
        for lab in kinds["lab"].values():
            for ref in lab.data["lessons"]:
                lesson_ref(lab, ref, "lesson")
            for qid in lab.data["questions"]:
                if qid not in kinds["question"]:
                    self.problem(lab, f"question {qid!r} does not exist")
            for pid in lab.data.get("prerequisites", []):
                if pid == lab.id:
                    self.problem(lab, f"prerequisite {pid!r} is the lab itself")
                elif pid not in kinds["lab"]:
                    self.problem(lab, f"prerequisite {pid!r} is not a lab")
        for lab_id in _prerequisite_cycle({k: v.data.get("prerequisites", []) for k, v in kinds["lab"].items()}):
            self.problem(kinds["lab"][lab_id], f"prerequisites go round in a circle through {lab_id!r}")
        for entry, at, message in exam_fit_problems(self):
            self.problem(entry, message, at)
        questions = kinds["question"]
        prompts = tuple((qid, q.data["prompt"]) for qid, q in questions.items())
        pairs = memo.memo("near-duplicates", prompts, near_duplicates) if memo else near_duplicates(prompts)
        for a, b in pairs:
            self.problem(questions[b], f"question {b!r} is a near-duplicate of {a!r} ({questions[a].origin})")


def _prerequisite_cycle(graph: dict[str, list[str]]) -> list[str]:
    """The labs on a prerequisite cycle (empty when the graph is a proper order)."""
    state: dict[str, int] = {}  # 1 visiting, 2 done
    on_cycle: list[str] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in graph.get(node, []):
            if nxt not in graph or nxt == node:
                continue
            if state.get(nxt) == 1:
                on_cycle.extend(n for n in path[path.index(nxt) :] + [node] if n not in on_cycle)
            elif nxt not in state:
                visit(nxt, path + [node])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    return sorted(set(on_cycle))


WORD = re.compile(r"[a-z0-9]+")


def near_duplicates(prompts: Iterable[tuple[str, str]], threshold: float = 0.8) -> list[tuple[str, str]]:
    """Pairs of ids whose prompts share most of their word trigrams; ``prompts`` is (id, prompt)."""
    shingles: dict[str, set[tuple[str, ...]]] = {}
    for qid, prompt in prompts:
        words = WORD.findall(prompt.lower())
        shingles[qid] = {tuple(words[i : i + 3]) for i in range(max(1, len(words) - 2))}
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
            pairs.append((a, b))
    return pairs
