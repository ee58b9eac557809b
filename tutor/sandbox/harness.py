"""Run a learner's Lambda handler ourselves: moto without Docker only echoes on invoke.

Each call runs the handler in a fresh Python process (like a cold start) in the code's own directory, with a
Lambda-like context object and environment, and the limits Lambda has: the function's timeout, counted from the
handler call. The program around the handler is lambda_runner.py; it isolates the handler from everything but the
sandbox (see there), and this module relays the handler's connections to the sandbox and kills whatever is left
when the call ends, times out, or the caller dies.
"""

from __future__ import annotations

import io
import json
import math
import os
import resource
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .environment import ACCOUNT_ID, EXPORTED, REGION, is_loopback_url
from .errors import SandboxError


@dataclass(frozen=True)
class HandlerResult:
    ok: bool
    result: Any  # the handler's return value (JSON round-tripped), None on error
    error: dict[str, str] | None  # {"type", "message", "traceback"}
    stdout: str  # everything the handler printed (stdout and stderr, like CloudWatch Logs)
    duration_ms: float  # from the handler call, as Lambda bills it
    timed_out: bool
    limit: str = ""  # when timed_out: the limit it hit, in words ("30 s", "3 s of CPU time")
    request_id: str = ""  # the context's aws_request_id
    isolation: str = ""  # "namespaces", or "guard: <why namespaces were not available>"


# How long the module import (Lambda's init phase) may take. Lambda allows 10 s of init; counted here as CPU
# time, so a loaded machine that starves the child of CPU never trips it, while an import that spins is caught.
INIT_CPU_SECONDS = 10
# Wall-clock guard for an import that blocks without using CPU (a socket that never answers). It only catches a
# hang, so it is generous: a cold start on a busy machine takes seconds, never minutes.
INIT_HANG_SECONDS = 120.0
_LOG_LIMIT = 1 << 20  # keep at most the last 1 MiB a handler prints
_RUNNER = Path(__file__).with_name("lambda_runner.py")

# The handler's isolation (tests switch them off one at a time to show that each one is needed).
USE_NAMESPACES = True  # private user, network and PID namespaces where the kernel allows them
USE_GUARD = True  # the in-process guard, where namespaces are not available

# What a function's variables may not set: the sandbox's own settings always win (Lambda reserves the AWS_ and
# runtime names too), and nothing may point the handler at another endpoint, profile, proxy, library or home.
_PROTECTED_PREFIXES = ("AWS_", "LD_", "PYTHON", "XDG_")
_PROTECTED = {
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "BOTO_CONFIG",
    "HOME",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
    "TMPDIR",
    "TZ",
    "PATH",
}
# What the handler inherits from the caller's environment besides the sandbox's own settings: nothing else of the
# host (tokens, keys, proxies) reaches learner code.
_INHERITED = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "SYSTEMROOT")


def _protected(name: str) -> bool:
    upper = name.upper()
    return upper.startswith(_PROTECTED_PREFIXES) or upper in _PROTECTED


def handler_environment(
    env: Mapping[str, str], variables: Mapping[str, str] | None, home: Path
) -> tuple[dict[str, str], list[str]]:
    """The handler's environment: the sandbox's settings from `env`, then the function's `variables` except the
    protected names, which are returned as the second item so the caller can say they were ignored."""
    child = {key: env[key] for key in (*_INHERITED, *EXPORTED) if key in env}
    ignored = []
    for key, value in (variables or {}).items():
        if _protected(key):
            ignored.append(key)
        else:
            child[str(key)] = str(value)
    child.update(
        {
            "HOME": str(home),
            "TMPDIR": str(home / "tmp"),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
        }
    )
    return child, sorted(ignored)


