"""Faults with real processes: the server SIGKILLed mid-stream, connections cut at random by a TCP proxy, the
attendee SIGKILLed between writing and sending. Afterwards the server holds every event exactly once."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time

import httpx
import sqlalchemy as sa
from conftest import Server, tutor_env

from tutor.workshop import client

SETTLE_WAIT_S = 300  # how long delivery may take on a loaded machine; a hang fails, slowness does not


def _local_event_ids() -> set[str]:
    from tutor.store.db import get_engine

    with get_engine().connect() as conn:
        return set(conn.execute(sa.text("SELECT event_id FROM workshop_outbox")).scalars())


def _local_review_logs() -> int:
    from tutor.store.db import get_engine

    with get_engine().connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM review_log WHERE source = 'review'")).scalar_one()


def _server_event_ids(server: Server, attendee_id: str) -> list[str]:
    ids, after = [], 0
    with server.client(server.token) as instructor:
        while True:
            page = instructor.get(
                f"/api/v1/attendees/{attendee_id}/events", params={"after": after, "limit": 1000}
            ).json()
            ids += [e["id"] for e in page["events"]]
            if page["next_after"] is None:
                return ids
            after = page["next_after"]


def _waiting(membership) -> int:
    return client.outbox.counts(membership.id)["waiting"]


def _answer(i: int) -> None:
    from tutor.srs.scheduler import record_answer

    record_answer("question", f"fault-{i}", 3, 1000)


def test_server_sigkilled_mid_stream_and_restarted_loses_and_doubles_nothing(server: Server, monkeypatch):
    monkeypatch.setattr(client, "BACKOFF_CAP", 2.0)  # retry often, so the test waits for the restart, not backoff
    monkeypatch.setattr(client, "IDLE_POLL", 0.2)
    membership = client.join(server.url, server.code, "Ann")
    sender = client.Sender().start()
    total, killed = 400, threading.Event()
    try:
        for i in range(total):
            _answer(i)
            sender.nudge()
            if i == total // 3:
                server.kill()  # in the middle of the stream, whatever request is in flight
                killed.set()
            if i == 2 * total // 3:
                server.start()
        deadline = time.monotonic() + SETTLE_WAIT_S
        while _waiting(membership) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        sender.close()
    assert killed.is_set() and _waiting(membership) == 0
    stored = _server_event_ids(server, membership.attendee_id)
    assert len(stored) == total
    assert set(stored) == _local_event_ids()


class CuttingProxy:
    """A TCP proxy that cuts some connections (RST) after a random number of bytes in either direction, so a
    request can die before the server reads it or after the server stored it but before the ack arrives."""

    def __init__(self, upstream: int, cut_share: float = 0.5, seed: int = 7, max_bytes: int = 3000) -> None:
        self.upstream, self.cut_share, self.max_bytes = upstream, cut_share, max_bytes
        self.rng = random.Random(seed)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.cuts = 0
        self._closing = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self._closing:
            try:
                down, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(down,), daemon=True).start()

    def _serve(self, down: socket.socket) -> None:
        try:
            up = socket.create_connection(("127.0.0.1", self.upstream))
        except OSError:
            down.close()
            return
        # half the cut connections die while the request goes up (the server never stores it), half while the
        # answer comes back (the server stored it, the attendee never hears): the resend must not double it
        cut_response = self.rng.random() < 0.5
        budget = [self.rng.randint(1, self.max_bytes) if self.rng.random() < self.cut_share else None]
        lock, done = threading.Lock(), threading.Event()

        def cut() -> None:
            done.set()
            for s in (down, up):
                try:
                    s.shutdown(socket.SHUT_RDWR)  # wakes the other pump's recv, and the peer sees the end
                except OSError:
                    pass
                s.close()

        def pump(src: socket.socket, dst: socket.socket) -> None:
            while not done.is_set():
                try:
                    data = src.recv(1024)
                except OSError:
                    break
                if not data:
                    break
                with lock:
                    if budget[0] is not None and (src is up) == cut_response:
                        budget[0] -= len(data)
                        if budget[0] <= 0:
                            self.cuts += 1
                            budget[0] = None
                            cut()
                            return
                try:
                    dst.sendall(data)
                except OSError:
                    break
            cut()

        threading.Thread(target=pump, args=(up, down), daemon=True).start()
        pump(down, up)

    def close(self) -> None:
        self._closing = True
        self.listener.close()


def test_connections_cut_at_random_deliver_every_event_exactly_once(server: Server):
    membership = client.join(server.url, server.code, "Ann")
    proxy = CuttingProxy(server.port)
    from tutor.store.db import session
    from tutor.store.models import WorkshopMembership

    with session() as s:  # from now on the attendee reaches the server only through the proxy
        row = s.get(WorkshopMembership, membership.id)
        row.server_url = proxy.url
        s.add(row)
    membership = client.outbox.active_membership()
    resent = 0
    real_post = httpx.Client.post

    def counting_post(self, url, *args, **kw):
        nonlocal resent
        response = real_post(self, url, *args, **kw)
        if str(url).endswith("/events") and response.status_code == 200:
            body = response.json()
            resent += len(body["acked"]) - body["stored"]  # acked again: stored by a request whose ack was cut
        return response

    httpx.Client.post = counting_post
    try:
        total, tries = 0, 0
        while (proxy.cuts == 0 or resent == 0) and total < 1000:
            for i in range(total, total + 100):
                _answer(i)
            total += 100
            while _waiting(membership) and tries < 5000:
                tries += 1
                try:
                    client.sync(membership, batch=10, timeout=30)
                except client.SyncError:
                    pass
    finally:
        httpx.Client.post = real_post
        proxy.close()
    assert proxy.cuts > 0 and resent > 0, (proxy.cuts, resent)  # both kinds of fault really happened
    assert _waiting(membership) == 0
    stored = _server_event_ids(server, membership.attendee_id)
    assert len(stored) == total == len(set(stored))
    assert set(stored) == _local_event_ids()


CHILD = """
import os, signal, sys
from tutor.srs.scheduler import record_answer
from tutor.workshop import client
start, count, mode = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
for i in range(start, start + count):
    record_answer("question", f"kill-{i}", 3, 1000)
    print(i, flush=True)
    if mode == "die-before-send" and i == start + count - 1:
        os.kill(os.getpid(), signal.SIGKILL)  # written, never sent
    if mode == "send":
        try:
            client.sync(batch=3, timeout=30)
        except client.SyncError:
            pass
"""


def test_attendee_sigkilled_between_writing_and_sending_loses_nothing(server: Server, tutor_home):
    membership = client.join(server.url, server.code, "Ann")
    env = tutor_env(tutor_home)
    rng = random.Random(3)
    written = 0

    def child(mode: str, count: int) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-c", CHILD, str(written), str(count), mode],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    first = child("die-before-send", 25)
    first.communicate()
    assert first.returncode == -signal.SIGKILL
    written += 25
    assert _waiting(membership) == 25  # all written, none sent
    kills = 0
    for _ in range(6):  # killed at a random point: inside a write, between write and send, or mid-request
        proc = child("send", 40)
        stop_after = rng.randint(3, 35)
        assert proc.stdout is not None
        for lines, _line in enumerate(proc.stdout, start=1):
            if lines >= stop_after:
                os.kill(proc.pid, signal.SIGKILL)
                kills += 1
                break
        proc.communicate()
        written += 40
    assert kills == 6
    while _waiting(membership):
        client.sync()
    stored = _server_event_ids(server, membership.attendee_id)
    local = _local_event_ids()
    assert len(stored) == len(set(stored)) == len(local) == _local_review_logs()
    assert set(stored) == local
