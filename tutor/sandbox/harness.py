"""Run a learner's Lambda handler ourselves: moto without Docker only echoes on invoke.

Each call runs the handler in a fresh Python process (like a cold start), in the code's own
directory, with the sandbox environment (so boto3 inside the handler talks to the sandbox),
a Lambda-like context object, and a hard timeout that kills the whole process group.
"""

from __future__ import annotations

import io
import json
import math
import os
import resource
import selectors
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .environment import ACCOUNT_ID, REGION, is_loopback_url
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


# How long the module import (Lambda's init phase) may take. Lambda allows 10 s of init; counted here as CPU
# time, so a loaded machine that starves the child of CPU never trips it, while an import that spins is caught.
INIT_CPU_SECONDS = 10
# Wall-clock guard for an import that blocks without using CPU (a socket that never answers). It only catches a
# hang, so it is generous: a cold start on a busy machine takes seconds, never minutes.
INIT_HANG_SECONDS = 120.0
_LOG_LIMIT = 1 << 20  # keep at most the last 1 MiB a handler prints


# The child's whole program. It reads its request from a file, tells the parent on the status pipe the moment it
# calls the handler (so the timeout counts from there, as in Lambda, not from interpreter start and imports), and
# writes one JSON answer to a file, so nothing the handler prints can be mistaken for the result.
_RUNNER = r"""
import importlib, json, math, os, resource, sys, time, traceback, uuid

with open(sys.argv[1]) as source:
    request = json.load(source)
status = os.fdopen(request["status_fd"], "w")
sys.path.insert(0, request["code_dir"])
name = request["function_name"]
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # SIGXCPU must not leave a core file in the code
cpu_cap = request["cpu_cap"]  # the hard ceiling for both phases; the handler can only lower it
resource.setrlimit(resource.RLIMIT_CPU, (request["init_cpu"], cpu_cap))


class LambdaContext:
    def __init__(self, deadline):
        self._deadline = deadline
        self.function_name = name
        self.function_version = "$LATEST"
        self.invoked_function_arn = request["function_arn"]
        self.memory_limit_in_mb = request["memory_mb"]
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = "/aws/lambda/" + name
        self.log_stream_name = time.strftime("%Y/%m/%d") + "/[$LATEST]" + uuid.uuid4().hex
        self.identity = None
        self.client_context = None

    def get_remaining_time_in_millis(self):
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def answer(payload):
    tmp = request["result_file"] + ".tmp"
    with open(tmp, "w") as out:
        json.dump(payload, out)
    os.replace(tmp, request["result_file"])


def failure(kind, message, trace):
    return {"ok": False, "error": {"type": kind, "message": message, "traceback": trace}}


module_name, _, function_name = request["handler"].rpartition(".")
module_name = module_name.replace("/", ".")
started = time.perf_counter()
try:
    if not module_name or not function_name:
        raise ValueError("handler must look like 'module.function', e.g. 'app.handler'")
    module = importlib.import_module(module_name)
except Exception as error:
    payload = failure(
        "Runtime.ImportModuleError",
        "Unable to import module '%s': %s" % (module_name, error),
        traceback.format_exc(),
    )
else:
    handler = getattr(module, function_name, None)
    if not callable(handler):
        payload = failure(
            "Runtime.HandlerNotFound",
            "Handler '%s' missing on module '%s'" % (function_name, module_name),
            "",
        )
    else:
        if request["cpu_seconds"] is None:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_cap, cpu_cap))
        else:
            soft = min(cpu_cap - 1, math.ceil(time.process_time() + request["cpu_seconds"]))
            resource.setrlimit(resource.RLIMIT_CPU, (soft, soft + 1))
        called = time.monotonic()
        context = LambdaContext(called + request["timeout"])
        status.write("handler %r\n" % called)
        status.flush()
        started = time.perf_counter()
        try:
            value = handler(request["event"], context)
        except BaseException as error:
            kind = type(error).__name__
            if isinstance(error, SystemExit):
                kind = "Runtime.ExitError"
            payload = failure(kind, str(error), traceback.format_exc())
        else:
            try:
                payload = {"ok": True, "result": json.loads(json.dumps(value))}
            except (TypeError, ValueError) as error:
                payload = failure(
                    "Runtime.MarshalError",
                    "Unable to marshal response: %s" % error,
                    traceback.format_exc(),
                )
payload["duration_ms"] = (time.perf_counter() - started) * 1000
sys.stdout.flush()
sys.stderr.flush()
answer(payload)
"""


