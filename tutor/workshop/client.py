"""The attendee's side: join a workshop, send the outbox, show the status, leave.

Events are queued by the store in the same transaction as the record they describe (``tutor.store.outbox``);
this module only delivers them. Delivery is at-least-once (a batch is resent until the server acknowledges it)
and the server stores each (attendee, event id) once, so every event arrives exactly once.
"""

from __future__ import annotations

import json
import random
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from pydantic import TypeAdapter, ValidationError

from tutor import paths
from tutor.store import outbox

from . import protocol as p
from .pack import PACK_FILE, WorkshopError, load_pack, unpack
from .progress import AgendaEntry, agenda_progress

CONNECT_TIMEOUT = 5.0
REQUEST_TIMEOUT = 15.0
BACKOFF_BASE = 1.0
BACKOFF_CAP = 60.0
IDLE_POLL = 5.0  # the TUI's sender looks for new events this often when it has nothing to send

_event = TypeAdapter(p.Event)


def _client(base_url: str, token: str | None = None, timeout: float = REQUEST_TIMEOUT) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    # trust_env=False: a lab shell's dead proxy (HTTPS_PROXY) must not swallow workshop traffic
    return httpx.Client(
        base_url=base_url.rstrip("/"),
        headers=headers,
        trust_env=False,
        timeout=httpx.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout)),
    )


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except ValueError:
        detail = None
    if isinstance(detail, list):
        detail = "; ".join(f"{'.'.join(map(str, d.get('loc', ())))}: {d.get('msg')}" for d in detail)
    return f"{response.status_code}: {detail or response.reason_phrase}"


def _write_marker(membership: outbox.Membership, content: Path | None) -> None:
    paths.workshop_file().write_text(
        json.dumps({"workshop": membership.workshop_id, "content": str(content) if content else None}), encoding="utf-8"
    )


# ---------------------------------------------------------------- join and leave


def join(url: str, code: str, name: str) -> outbox.Membership:
    """Register with the server, download the pack (checked against its hash), and remember the token."""
    current = outbox.active_membership()
    if current is not None:
        raise WorkshopError(f"you are in the workshop {current.workshop_id!r} already; `tutor workshop leave` first")
    try:
        request = p.JoinRequest(code=code, name=name)
    except ValidationError as exc:
        raise WorkshopError(f"cannot join: {exc.errors()[0]['msg']}") from None
    try:
        with _client(url) as http:
            response = http.post(
                f"{p.API}/join", content=request.model_dump_json(), headers={"content-type": "application/json"}
            )
            if response.status_code != 201:
                raise WorkshopError(f"the server refused to join: {_detail(response)}")
            joined = p.Joined.model_validate(response.json())
            pack = http.get(f"{p.API}/pack", headers={"Authorization": f"Bearer {joined.token}"})
            if pack.status_code != 200:
                raise WorkshopError(f"could not download the pack: {_detail(pack)}")
    except httpx.HTTPError as exc:
        raise WorkshopError(f"cannot reach the workshop server at {url}: {exc}") from None
    target = paths.home() / "workshops" / f"{joined.workshop.id}-{joined.attendee_id[:8]}"
    if target.exists():
        shutil.rmtree(target)
    unpack(pack.content, joined.workshop.pack_sha256, target)
    parsed, problems = load_pack(target / PACK_FILE)
    if parsed is None:
        raise WorkshopError(f"the downloaded pack does not load: {problems[0] if problems else '?'}")
    membership = outbox.add_membership(
        server_url=url.rstrip("/"),
        workshop_id=joined.workshop.id,
        title=joined.workshop.title,
        attendee_id=joined.attendee_id,
        name=name,
        token=joined.token,
        pack_sha256=joined.workshop.pack_sha256,
        pack_dir=str(target),
    )
    _write_marker(membership, parsed.content_dir(target))
    return membership


