"""`tutor workshop new DIR`: a commented starter pack that validates as written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from .pack import PACK_FILE, WorkshopError

STARTER_PACK = """\
# A workshop pack. Check it with:  tutor workshop validate {dir}
# Serve it with:                   tutor workshop serve {dir}
# Every key is described in docs/WORKSHOPS.md. Unknown keys are errors, so a typo is caught.

id: {id}                    # lowercase letters, digits and dashes; names the workshop in attendees' data
title: Messaging on AWS, hands on
# Time-zone aware start and end. The join code stops working at `ends`.
starts: {starts}
ends: {ends}

# Optional: a folder beside this file with lessons/, labs/ and question_bank/ in the same formats as the
# built-in content (docs/AUTHORING.md). Attendees download it when they join.
content: content

# The agenda, in the order the room works through it. Each item is exactly one of:
#   lesson: LESSON or LESSON#SECTION        a lesson, or one section of it, to read
#   lab: LAB-ID                             a graded lab; hint_penalty (0..1, default 0.1) and due are optional
#   questions: {{ids: [...]}}                 a question set by id, or by chapter and/or domain:
#   questions: {{chapter: CH, domain: FAMILY:DOMAIN, count: N, seed: S}}   the same seed gives everyone the same set
#   exam: {{profile: PROFILE, seed: S}}       a timed mock exam (see `tutor exam list`)
#   drills: [DRILL-ID, ...]                 interview drills (see `tutor drill list`)
# Any item may carry a `title` shown on the attendee's Home screen.
agenda:
  - lesson: messaging#visibility-timeout
  - lesson: messaging#dead-letter-queues
  - lab: sqs-dead-letter
    hint_penalty: 0.1
    due: {due}
  - questions: {{chapter: messaging, count: 5, seed: 7}}
    title: Five questions on messaging
  - questions: {{ids: [{id}-001]}}
    title: The workshop's own question
  - drills: [sqs-visibility-timeout-and-dlq]
  - exam: {{profile: quick, seed: 42}}
"""

STARTER_QUESTION = """\
# The pack's own questions, in the format of the built-in question bank (docs/AUTHORING.md).
- id: {id}-001
  lesson: messaging#dead-letter-queues
  domain: {{saa: resilient, clf: technology}}
  type: true_false
  difficulty: 1
  prompt: |
    A dead-letter queue receives a message after it has been received more times than the source queue's
    maxReceiveCount.
  answer: true
  explanation: |
    The redrive policy on the source queue names the dead-letter queue and maxReceiveCount; once a message has
    been received that many times without being deleted, SQS moves it to the dead-letter queue.
"""


def write_starter(target: Path, now: datetime | None = None) -> Path:
    """Write a starter pack into ``target`` (new or empty). Returns the pack file."""
    if target.exists() and any(target.iterdir()):
        raise WorkshopError(f"{target} is not empty; give a new folder")
    start = (now or datetime.now(UTC)).replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    ident = "".join(c if c.isalnum() else "-" for c in target.resolve().name.lower()).strip("-") or "workshop"
    if not ident[0].isalnum():
        ident = "workshop"
    stamp = "%Y-%m-%dT%H:%M:%S+00:00"
    (target / "content" / "question_bank").mkdir(parents=True)
    (target / "content" / "lessons").mkdir()
    (target / "content" / "labs").mkdir()
    file = target / PACK_FILE
    file.write_text(
        STARTER_PACK.format(
            dir=target,
            id=ident,
            starts=start.strftime(stamp),
            ends=(start + timedelta(hours=2)).strftime(stamp),
            due=(start + timedelta(hours=1)).strftime(stamp),
        ),
        encoding="utf-8",
    )
    (target / "content" / "question_bank" / f"{ident}.yaml").write_text(
        STARTER_QUESTION.format(id=ident), encoding="utf-8"
    )
    return file