def run_handler(
    code: Path | bytes,
    handler: str,
    event: Mapping[str, Any] | list[Any] | None,
    env: Mapping[str, str],
    timeout: float = 10,
    *,
    variables: Mapping[str, str] | None = None,
    function_name: str = "tutor-function",
    function_version: str = "$LATEST",
    memory_mb: int = 128,
    cpu_seconds: float | None = None,
) -> HandlerResult:
    """Invoke `handler` ("module.function") from `code` with `event`, like Lambda would.

    code: a directory, a .zip file, or a zip's bytes (e.g. `Sandbox.lambda_code(name)`).
    env: the sandbox's environment (`sandbox.env()`); it must point AWS_ENDPOINT_URL at a loopback sandbox. Only
        its AWS, proxy and locale settings reach the handler.
    variables: the function's environment variables. They cannot override the sandbox's settings (credentials,
        profiles, endpoints, region, proxies, HOME...): such names are ignored, and the log says so.
    timeout: seconds, the function's configured timeout. Counted, as Lambda does, from the moment the handler is
        called (interpreter start and imports are the init phase, limited separately); after it every process of
        the call is killed and `timed_out` is True.
    cpu_seconds: if given, the handler call is also stopped once it has used this much CPU time. Graders use it
        to catch an endless loop in a few seconds however long the function's timeout is, without a wall-clock
        limit that a busy machine could trip.
    """
    endpoint = env.get("AWS_ENDPOINT_URL", "")
    if not is_loopback_url(endpoint):
        raise SandboxError(
            "run_handler needs the sandbox environment so the handler cannot reach real AWS: "
            "pass env=sandbox.env() and the function's variables as variables=."
        )
    sandbox_port = urlsplit(endpoint).port or 80
    global _namespaces_work
    for attempt in range(2):
        namespaces = USE_NAMESPACES and _namespaces_work is not False
        result = _run_once(
            code,
            handler,
            event,
            env,
            float(timeout),
            variables,
            function_name,
            function_version,
            memory_mb,
            cpu_seconds,
            sandbox_port,
            namespaces,
        )
        if namespaces:
            works = result.isolation == "namespaces"
            if _namespaces_work is None or not works:
                _namespaces_work = works
        if result.isolation != "retry":
            return result
    raise SandboxError("The Lambda harness could not start the handler's process.")  # pragma: no cover


_namespaces_work: bool | None = None  # learned from the first run: None until then


