"""Start, find, use and stop the sandbox server of a lab session."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .environment import REGION, isolated_env
from .errors import SandboxError

STATE_FILE = "sandbox.json"  # written by the server once it serves (see server.py)
LOG_FILE = "server.log"
SAVE_FILE = "saved.pickle"  # the lab's state between runs (see persist.py)
PORT_FILE = "port"  # the port of the last run, tried first so exported endpoints stay valid
_PROJECT_ROOT = Path(__file__).resolve().parents[2]  # the directory holding `tutor/`


@dataclass(eq=False)
class Sandbox:
    """A running sandbox server on 127.0.0.1:port."""

    port: int
    pid: int
    state_dir: Path
    _proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _session: Any = field(default=None, repr=False)
    _clients: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def state(self) -> dict[str, Any]:
        """What the server wrote when it started (e.g. whether it restored a saved state)."""
        try:
            return dict(json.loads((self.state_dir / STATE_FILE).read_text()))
        except (OSError, ValueError):
            return {}

    # -------------------------------------------------------------- environment & clients

    def env(self) -> dict[str, str]:
        """The isolated environment for anything that should talk to this sandbox."""
        return isolated_env(self.endpoint, self.state_dir)

    def client(self, service: str, *, grader: bool = False) -> Any:
        """A cached boto3 client bound to the sandbox (fake credentials, us-east-1).

        ``grader=True`` marks its requests as the grader's, so its probes (a test message, an
        uploaded object) do not count as changes for `lab watch`.
        """
        key = f"{service}#grader" if grader else service
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                if self._session is None:
                    import boto3

                    from ._boto import sandbox_botocore_session

                    self._session = boto3.Session(botocore_session=sandbox_botocore_session(self.env()))
                client = self._session.client(service, endpoint_url=self.endpoint, region_name=REGION)
                if grader:
                    client.meta.events.register("before-send", _mark_grader)
                self._clients[key] = client
            return client

    # -------------------------------------------------------------- server routes

    def _request(self, method: str, path: str, timeout: float = 5.0) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, headers={"Content-Length": "0"})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def alive(self) -> bool:
        """True when our server answers on the port (and it is this pid, not a newcomer)."""
        try:
            status, body = self._request("GET", "/_tutor/ping", timeout=2.0)
            return status == 200 and json.loads(body).get("pid") == self.pid
        except (OSError, ValueError, http.client.HTTPException):
            return False

    def reset(self) -> None:
        """Empty every service (moto's reset): the lab starts over."""
        try:
            status, body = self._request("POST", "/moto-api/reset", timeout=10.0)
        except (OSError, http.client.HTTPException) as error:
            raise self._gone(error) from None
        if status != 200:
            raise SandboxError(f"The sandbox refused to reset ({status}): {body[:200]!r}")

    def save(self) -> None:
        """Write the sandbox's state to its save file now (the server also saves on its own)."""
        try:
            status, body = self._request("POST", "/_tutor/save", timeout=60.0)
        except (OSError, http.client.HTTPException) as error:
            raise self._gone(error) from None
        if status != 200:
            raise SandboxError(f"The sandbox could not save your work ({status}): {body[:300]!r}")

    def changes(self) -> int:
        """A counter that grows on every request that may change state (for `lab watch`)."""
        try:
            _status, body = self._request("GET", "/_tutor/changes", timeout=2.0)
        except (OSError, http.client.HTTPException) as error:
            raise self._gone(error) from None
        return int(json.loads(body)["changes"])

    def lambda_code(self, function_name: str, region: str = REGION, qualifier: str | None = None) -> bytes:
        """The zip the learner deployed for `function_name` (a version with `qualifier`), from moto's backend."""
        path = f"/_tutor/lambda/{quote(function_name, safe='')}/code?region={quote(region)}"
        if qualifier:
            path += f"&qualifier={quote(str(qualifier))}"
        try:
            status, body = self._request("GET", path, timeout=10.0)
        except (OSError, http.client.HTTPException) as error:
            raise self._gone(error) from None
        if status == 200:
            return body
        if status == 404:
            raise SandboxError(
                f"There is no Lambda function named {function_name!r} in the sandbox "
                f"({region}). Create it first, e.g. `aws lambda create-function "
                f"--function-name {function_name} --zip-file fileb://function.zip ...`."
            )
        raise SandboxError(
            f"Lambda function {function_name!r} has no zip package to run "
            "(container images are not supported in the sandbox); deploy it with --zip-file."
        )

    def _gone(self, error: Exception) -> SandboxError:
        return SandboxError(
            f"The lab sandbox at {self.endpoint} is not answering ({error}). "
            "Start the lab again with `tutor lab start`."
        )

    # -------------------------------------------------------------- lifetime

    def wait_ready(self, timeout: float = 20.0) -> Sandbox:
        """Block until the server answers (start_sandbox(wait=False) returns before that)."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                # The listening socket exists before the server process does, so this
                # request simply waits in the accept queue until moto is imported.
                status, _body = self._request("GET", "/_tutor/ping", timeout=max(remaining, 0.05))
                if status == 200:
                    return self
            except (OSError, http.client.HTTPException):
                pass
            if self._proc is not None and self._proc.poll() is not None:
                raise SandboxError(
                    "The sandbox server exited while starting "
                    f"(code {self._proc.returncode}). Its log says:\n{self._log_tail()}"
                )
            if time.monotonic() >= deadline:
                self.stop()
                raise SandboxError(
                    f"The sandbox server did not become ready within {timeout:.0f} s. Its log says:\n{self._log_tail()}"
                )
            time.sleep(0.02)

    def stop(self, grace: float = 1.0, *, save: bool = False) -> None:
        """Terminate the server (SIGTERM, then SIGKILL after `grace` seconds).

        With `save`, the state is written to the save file first, and a failure to save raises
        before anything is stopped: the learner's work is never thrown away silently.
        """
        if save:
            self.save()
        with self._lock:
            for client in self._clients.values():
                try:
                    client.close()
                except Exception:
                    pass
            self._clients.clear()
        try:
            os.kill(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        if not self._wait_gone(grace):
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self._wait_gone(grace)
        state = self.state_dir / STATE_FILE
        try:
            if json.loads(state.read_text()).get("pid") == self.pid:
                state.unlink()
        except (OSError, ValueError):
            pass

    def _wait_gone(self, timeout: float) -> bool:
        if self._proc is not None:
            try:
                self._proc.wait(timeout)
                return True
            except subprocess.TimeoutExpired:
                return False
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if _pid_gone(self.pid):
                return True
            time.sleep(0.02)
        return _pid_gone(self.pid)

    def _log_tail(self, lines: int = 20) -> str:
        try:
            text = (self.state_dir / LOG_FILE).read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:]) or "(empty log)"


def _mark_grader(request: Any, **_: Any) -> None:
    from .server import GRADER_HEADER

    request.headers[GRADER_HEADER] = "1"


def _pid_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def start_sandbox(
    state_dir: Path,
    watch_pid: int | None = None,
    *,
    detach: bool = False,
    save_file: Path | None = None,
    restore: bool = False,
    idle_timeout: float | None = None,
    preload: Iterable[str] = (),
    ec2_default_amis: bool = False,
    wait: bool = True,
    timeout: float = 60.0,
) -> Sandbox:
    """Start a sandbox server on a free loopback port and return once it answers.

    watch_pid: the server exits when this process dies (default: the caller), unless `detach`.
    detach: the server outlives the caller (a lab: its lifetime is `tutor lab stop` or the
        idle timeout, never the shell that happened to start it).
    save_file: the server keeps its state there (after changes and on exit); `restore` starts
        from it. Labs use state_dir/SAVE_FILE.
    idle_timeout: seconds without a request after which the server saves and exits.
    preload: services (e.g. ["ec2", "rds"]) whose moto backends are imported in the
        background right after start, so the lab's first call does not pay for it.
    ec2_default_amis: load moto's ~1,200 default AMIs (costs ~1 s on the first EC2 call).
    wait: with False, return at once; call `wait_ready()` before using the sandbox.
    timeout: how long to wait for the server to answer; generous, so a busy machine is not
        mistaken for a broken server (a healthy start takes well under a second).

    A sandbox already recorded in state_dir is stopped first: one lab session, one server.
    The port of the previous run is reused when it is free, so `export`ed endpoints stay valid.
    """
    state_dir = Path(state_dir).resolve()
    state_dir.mkdir(parents=True, exist_ok=True)
    previous = attach(state_dir)
    if previous is not None:
        previous.stop(save=save_file is not None)
    if watch_pid is None and not detach:
        watch_pid = os.getpid()

    listener = _listen(state_dir)
    try:
        port = listener.getsockname()[1]
        env = isolated_env(f"http://127.0.0.1:{port}", state_dir)
        env["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "true" if ec2_default_amis else "false"
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_PROJECT_ROOT), env.get("PYTHONPATH", "")) if p)
        command = [
            sys.executable,
            "-m",
            "tutor.sandbox.server",
            "--fd",
            str(listener.fileno()),
            "--state-dir",
            str(state_dir),
        ]
        if watch_pid is not None and not detach:
            command += ["--watch-pid", str(watch_pid)]
        if save_file is not None:
            command += ["--save-file", str(Path(save_file).resolve())]
            if restore:
                command.append("--restore")
        if idle_timeout:
            command += ["--idle-timeout", str(idle_timeout)]
        services = [s for s in preload if s]
        if services:
            command += ["--preload", ",".join(services)]
        with open(state_dir / LOG_FILE, "ab") as log:
            proc = subprocess.Popen(
                command,
                env=env,
                cwd=state_dir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=(listener.fileno(),),
                start_new_session=True,  # Ctrl-C or a hang-up in the learner's shell is not for us
            )
    finally:
        # Only the server may hold the socket: if it dies, connections are refused at once.
        listener.close()
    sandbox = Sandbox(port=port, pid=proc.pid, state_dir=state_dir, _proc=proc)
    if wait:
        sandbox.wait_ready(timeout)
    return sandbox


def _listen(state_dir: Path) -> socket.socket:
    """A listening loopback socket: on the port of the last run when it is free, else any port."""
    port_file = state_dir / PORT_FILE
    try:
        wanted = int(port_file.read_text())
    except (OSError, ValueError):
        wanted = 0
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # the last run's connections may linger in TIME_WAIT; that must not keep us off its port
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        try:
            listener.bind(("127.0.0.1", wanted))
        except OSError:
            listener.bind(("127.0.0.1", 0))
        listener.listen(128)
    except BaseException:
        listener.close()
        raise
    try:
        port_file.write_text(str(listener.getsockname()[1]))
    except OSError:
        pass
    return listener


def attach(state_dir: Path) -> Sandbox | None:
    """The sandbox running for `state_dir` (from its sandbox.json), or None if none answers."""
    state_dir = Path(state_dir).resolve()
    state_file = state_dir / STATE_FILE
    try:
        state = json.loads(state_file.read_text())
        sandbox = Sandbox(port=int(state["port"]), pid=int(state["pid"]), state_dir=state_dir)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if sandbox.alive():
        return sandbox
    if _pid_gone(sandbox.pid):
        try:
            state_file.unlink()
        except OSError:
            pass
    return None