def leave(force: bool = False) -> tuple[outbox.Membership, int]:
    """Send what is waiting, tell the server, and stop. Returns (membership, events left unsent).

    Refuses while events are waiting and the server cannot be reached, unless ``force``: the events stay in the
    local database either way, but once left they are no longer sent.
    """
    membership = _require()
    try:
        sync(membership)
    except SyncError:
        pass
    waiting = outbox.counts(membership.id)["waiting"]
    if waiting and not force:
        raise WorkshopError(
            f"{waiting} event{'s' if waiting != 1 else ''} could not be sent yet; run "
            "`tutor workshop sync` when the server is reachable, or leave with --force"
        )
    try:
        with _client(membership.server_url, membership.token, timeout=CONNECT_TIMEOUT) as http:
            http.post(f"{p.API}/leave")
    except httpx.HTTPError:
        pass  # the token dies on the server when the workshop is cleaned up; locally we are done
    outbox.end_membership(membership.id)
    paths.workshop_file().unlink(missing_ok=True)
    return membership, waiting


def _require() -> outbox.Membership:
    membership = outbox.active_membership()
    if membership is None:
        raise WorkshopError("you have not joined a workshop; `tutor workshop join URL CODE --name NAME`")
    return membership


# ---------------------------------------------------------------- sending


class SyncError(Exception):
    """The server could not be reached or refused the batch; the events stay queued."""

    def __init__(self, message: str, retry_after: float | None = None, permanent: bool = False) -> None:
        super().__init__(message)
        self.retry_after, self.permanent = retry_after, permanent


@dataclass(frozen=True)
class SyncResult:
    sent: int
    waiting: int


def sync(
    membership: outbox.Membership | None = None,
    *,
    deadline: float | None = None,
    timeout: float = REQUEST_TIMEOUT,
    batch: int = p.MAX_BATCH,
) -> SyncResult:
    """Send waiting events in batches until none are left (or ``deadline``, a monotonic time, passes)."""
    membership = membership or _require()
    sent = 0
    try:
        with _client(membership.server_url, membership.token, timeout=timeout) as http:
            while deadline is None or time.monotonic() < deadline:
                events = _valid(outbox.pending(membership.id, batch))
                if not events:
                    break
                sent += _send(http, membership, events)
    except httpx.HTTPError as exc:
        outbox.note_sync(membership.id, f"server unreachable: {exc}")
        raise SyncError(f"cannot reach {membership.server_url}: {exc}") from None
    except SyncError as exc:
        outbox.note_sync(membership.id, str(exc))
        raise
    if sent == 0:
        outbox.note_sync(membership.id, None)
    return SyncResult(sent, outbox.counts(membership.id)["waiting"])


def _valid(events: list[outbox.Pending]) -> list[outbox.Pending]:
    """Events the protocol accepts; one it never will (a bug, not the network) is set aside, not retried forever."""
    good = []
    for event in events:
        try:
            _event.validate_python(event.event)
            good.append(event)
        except ValidationError as exc:
            outbox.mark_rejected(event.event_id, f"not a valid event: {exc.errors()[0]['msg']}")
    return good


def _send(http: httpx.Client, membership: outbox.Membership, events: list[outbox.Pending]) -> int:
    body = json.dumps({"events": [e.event for e in events]})
    response = http.post(f"{p.API}/events", content=body, headers={"content-type": "application/json"})
    if response.status_code == 200:
        ack = p.Ack.model_validate(response.json())
        acked = [str(i) for i in ack.acked]
        outbox.mark_sent(membership.id, acked)
        if set(acked) != {e.event_id for e in events}:
            raise SyncError("the server did not acknowledge every event it was sent; retrying later")
        return len(acked)
    if response.status_code == 429:
        raise SyncError(
            f"the server is busy ({_detail(response)})",
            retry_after=float(response.headers.get("Retry-After", BACKOFF_BASE)),
        )
    if response.status_code in (401, 403):
        raise SyncError(f"the server no longer accepts this attendee ({_detail(response)}); join again", permanent=True)
    if response.status_code == 422 and len(events) > 1:
        # find the one it refuses: send them one by one, so the rest still arrive
        return sum(_send(http, membership, [e]) for e in events)
    if response.status_code == 422:
        outbox.mark_rejected(events[0].event_id, f"the server refused it: {_detail(response)}")
        return 0
    raise SyncError(f"the server answered {_detail(response)}")