def _run_once(
    code: Path | bytes,
    handler: str,
    event: Mapping[str, Any] | list[Any] | None,
    env: Mapping[str, str],
    timeout: float,
    variables: Mapping[str, str] | None,
    function_name: str,
    function_version: str,
    memory_mb: int,
    cpu_seconds: float | None,
    sandbox_port: int,
    namespaces: bool,
) -> HandlerResult:
    with tempfile.TemporaryDirectory(prefix="tutor-lambda-") as scratch_name:
        scratch = Path(scratch_name)
        code_dir = _code_dir(code, scratch)
        home = scratch / "home"
        (home / "tmp").mkdir(parents=True)
        result_file = scratch / "result.json"
        request_file = scratch / "request.json"
        request_id = str(uuid.uuid4())
        child_env, ignored = handler_environment(env, variables, home)
        child_env.update(
            {
                "AWS_LAMBDA_FUNCTION_NAME": function_name,
                "AWS_LAMBDA_FUNCTION_VERSION": function_version,
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory_mb),
                "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function_name}",
                "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
                "_HANDLER": handler,
                "LAMBDA_TASK_ROOT": str(code_dir),
                "TZ": ":UTC",
            }
        )
        status_read, status_write = os.pipe()
        relay_parent, relay_child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        request = {
            "parent_pid": os.getpid(),
            "code_dir": str(code_dir),
            "handler": handler,
            "event": event if event is not None else {},
            "timeout": timeout,
            "function_name": function_name,
            "function_version": function_version,
            "function_arn": f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{function_name}",
            "memory_mb": int(memory_mb),
            "request_id": request_id,
            "log_stream_name": time.strftime("%Y/%m/%d") + f"/[{function_version}]" + uuid.uuid4().hex,
            "result_file": str(result_file),
            "status_fd": status_write,
            "relay_fd": relay_child.fileno(),
            "sandbox_port": sandbox_port,
            "namespaces": namespaces,
            "guard": USE_GUARD,
            "init_cpu": INIT_CPU_SECONDS,
            "cpu_seconds": None if cpu_seconds is None else float(cpu_seconds),
            "cpu_cap": resource.RLIM_INFINITY if cpu_seconds is None else INIT_CPU_SECONDS + math.ceil(cpu_seconds) + 2,
        }
        request_file.write_text(json.dumps(request, default=str))
        relay = threading.Thread(
            target=_relay, args=(relay_parent, sandbox_port), name=f"lambda-relay-{function_name}", daemon=True
        )
        try:
            proc = subprocess.Popen(
                # -I: no user site, no PYTHON* variables, not even the runner's own folder on sys.path;
                # -B: leave no __pycache__ in the code
                [sys.executable, "-I", "-B", str(_RUNNER), str(request_file)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                cwd=code_dir,
                env=child_env,
                pass_fds=(status_write, relay_child.fileno()),
                start_new_session=True,  # one process group, so a timeout kills everything
            )
        finally:
            os.close(status_write)
            relay_child.close()
        relay.start()
        try:
            watch = _watch(proc, status_read, timeout)
        finally:
            os.close(status_read)
            _kill_group(proc)
            proc.wait()
            relay_parent.close()  # ends the relay thread, and with it every connection it made
        logs = watch.output.decode("utf-8", "replace")
        if ignored:
            logs = (
                f"[tutor] ignored the function variables {', '.join(ignored)}: the sandbox sets these itself, "
                "as Lambda reserves them\n" + logs
            )
        isolation = watch.isolation
        if namespaces and isolation.startswith("guard: namespace set-up"):
            isolation = "retry"  # half-made namespaces: run it again without them
        common = {"stdout": logs, "request_id": request_id, "isolation": isolation}
        if watch.stopped is None and proc.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
            # the kernel's RLIMIT_CPU: SIGXCPU at the soft limit, SIGKILL at the hard one if that was ignored
            in_handler = watch.called_at is not None
            if not in_handler or cpu_seconds is not None:
                watch.stopped = "cpu" if in_handler else "cpu-init"
        if watch.stopped is not None:
            return _stopped(watch, timeout, cpu_seconds, common)
        try:
            answer = json.loads(result_file.read_text())
        except (OSError, ValueError):
            return HandlerResult(
                ok=False,
                result=None,
                error={
                    "type": "Runtime.ExitError",
                    "message": f"The handler process exited (code {proc.returncode}) before returning a result",
                    "traceback": "",
                },
                duration_ms=watch.handler_ms,
                timed_out=False,
                **common,
            )
        return HandlerResult(
            ok=bool(answer.get("ok")),
            result=answer.get("result"),
            error=answer.get("error"),
            duration_ms=float(answer.get("duration_ms", watch.handler_ms)),
            timed_out=False,
            **common,
        )


def _relay(channel: socket.socket, port: int) -> None:
    """Connect each connection the handler makes inside its namespace (an fd sent over `channel`) to the
    sandbox on the host's loopback, until the channel closes."""
    open_pairs: list[tuple[socket.socket, socket.socket]] = []
    try:
        while True:
            try:
                message, fds, _, _ = socket.recv_fds(channel, 1, 8)
            except OSError:
                break
            if not message and not fds:
                break
            for fd in fds:
                inside = socket.socket(fileno=fd)
                try:
                    outside = socket.create_connection(("127.0.0.1", port))
                except OSError:
                    inside.close()  # the handler sees "connection reset", as with a sandbox that is gone
                    continue
                open_pairs.append((inside, outside))
                for source, target in ((inside, outside), (outside, inside)):
                    threading.Thread(target=_pump, args=(source, target), daemon=True, name="lambda-pump").start()
    finally:
        for inside, outside in open_pairs:
            for sock in (inside, outside):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def _pump(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            target.sendall(data)
    except OSError:
        pass
    finally:
        try:
            target.shutdown(socket.SHUT_WR)
        except OSError:
            pass


@dataclass
class _Watch:
    output: bytes = b""
    called_at: float | None = None  # time.monotonic() in the child when it called the handler
    stopped: str | None = None  # the limit that stopped the child: "init", "timeout", "cpu-init" or "cpu"
    handler_ms: float = 0.0
    isolation: str = ""


def _watch(proc: subprocess.Popen[bytes], status_fd: int, timeout: float) -> _Watch:
    """Collect the child's output until it exits, killing it at its deadline: INIT_HANG_SECONDS for start-up
    and import, then `timeout` from the handler call (CLOCK_MONOTONIC is system-wide, so the child's timestamp
    is valid here)."""
    watch = _Watch()
    chunks: list[bytes] = []
    kept = 0
    assert proc.stdout is not None
    out_fd = proc.stdout.fileno()
    deadline = time.monotonic() + INIT_HANG_SECONDS
    status_buffer = b""
    with selectors.DefaultSelector() as selector:
        selector.register(out_fd, selectors.EVENT_READ, "out")
        selector.register(status_fd, selectors.EVENT_READ, "status")
        exit_fd = _pidfd(proc.pid)
        if exit_fd is not None:
            selector.register(exit_fd, selectors.EVENT_READ, "exit")
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    if proc.poll() is None:
                        watch.stopped = "init" if watch.called_at is None else "timeout"
                    break
                # without a pidfd, poll the exit a few times a second
                events = selector.select(remaining if exit_fd is not None else min(remaining, 0.1))
                if exit_fd is None and proc.poll() is not None:
                    break
                exited = False
                for key, _ in events:
                    if key.data == "exit":
                        exited = True
                        continue
                    data = os.read(key.fd, 65536)
                    if not data:
                        selector.unregister(key.fd)
                        continue
                    if key.data == "out":
                        chunks.append(data)
                        kept += len(data)
                        while kept > _LOG_LIMIT and len(chunks) > 1:
                            kept -= len(chunks.pop(0))
                        continue
                    status_buffer += data
                    while b"\n" in status_buffer:
                        line, status_buffer = status_buffer.split(b"\n", 1)
                        word, _, rest = line.decode("utf-8", "replace").partition(" ")
                        if word == "isolation":
                            watch.isolation = rest
                        elif word == "handler" and watch.called_at is None:
                            watch.called_at = float(rest)
                            deadline = watch.called_at + timeout
                if exited:
                    break
        finally:
            if exit_fd is not None:
                os.close(exit_fd)
        # whatever the handler printed before it exited is still in the pipe
        _kill_group(proc)
        while out_fd in selector.get_map():
            if not selector.select(0):
                break
            data = os.read(out_fd, 65536)
            if not data:
                break
            chunks.append(data)
    if watch.called_at is not None:
        watch.handler_ms = max(0.0, (time.monotonic() - watch.called_at) * 1000)
    watch.output = b"".join(chunks)[-_LOG_LIMIT:]
    return watch


def _pidfd(pid: int) -> int | None:
    """A file descriptor that becomes readable when `pid` exits (Linux 5.3+), or None."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def _stopped(watch: _Watch, timeout: float, cpu_seconds: float | None, common: dict[str, str]) -> HandlerResult:
    """The result of a child the parent or the kernel stopped for a limit."""
    if watch.stopped == "init":
        message = f"The module did not finish importing within {INIT_HANG_SECONDS:g} s"
        limit = f"{INIT_HANG_SECONDS:g} s of start-up"
    elif watch.stopped == "cpu-init":
        message = f"The module used {INIT_CPU_SECONDS} s of CPU time without finishing its import"
        limit = f"{INIT_CPU_SECONDS} s of CPU time while importing"
    elif watch.stopped == "cpu":
        message = f"Task stopped after {cpu_seconds:g} seconds of CPU time"
        limit = f"{cpu_seconds:g} s of CPU time"
    else:
        message = f"Task timed out after {timeout:.2f} seconds"  # Lambda's own wording
        limit = f"{timeout:g} s"
    return HandlerResult(
        ok=False,
        result=None,
        error={"type": "Sandbox.Timedout", "message": message, "traceback": ""},
        duration_ms=timeout * 1000 if watch.stopped == "timeout" else watch.handler_ms,
        timed_out=True,
        limit=limit,
        **common,
    )


def _code_dir(code: Path | bytes, scratch: Path) -> Path:
    if isinstance(code, (bytes, bytearray)):
        return _extract(bytes(code), scratch)
    path = Path(code)
    if path.is_dir():
        return path.resolve()
    if path.is_file():
        return _extract(path.read_bytes(), scratch)
    raise SandboxError(f"No Lambda code at {path}: give a directory or a .zip file.")


def _extract(data: bytes, scratch: Path) -> Path:
    target = scratch / "task"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            archive.extractall(target)  # extractall drops '..' and absolute paths
    except zipfile.BadZipFile:
        raise SandboxError(
            "The Lambda package is not a valid zip file. Zip the handler file itself "
            "(e.g. `zip function.zip app.py`) and deploy that."
        ) from None
    return target


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