def run_handler(
    code: Path | bytes,
    handler: str,
    event: Mapping[str, Any] | list[Any] | None,
    env: Mapping[str, str],
    timeout: float = 10,
    *,
    function_name: str = "tutor-function",
    memory_mb: int = 128,
    cpu_seconds: float | None = None,
) -> HandlerResult:
    """Invoke `handler` ("module.function") from `code` with `event`, like Lambda would.

    code: a directory, a .zip file, or a zip's bytes (e.g. `Sandbox.lambda_code(name)`).
    env: the complete environment: pass `{**sandbox.env(), **function_variables}`. It must
        point AWS_ENDPOINT_URL at a loopback sandbox, so the handler cannot reach real AWS.
    timeout: seconds, the function's configured timeout. Counted, as Lambda does, from the moment the handler is
        called (interpreter start and imports are the init phase, limited separately); after it the process group
        is killed and `timed_out` is True.
    cpu_seconds: if given, the handler call is also stopped once it has used this much CPU time. Graders use it
        to catch an endless loop in a few seconds however long the function's timeout is, without a wall-clock
        limit that a busy machine could trip.
    """
    endpoint = env.get("AWS_ENDPOINT_URL", "")
    if not is_loopback_url(endpoint):
        raise SandboxError(
            "run_handler needs the sandbox environment so the handler cannot reach real AWS: "
            "pass env={**sandbox.env(), **function_variables}."
        )
    with tempfile.TemporaryDirectory(prefix="tutor-lambda-") as scratch:
        code_dir = _code_dir(code, Path(scratch))
        result_file = Path(scratch) / "result.json"
        request_file = Path(scratch) / "request.json"
        status_read, status_write = os.pipe()
        request = {
            "code_dir": str(code_dir),
            "handler": handler,
            "event": event if event is not None else {},
            "timeout": float(timeout),
            "function_name": function_name,
            "function_arn": f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{function_name}",
            "memory_mb": int(memory_mb),
            "result_file": str(result_file),
            "status_fd": status_write,
            "init_cpu": INIT_CPU_SECONDS,
            "cpu_seconds": None if cpu_seconds is None else float(cpu_seconds),
            "cpu_cap": INIT_CPU_SECONDS + math.ceil(cpu_seconds or 0) + 2,
        }
        if cpu_seconds is None:
            request["cpu_cap"] = resource.RLIM_INFINITY
        request_file.write_text(json.dumps(request, default=str))
        child_env = dict(env)
        child_env.update(
            {
                "AWS_LAMBDA_FUNCTION_NAME": function_name,
                "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory_mb),
                "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function_name}",
                "_HANDLER": handler,
                "LAMBDA_TASK_ROOT": str(code_dir),
                "TZ": ":UTC",
            }
        )
        try:
            proc = subprocess.Popen(
                # -I: no user site, no PYTHON* variables; -B: leave no __pycache__ in the code
                [sys.executable, "-I", "-B", "-c", _RUNNER, str(request_file)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                cwd=code_dir,
                env=child_env,
                pass_fds=(status_write,),
                start_new_session=True,  # one process group, so a timeout kills everything
            )
        finally:
            os.close(status_write)
        try:
            watch = _watch(proc, status_read, float(timeout))
        finally:
            os.close(status_read)
            _kill_group(proc)
            proc.wait()
        logs = watch.output.decode("utf-8", "replace")
        if watch.stopped is None and proc.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
            # the kernel's RLIMIT_CPU: SIGXCPU at the soft limit, SIGKILL at the hard one if that was ignored
            in_handler = watch.called_at is not None
            if not in_handler or cpu_seconds is not None:
                watch.stopped = "cpu" if in_handler else "cpu-init"
        if watch.stopped is not None:
            return _stopped(watch, float(timeout), cpu_seconds, logs)
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
                stdout=logs,
                duration_ms=watch.handler_ms,
                timed_out=False,
            )
        return HandlerResult(
            ok=bool(answer.get("ok")),
            result=answer.get("result"),
            error=answer.get("error"),
            stdout=logs,
            duration_ms=float(answer.get("duration_ms", watch.handler_ms)),
            timed_out=False,
        )


@dataclass
class _Watch:
    output: bytes = b""
    called_at: float | None = None  # time.monotonic() in the child when it called the handler
    stopped: str | None = None  # the limit that stopped the child: "init", "timeout", "cpu-init" or "cpu"
    handler_ms: float = 0.0


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
                    else:
                        status_buffer += data
                        if watch.called_at is None and b"\n" in status_buffer:
                            line = status_buffer.split(b"\n", 1)[0].decode()
                            watch.called_at = float(line.split()[1])
                            deadline = watch.called_at + timeout
                if exited:
                    break
        finally:
            if exit_fd is not None:
                os.close(exit_fd)
        # whatever the handler printed before it exited is still in the pipe
        _kill_group(proc)
        while True:
            ready = selector.select(0) if out_fd in selector.get_map() else []
            if not any(key.data == "out" for key, _ in ready):
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


def _stopped(watch: _Watch, timeout: float, cpu_seconds: float | None, logs: str) -> HandlerResult:
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
        stdout=logs,
        duration_ms=timeout * 1000 if watch.stopped == "timeout" else watch.handler_ms,
        timed_out=True,
        limit=limit,
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