def backoff(
    attempt: int,
    base: float = BACKOFF_BASE,
    cap: float = BACKOFF_CAP,
    rng: Callable[[float, float], float] = random.uniform,
) -> float:
    """Exponential backoff with full jitter: uniformly in [0, min(cap, base * 2**attempt)]."""
    return rng(0, min(cap, base * 2 ** min(attempt, 30)))


def run_sender(
    stop: threading.Event, wake: threading.Event | None = None, on_status: Callable[[str], None] | None = None
) -> None:
    """The TUI's background sender: deliver whenever there is something to send, back off while it fails.

    Runs until ``stop`` is set; ``wake`` (set after the learner does something) sends without waiting.
    """
    wake = wake or threading.Event()
    failures = 0

    def tell(text: str) -> None:
        if on_status is not None:
            try:
                on_status(text)
            except Exception:  # noqa: BLE001 - the screen may be gone; delivery goes on
                pass

    while not stop.is_set():
        delay = IDLE_POLL
        try:
            membership = outbox.active_membership()
            if membership is not None:
                result = sync(membership)
                failures = 0
                if result.sent:
                    tell(f"sent {result.sent} event{'s' if result.sent != 1 else ''}")
        except SyncError as exc:
            if exc.permanent:
                delay = BACKOFF_CAP
            else:
                delay = exc.retry_after if exc.retry_after else backoff(failures)
                failures += 1
            tell(str(exc))
        except Exception as exc:  # noqa: BLE001 - e.g. the database busy past its timeout: try again later
            delay = backoff(failures)
            failures += 1
            tell(f"sync failed: {exc}")
        woken = wake.wait(delay)
        if woken:
            wake.clear()
        if stop.is_set():
            return


def flush_quietly(seconds: float = 2.0) -> None:
    """The end of a CLI command: try briefly to send what it recorded; never fail, never wait long."""
    if not paths.workshop_file().exists():
        return
    try:
        membership = outbox.active_membership()
        if membership is not None:
            sync(membership, deadline=time.monotonic() + seconds, timeout=seconds)
    except Exception:  # noqa: BLE001 - best effort: the events stay queued for the next sync
        pass


# ---------------------------------------------------------------- status and agenda


@dataclass(frozen=True)
class Status:
    membership: outbox.Membership
    online: bool
    detail: str
    waiting: int
    sent: int
    rejected: int
    server_events: int | None


def status(check_server: bool = True) -> Status:
    membership = _require()
    counts = outbox.counts(membership.id)
    online, detail, server_events = False, "not checked", None
    if check_server:
        try:
            with _client(membership.server_url, membership.token, timeout=CONNECT_TIMEOUT) as http:
                response = http.get(f"{p.API}/me")
            if response.status_code == 200:
                me = p.Me.model_validate(response.json())
                online, detail, server_events = True, "online", me.events
            else:
                detail = f"the server answered {_detail(response)}"
        except httpx.HTTPError as exc:
            detail = f"offline ({type(exc).__name__})"
    return Status(membership, online, detail, counts["waiting"], counts["sent"], counts["rejected"], server_events)


def agenda(membership: outbox.Membership | None = None, catalog: Any = None) -> list[AgendaEntry]:
    """The joined workshop's agenda, each item marked done from the learner's own records."""
    membership = membership or outbox.active_membership()
    if membership is None:
        return []
    pack, _ = load_pack(Path(membership.pack_dir) / PACK_FILE)
    if pack is None:
        return []
    return agenda_progress(pack, catalog)


class Sender:
    """``run_sender`` on a daemon thread, for the TUI: quitting never waits for a slow network, and an event
    interrupted mid-send is simply sent again (the server stores it once)."""

    def __init__(self, on_status: Callable[[str], None] | None = None) -> None:
        self.stop, self.wake = threading.Event(), threading.Event()
        self.thread = threading.Thread(
            target=run_sender, args=(self.stop, self.wake, on_status), name="workshop-sender", daemon=True
        )

    def start(self) -> Sender:
        self.thread.start()
        return self

    def nudge(self) -> None:
        self.wake.set()

    def close(self) -> None:
        self.stop.set()
        self.wake.set()
