"""Real class servers for the tests: `tutor workshop serve` in a subprocess on a loopback port, on SQLite or on
a real PostgreSQL (TUTOR_TEST_PG_URL, or one started here with .ci/postgres; under CI=true a missing one fails)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
READY_WAIT_S = 180  # how long a server may take to come up on a loaded machine; never an assertion on speed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tutor_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TUTOR_DB_URL", "TUTOR_CONTENT_PATH")}
    env.update({"TUTOR_HOME": str(home), "PYTHONUNBUFFERED": "1", **extra})
    return env


def tutor(home: Path, *args: str, check: bool = True, **kw) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "tutor", *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env=tutor_env(home),
        timeout=600,
        **kw,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"tutor {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


@dataclass
class Server:
    pack: Path
    home: Path
    db_url: str
    port: int = field(default_factory=free_port)
    workers: int = 1
    extra: tuple[str, ...] = ()
    proc: subprocess.Popen | None = None
    info: dict = field(default_factory=dict)
    log: Path | None = None
    tls_cert: Path | None = None  # the server speaks HTTPS with this (self-signed) certificate

    @property
    def url(self) -> str:
        return f"{'https' if self.tls_cert else 'http'}://127.0.0.1:{self.port}"

    def _verify(self):
        import ssl

        return ssl.create_default_context(cafile=str(self.tls_cert)) if self.tls_cert else True

    @property
    def code(self) -> str:
        return self.info["code"]

    @property
    def token(self) -> str:
        return Path(self.info["token_file"]).read_text().strip()

    def start(self) -> Server:
        self.home.mkdir(parents=True, exist_ok=True)
        self.log = self.home / f"serve-{self.port}-{time.monotonic_ns()}.log"
        out = self.log.open("w")
        args = [
            sys.executable,
            "-m",
            "tutor",
            "workshop",
            "serve",
            str(self.pack),
            "--port",
            str(self.port),
            "--json",
            "--db",
            self.db_url,
            "--workers",
            str(self.workers),
            "--join-limit",
            "100000/minute",
            "--token-limit",
            "100000/minute",
            *self.extra,
        ]
        self.proc = subprocess.Popen(
            args,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=tutor_env(self.home),
            start_new_session=True,
        )
        out.close()
        deadline = time.monotonic() + READY_WAIT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"the server exited {self.proc.returncode}:\n{self.log.read_text()}")
            first = self.log.read_text().splitlines()
            if first and first[0].startswith("{"):
                self.info = json.loads(first[0])
                try:
                    if httpx.get(f"{self.url}/api/v1/health", timeout=5, verify=self._verify()).status_code == 200:
                        return self
                except httpx.HTTPError:
                    pass
            time.sleep(0.1)
        raise AssertionError(f"the server did not answer within {READY_WAIT_S} s:\n{self.log.read_text()}")

    def kill(self) -> None:
        """SIGKILL the whole server (uvicorn and its workers), as a crash or a pulled plug would."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def restart(self) -> Server:
        self.kill()
        return self.start()

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60, trust_env=False, verify=self._verify())

    def join(self, name: str) -> dict:
        with self.client() as http:
            response = http.post("/api/v1/join", json={"code": self.code, "name": name})
        assert response.status_code == 201, response.text
        return response.json()


@pytest.fixture
def pack_dir(tmp_path) -> Path:
    from tutor.workshop.starter import write_starter

    write_starter(tmp_path / "pack")
    return tmp_path / "pack"


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory) -> Iterator[str]:
    """A PostgreSQL server URL for this test session."""
    given = os.environ.get("TUTOR_TEST_PG_URL")
    if given:
        yield given
        return
    folder = Path(f"/tmp/tutor-test-pg-{uuid.uuid4().hex[:8]}")
    started = subprocess.run(
        ["bash", str(REPO / ".ci" / "postgres"), "start", str(folder)], capture_output=True, text=True, timeout=600
    )
    if started.returncode != 0:
        message = f"no PostgreSQL: set TUTOR_TEST_PG_URL, or let .ci/postgres start one:\n{started.stderr}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield started.stdout.strip()
    finally:
        subprocess.run(["bash", str(REPO / ".ci" / "postgres"), "stop", str(folder)], timeout=300)
        subprocess.run(["rm", "-rf", str(folder)], timeout=300)


@pytest.fixture
def pg_url(pg_server) -> Iterator[str]:
    """A fresh, empty database on the test PostgreSQL, dropped afterwards."""
    import psycopg

    plain = pg_server.replace("postgresql+psycopg://", "postgresql://")
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = pg_server.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'server.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def server(pack_dir, db_url, tmp_path) -> Iterator[Server]:
    srv = Server(pack_dir, tmp_path / "instructor", db_url).start()
    try:
        yield srv
    finally:
        srv.kill()


def event(seq: int, **over) -> dict:
    body = {
        "id": str(uuid.uuid4()),
        "seq": seq,
        "at": "2026-12-03T10:00:00+00:00",
        "type": "lab_hint",
        "lab": "sqs-dead-letter",
        "number": 1,
    }
    body.update(over)
    return body
