"""Run a learner's Lambda handler ourselves: moto without Docker only echoes on invoke.

Each call runs the handler in a fresh Python process (like a cold start), in the code's own
directory, with the sandbox environment (so boto3 inside the handler talks to the sandbox),
a Lambda-like context object, and a hard timeout that kills the whole process group.
"""

from __future__ import annotations

import io
import json
import os
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
    duration_ms: float
    timed_out: bool


# The child's whole program. It reads one JSON request on stdin and writes one JSON answer
# to a file, so nothing the handler prints can be mistaken for the result.
_RUNNER = r"""
import importlib, json, os, sys, time, traceback, uuid

request = json.loads(sys.stdin.read())
sys.stdin = open(os.devnull)
sys.path.insert(0, request["code_dir"])
name = request["function_name"]


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
        context = LambdaContext(time.monotonic() + request["timeout"])
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
) -> HandlerResult:
    """Invoke `handler` ("module.function") from `code` with `event`, like Lambda would.

    code: a directory, a .zip file, or a zip's bytes (e.g. `Sandbox.lambda_code(name)`).
    env: the complete environment: pass `{**sandbox.env(), **function_variables}`. It must
        point AWS_ENDPOINT_URL at a loopback sandbox, so the handler cannot reach real AWS.
    timeout: seconds; the process group is killed after it and `timed_out` is True.
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
        request = {
            "code_dir": str(code_dir),
            "handler": handler,
            "event": event if event is not None else {},
            "timeout": float(timeout),
            "function_name": function_name,
            "function_arn": f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{function_name}",
            "memory_mb": int(memory_mb),
            "result_file": str(result_file),
        }
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
        started = time.perf_counter()
        proc = subprocess.Popen(
            # -I: no user site, no PYTHON* variables; -B: leave no __pycache__ in the code
            [sys.executable, "-I", "-B", "-c", _RUNNER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=code_dir,
            env=child_env,
            start_new_session=True,  # one process group, so a timeout kills everything
        )
        payload = json.dumps(request, default=str).encode()
        timed_out = False
        try:
            output, _ = proc.communicate(payload, timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill_group(proc)
            try:
                output, _ = proc.communicate(timeout=1)
            except subprocess.TimeoutExpired:  # a grandchild left the group holding the pipe
                output = b""
        elapsed_ms = (time.perf_counter() - started) * 1000
        logs = output.decode("utf-8", "replace")
        if timed_out:
            return HandlerResult(
                ok=False,
                result=None,
                error={
                    "type": "Sandbox.Timedout",
                    "message": f"Task timed out after {timeout:.2f} seconds",
                    "traceback": "",
                },
                stdout=logs,
                duration_ms=float(timeout) * 1000,
                timed_out=True,
            )
        try:
            answer = json.loads(result_file.read_text())
        except (OSError, ValueError):
            return HandlerResult(
                ok=False,
                result=None,
                error={
                    "type": "Runtime.ExitError",
                    "message": f"The handler process exited (code {proc.returncode}) "
                    "before returning a result",
                    "traceback": "",
                },
                stdout=logs,
                duration_ms=elapsed_ms,
                timed_out=False,
            )
        return HandlerResult(
            ok=bool(answer.get("ok")),
            result=answer.get("result"),
            error=answer.get("error"),
            stdout=logs,
            duration_ms=float(answer.get("duration_ms", elapsed_ms)),
            timed_out=False,
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
