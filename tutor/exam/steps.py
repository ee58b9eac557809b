"""What to do next: the suggestions Home shows, derived from content and progress."""

from __future__ import annotations

from dataclasses import dataclass

from tutor.content import Catalog
from tutor.srs.queue import Today
from tutor.store.progress import Snapshot


@dataclass(frozen=True)
class Step:
    text: str
    action: str  # a Textual action string, e.g. "app.start_review"
    key: str = ""  # the key that does it, shown beside the text


def lesson_progress(catalog: Catalog, snap: Snapshot) -> dict[str, tuple[int, int]]:
    """lesson id -> (sections read, sections)."""
    return {
        lesson.id: (len(snap.read.get(lesson.id, set()) & {s.anchor for s in lesson.sections}), len(lesson.sections))
        for lesson in catalog.lessons.values()
    }


def next_steps(catalog: Catalog, snap: Snapshot, today: Today) -> list[Step]:
    steps: list[Step] = []
    if today.due_now:
        n = today.due_now
        steps.append(Step(f"Review {n} card{'s' if n != 1 else ''} due now", "app.start_review", "r"))
    progress = lesson_progress(catalog, snap)
    unfinished = [lid for lid, (done, total) in progress.items() if done < total]
    if snap.last_read and snap.last_read[0] in unfinished:
        lesson = catalog.lessons[snap.last_read[0]]
        steps.append(Step(f"Continue reading {lesson.title}", f"app.open_lesson('{lesson.id}')", "l"))
    elif unfinished:
        lesson = catalog.lessons[unfinished[0]]
        steps.append(Step(f"Read chapter {lesson.order}: {lesson.title}", f"app.open_lesson('{lesson.id}')", "l"))
    read_lessons = {lid for lid, (done, _) in progress.items() if done}
    for lab in catalog.labs.values():
        if lab.id in snap.labs_passed:
            continue
        if any(ref.partition("#")[0] in read_lessons for ref in lab.lessons) or not read_lessons:
            steps.append(Step(f"Try the lab: {lab.title}", f"app.open_lab('{lab.id}')", "b"))
            break
    if not steps and catalog.questions:
        steps.append(Step("Learn new cards in Review", "app.start_review", "r"))
    return steps


LAPSES_FOR_A_LAB = 3


def lab_for_lapses(catalog: Catalog, lapses_by_domain: dict[str, int]) -> Step | None:
    """A domain forgotten again and again is best repaired hands-on: suggest its lab."""
    from tutor.srs.plan import lab_for_domain

    for domain, count in lapses_by_domain.items():
        if count < LAPSES_FOR_A_LAB:
            break
        lab_id = lab_for_domain(catalog, "saa", domain)
        if lab_id:
            fam = catalog.families.get("saa")
            name = next((d.name for d in fam.domains if d.id == domain), domain) if fam else domain
            return Step(
                f"{count} recent lapses in {name}: try the lab {catalog.labs[lab_id].title}",
                f"app.open_lab('{lab_id}')",
                "b",
            )
    return None
