"""The /api/v1 routes. Thin: validation is in the protocol models, identity in deps, the rest is one query each."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import uuid4

import sqlalchemy as sa
from fastapi import APIRouter, HTTPException, Path, Query, Request, Response
from sqlalchemy.dialects import postgresql, sqlite

from tutor.workshop import protocol as p

from .deps import Attendee, Instructor, Member, State
from .security import code_matches, new_token, token_hash
from .tables import attendee, broadcast, event

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": p.Problem},
    401: {"model": p.Problem},
    403: {"model": p.Problem},
    404: {"model": p.Problem},
    413: {"model": p.Problem},
    422: {"model": p.Problem},
    429: {"model": p.Problem},
}
router = APIRouter(prefix=p.API, responses=ERRORS)

After = Annotated[int, Query(ge=0, le=2**62, description="Only items with an id above this.")]
Limit = Annotated[int, Query(ge=1, le=1000)]


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)  # SQLite hands back naive UTC


@router.get("/health", summary="Liveness, without a token")
def health(state: State) -> dict[str, str]:
    return {"status": "ok", "workshop": state.workshop.id}


@router.post("/join", status_code=201, summary="Register an attendee with the join code")
def join(body: p.JoinRequest, request: Request, state: State) -> p.Joined:
    client = request.client.host if request.client else "unknown"
    allowed, retry_after = state.limits.allow(state.limits.join, client)
    if not allowed:
        raise HTTPException(
            429,
            f"too many join attempts from {client}; try again in {retry_after} s",
            headers={"Retry-After": str(retry_after)},
        )
    ws = state.workshop
    if _now() > _aware(ws.ends):
        raise HTTPException(403, "the workshop has ended: its join code no longer works")
    if not code_matches(body.code, ws.code):
        raise HTTPException(403, "wrong join code; check the code on the instructor's screen")
    token, attendee_id = new_token(), uuid4().hex
    with state.engine.begin() as conn:
        conn.execute(
            attendee.insert().values(
                id=attendee_id, workshop_id=ws.id, name=body.name, token_hash=token_hash(token), joined_at=_now()
            )
        )
    return p.Joined(attendee_id=attendee_id, token=token, workshop=_info(state))


def _info(state: State) -> p.WorkshopInfo:
    ws = state.workshop
    return p.WorkshopInfo(
        id=ws.id, title=ws.title, starts=_aware(ws.starts), ends=_aware(ws.ends), pack_sha256=ws.pack_sha256
    )


@router.get("/workshop", summary="The workshop: title, times, the pack's hash")
def workshop_info(state: State, caller: Member) -> p.WorkshopInfo:
    return _info(state)


@router.get(
    "/pack",
    response_class=Response,
    summary="The pack as tar.gz; its SHA-256 is in the workshop info",
    responses={200: {"content": {"application/gzip": {"schema": {"type": "string", "format": "binary"}}}}},
)
def pack(state: State, caller: Member) -> Response:
    return Response(state.pack(), media_type="application/gzip", headers={"X-Pack-SHA256": state.workshop.pack_sha256})


def _insert_events():
    return {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


@router.post("/events", summary="Store the caller's events; each (attendee, event id) is stored once")
def add_events(batch: p.EventBatch, state: State, caller: Attendee) -> p.Ack:
    now = _now()
    unique = {e.id: e for e in batch.events}  # a batch that repeats an event stores it once
    rows = [
        {
            "attendee_id": caller.attendee_id,
            "event_id": e.id,
            "seq": e.seq,
            "type": e.type,
            "at": e.at,
            "received_at": now,
            "data": e.model_dump_json(),
        }
        for e in unique.values()
    ]
    insert = _insert_events()[state.engine.dialect.name]
    statement = (
        insert(event)
        .on_conflict_do_nothing(index_elements=["attendee_id", "event_id"])
        .returning(event.c.id, event.c.event_id)
    )
    with state.engine.begin() as conn:
        stored = conn.execute(statement, rows).all()
        conn.execute(attendee.update().where(attendee.c.id == caller.attendee_id).values(last_seen=now))
    if stored:
        state.fanout.publish("events", {"attendee_id": caller.attendee_id, "ids": [r.id for r in stored]})
    return p.Ack(acked=list(unique), stored=len(stored))


@router.get("/me", summary="The caller as the server knows them: how many events it holds, the last sequence")
def me(state: State, caller: Attendee) -> p.Me:
    with state.reader.connect() as conn:
        count, last = conn.execute(
            sa.select(sa.func.count(), sa.func.coalesce(sa.func.max(event.c.seq), 0)).where(
                event.c.attendee_id == caller.attendee_id
            )
        ).one()
    return p.Me(attendee_id=caller.attendee_id, name=caller.name, events=count, last_seq=last)


@router.post("/leave", status_code=204, summary="End the caller's membership: the token stops working")
def leave(state: State, caller: Attendee) -> Response:
    with state.engine.begin() as conn:
        conn.execute(
            attendee.update().where(attendee.c.id == caller.attendee_id).values(token_hash=None, left_at=_now())
        )
    return Response(status_code=204)


@router.get("/broadcasts", summary="The instructor's messages to the room")
def broadcasts(state: State, caller: Member, after: After = 0) -> list[p.Broadcast]:
    with state.reader.connect() as conn:
        rows = conn.execute(
            sa.select(broadcast.c.id, broadcast.c.message, broadcast.c.at)
            .where(broadcast.c.workshop_id == state.workshop.id, broadcast.c.id > after)
            .order_by(broadcast.c.id)
            .limit(200)
        ).all()
    return [p.Broadcast(id=r.id, message=r.message, at=_aware(r.at)) for r in rows]


@router.post("/broadcasts", status_code=201, summary="Send a message to every attendee")
def add_broadcast(body: p.BroadcastRequest, state: State, caller: Instructor) -> p.Broadcast:
    now = _now()
    with state.engine.begin() as conn:
        new_id = conn.execute(
            broadcast.insert()
            .values(workshop_id=state.workshop.id, message=body.message, at=now)
            .returning(broadcast.c.id)
        ).scalar_one()
    state.fanout.publish("broadcasts", {"id": new_id})
    return p.Broadcast(id=new_id, message=body.message, at=now)


@router.get("/attendees", summary="The roster, with each attendee's event count and when they were last seen")
def attendees(state: State, caller: Instructor) -> list[p.AttendeeSummary]:
    counts = sa.select(event.c.attendee_id, sa.func.count().label("n")).group_by(event.c.attendee_id).subquery()
    with state.reader.connect() as conn:
        rows = conn.execute(
            sa.select(
                attendee.c.id,
                attendee.c.name,
                attendee.c.joined_at,
                attendee.c.last_seen,
                sa.func.coalesce(counts.c.n, 0),
            )
            .select_from(attendee.outerjoin(counts, counts.c.attendee_id == attendee.c.id))
            .where(attendee.c.workshop_id == state.workshop.id)
            .order_by(attendee.c.joined_at)
        ).all()
    return [
        p.AttendeeSummary(
            attendee_id=r[0], name=r[1], joined_at=_aware(r[2]), last_seen=_aware(r[3]) if r[3] else None, events=r[4]
        )
        for r in rows
    ]


def _events(state: State, after: int, limit: int, attendee_id: str | None) -> p.EventPage:
    query = (
        sa.select(
            event.c.id,
            event.c.attendee_id,
            event.c.event_id,
            event.c.seq,
            event.c.type,
            event.c.at,
            event.c.received_at,
            event.c.data,
        )
        .select_from(event.join(attendee, attendee.c.id == event.c.attendee_id))
        .where(attendee.c.workshop_id == state.workshop.id, event.c.id > after)
    )
    if attendee_id is not None:
        query = query.where(event.c.attendee_id == attendee_id)
    with state.reader.connect() as conn:
        rows = conn.execute(query.order_by(event.c.id).limit(limit + 1)).all()
    page = rows[:limit]
    return p.EventPage(
        events=[
            p.StoredEvent(
                attendee_id=r.attendee_id,
                id=r.event_id,
                seq=r.seq,
                type=r.type,
                at=_aware(r.at),
                received_at=_aware(r.received_at),
                data=json.loads(r.data),
            )
            for r in page
        ],
        next_after=page[-1].id if len(rows) > limit else None,
    )


@router.get("/events", summary="Every attendee's events in arrival order, a page at a time")
def all_events(state: State, caller: Instructor, after: After = 0, limit: Limit = 500) -> p.EventPage:
    return _events(state, after, limit, None)


@router.get("/attendees/{attendee_id}/events", summary="One attendee's events")
def attendee_events(
    state: State,
    caller: Instructor,
    attendee_id: Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")],
    after: After = 0,
    limit: Limit = 500,
) -> p.EventPage:
    return _events(state, after, limit, attendee_id)
