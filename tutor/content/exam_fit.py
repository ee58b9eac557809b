"""Does the bank prepare a learner for the real exam? Syllabus coverage and giveaways, over plain data.

Two questions, both answered from the ``corpus.Entry`` data so `tutor validate` needs no pydantic:

- Coverage: how many choice questions (the kinds mocks draw) name each task statement of an exam
  profile's family, against a minimum derived from the profile's weights (``task_minimums``).
- Giveaways: can a test-wise learner score without knowing AWS? A correct option that is usually the
  longest (or the second longest) is a cue; so are multi-answer keys that are exactly the k longest
  options, true/false keys that lean one way, and absolute words ("always", "never") that mark only
  the wrong options. ``giveaways`` measures each against a band.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

CHOICE_TYPES = ("single", "multi")  # what mocks draw; true/false, numeric and order stay in review

# The bands, from the exam's own shape: with four options a key at random lands on each length rank 25% of
# the time; 15-40% leaves room for real variation while no rank becomes a safe guess.
RANK_BAND = (0.15, 0.40)
K_LONGEST_MAX = 0.20  # share of multi-answer questions whose key is exactly the k longest options
TRUE_BAND = (0.40, 0.60)
# a share over a handful of questions says nothing; smaller samples are reported, never failed
MIN_SAMPLE = 30
RANKS = 4  # length ranks reported: longest, 2nd, 3rd, 4th-or-shorter

ABSOLUTE = re.compile(r"\b(always|never|guarantee[ds]?|every(one|thing|where)?)\b", re.IGNORECASE)
# "at most", "at least" are quantities, not exam qualifiers
QUALIFIER = re.compile(r"(?<!at )\b(most|least)\b", re.IGNORECASE)
WORD = re.compile(r"[A-Za-z0-9][\w'./:-]*")


def words(text: str) -> int:
    return len(WORD.findall(text))


def key_rank(options: list[str], answer: str) -> int:
    """1 when the correct option is the longest, 2 when one option is longer, ... (ties share a rank)."""
    key = len(options["ABCDEFGHIJ".index(answer)])
    return 1 + sum(1 for o in options if len(o) > key)


def is_k_longest(options: list[str], answer: list[str]) -> bool:
    """Whether the key of a multi-answer question is exactly its k longest options."""
    picked = {"ABCDEFGHIJ".index(a) for a in answer}
    shortest_key = min(len(options[i]) for i in picked)
    return all(len(o) < shortest_key for i, o in enumerate(options) if i not in picked)


@dataclass
class Figure:
    """One measured share, with the band it must stay in (None: reported only)."""

    label: str
    hits: int
    total: int
    band: tuple[float, float] | None
    examples: list[str] = field(default_factory=list)  # question ids that make the share

    @property
    def share(self) -> float:
        return self.hits / self.total if self.total else 0.0

    @property
    def judged(self) -> bool:
        return self.band is not None and self.total >= MIN_SAMPLE

    @property
    def outside(self) -> bool:
        return self.judged and not (self.band[0] <= self.share <= self.band[1])  # type: ignore[index]

    def describe(self) -> str:
        band = f"  (allowed {self.band[0]:.0%}-{self.band[1]:.0%})" if self.band else ""
        return f"{self.label}: {self.share:.0%} ({self.hits} of {self.total}){band}"


def giveaways(questions: Iterable[Any]) -> list[Figure]:
    """The giveaway figures over question entries (``Entry`` with data type, options, answer)."""
    singles, multis, tfs = [], [], []
    for q in questions:
        kind = q.data["type"]
        if kind == "single":
            singles.append(q)
        elif kind == "multi":
            multis.append(q)
        elif kind == "true_false":
            tfs.append(q)
    figures = []
    ranks = {q.id: min(key_rank(q.data["options"], q.data["answer"]), RANKS) for q in singles}
    names = {
        1: "the longest option",
        2: "the 2nd-longest option",
        3: "the 3rd-longest option",
        RANKS: f"the {RANKS}th-longest option or shorter",
    }
    for rank in range(1, RANKS + 1):
        ids = [qid for qid, r in ranks.items() if r == rank]
        figures.append(Figure(f"single-answer keys that are {names[rank]}", len(ids), len(singles), RANK_BAND, ids))
    crowded = max(figures, key=lambda f: f.hits).examples
    for fig in figures:
        if fig.share < RANK_BAND[0]:
            fig.examples = crowded  # a rank too rarely right is fixed by moving keys away from the crowded one
    k_longest = [q.id for q in multis if is_k_longest(q.data["options"], q.data["answer"])]
    figures.append(
        Figure(
            "multi-answer keys that are exactly the k longest options",
            len(k_longest),
            len(multis),
            (0.0, K_LONGEST_MAX),
            k_longest,
        )
    )
    trues = [q.id for q in tfs if q.data["answer"] is True]
    falses = [q.id for q in tfs if q.data["answer"] is False]
    true_fig = Figure("true/false keys that are True", len(trues), len(tfs), TRUE_BAND)
    true_fig.examples = falses if true_fig.share < TRUE_BAND[0] else trues
    figures.append(true_fig)
    absolute_total = absolute_correct = 0
    wrong_with_absolute: list[str] = []
    for q in singles + multis:
        key = set(q.data["answer"]) if isinstance(q.data["answer"], list) else {q.data["answer"]}
        for letter, option in zip("ABCDEFGHIJ", q.data["options"]):
            if ABSOLUTE.search(option):
                absolute_total += 1
                if letter in key:
                    absolute_correct += 1
                else:
                    wrong_with_absolute.append(q.id)
    figures.append(
        Figure(
            "options with always/never/guaranteed/every that are correct",
            absolute_correct,
            absolute_total,
            None,
            wrong_with_absolute,
        )
    )
    return figures


def exam_shape(questions: Iterable[Any]) -> dict[str, float]:
    """Median prompt words and the share with a MOST/LEAST qualifier, for choice questions."""
    choice = [q for q in questions if q.data["type"] in CHOICE_TYPES]
    hard = [q for q in choice if q.data.get("difficulty") == 3]

    def qualified(qs: list[Any]) -> float:
        return sum(1 for q in qs if QUALIFIER.search(q.data["prompt"])) / len(qs) if qs else 0.0

    return {
        "choice questions": len(choice),
        "qualifier share (all choice)": qualified(choice),
        "difficulty-3 choice questions": len(hard),
        "median words (difficulty 3)": statistics.median(words(q.data["prompt"]) for q in hard) if hard else 0,
        "qualifier share (difficulty 3)": qualified(hard),
    }


# -- coverage of the task statements ---------------------------------------------------------------------


def task_minimums(profile: dict[str, Any], family: dict[str, Any]) -> dict[str, int]:
    """The fewest choice questions each task statement of the profile needs.

    The rule (docs/AUTHORING.md): enough for ``sittings`` mocks without a repeat, with the domain's
    share of a mock spread evenly over its task statements:
    ceil(sittings x questions x domain weight / total weight / task statements in the domain).
    """
    coverage = profile.get("task_coverage")
    if not coverage:
        return {}
    weights = dict(profile["domain_weights"])
    total = sum(weights.values())
    tasks_by_domain: dict[str, list[str]] = {}
    for task, dom in family["tasks"].items():
        tasks_by_domain.setdefault(dom, []).append(task)
    minimums = {}
    for dom, tasks in tasks_by_domain.items():
        if dom not in weights:
            continue
        per_task = coverage["sittings"] * profile["questions"] * weights[dom] / total / len(tasks)
        for task in tasks:
            minimums[task] = math.ceil(per_task - 1e-9)
    return minimums


def task_counts(questions: Iterable[Any], family_id: str) -> Counter[str]:
    """Choice questions per task statement of one family (a question naming two counts for both)."""
    counts: Counter[str] = Counter()
    for q in questions:
        if q.data["type"] in CHOICE_TYPES:
            counts.update(t for t in q.data["task"] if t.rpartition("-")[0] == family_id)
    return counts


# -- what `tutor validate` checks and prints ---------------------------------------------------------------


def problems(index: Any) -> list[tuple[Any, int | None, str]]:
    """(entry, line or None, message) for every band the bank leaves and every enforced task minimum it misses."""
    found: list[tuple[Any, int | None, str]] = []
    questions = index.by_kind["question"]
    for fig in giveaways(questions.values()):
        if fig.outside and fig.examples:
            first = questions[fig.examples[0]]
            sample = ", ".join(fig.examples[:8])
            found.append((first, None, f"giveaway: {fig.describe()}; rebalance some of: {sample}"))
    for profile in index.by_kind["exam profile"].values():
        coverage, family = profile.data.get("task_coverage"), index.by_kind["exam family"].get(profile.data["family"])
        if not coverage or not coverage["enforce"] or family is None:
            continue
        counts = task_counts(questions.values(), family.id)
        for task, need in task_minimums(profile.data, family.data).items():
            if counts[task] < need:
                found.append(
                    (
                        profile,
                        profile.data.get("coverage_line"),
                        f"task {task} ({family.data['task_names'][task]}) has {counts[task]} choice "
                        f"questions; {profile.id} needs {need} ({coverage['sittings']} sittings)",
                    )
                )
    return found


def report(index: Any, width: int = 120) -> list[str]:
    """The per-task table of each profile, the giveaway figures and the exam-shape figures, as lines."""
    questions = index.by_kind["question"]
    lines: list[str] = []
    for profile in index.by_kind["exam profile"].values():
        family = index.by_kind["exam family"].get(profile.data["family"])
        if family is None or not family.data["tasks"]:
            continue
        coverage = profile.data.get("task_coverage")
        if not coverage:
            continue  # (a profile without a minimum, such as quick, would repeat its family's counts)
        counts = task_counts(questions.values(), family.id)
        minimums = task_minimums(profile.data, family.data)
        mode = "enforced" if coverage["enforce"] else "report only: task_coverage.enforce is false"
        lines.append(
            f"{profile.id}: choice questions per task statement (minimum for {coverage['sittings']} sittings, {mode})"
        )
        for task, name in family.data["task_names"].items():
            need = minimums.get(task)
            short = need is not None and counts[task] < need
            figure = f"{counts[task]:>4}" + (f" / {need:<3}" if need is not None else "")
            label = f"  {task:<8} {name}"[: width - 18]
            lines.append(f"{label:<{width - 18}}{figure}{'  short' if short else ''}")
    figures = giveaways(questions.values())
    if figures and figures[0].total:
        lines.append("giveaways:")
        for fig in figures:
            flag = "  OUTSIDE" if fig.outside else ("" if fig.judged or fig.band is None else "  (too few to judge)")
            lines.append(f"  {fig.describe()}{flag}")
        shape = exam_shape(questions.values())
        lines.append(
            f"exam shape: {shape['qualifier share (all choice)']:.0%} of {shape['choice questions']} choice questions "
            f"carry MOST/LEAST; difficulty 3: median {shape['median words (difficulty 3)']:g} words, "
            f"{shape['qualifier share (difficulty 3)']:.0%} with MOST/LEAST ({shape['difficulty-3 choice questions']})"
        )
    return lines
