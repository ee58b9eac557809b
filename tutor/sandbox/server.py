"""The sandbox server process: moto on 127.0.0.1 plus a few routes of our own.

    python -m tutor.sandbox.server --port N --watch-pid P --state-dir D [--preload s3,sqs]

`start_sandbox` runs it with `--fd F` instead of `--port`: the parent binds the listening socket
and hands it over, so there is no race for the port and the parent's first request simply
waits in the kernel's accept queue until the server is serving (no polling).

With --watch-pid the process exits by itself as soon as the watched process dies (the tests and
`tutor doctor` use that, so they never leave a server behind).

Our routes, under /_tutor/ (moto never sees them):
    GET /_tutor/ping                       {"pid", "port", "changes"}; the readiness probe
    GET /_tutor/changes                    {"changes": n}: grows on every request that may write
    GET /_tutor/lambda/<function>/code     the deployed function's zip, from moto's backend
                                           (moto's Code.Location points at real AWS)
    POST /_tutor/save                      write the state to --save-file now (see persist.py)

With --save-file the state is also saved a moment after each change and on every way out
(`tutor lab stop`, SIGTERM/SIGHUP, the idle timeout); --restore starts from it. A lab's server is
started without --watch-pid: it outlives the shell that started it, and --idle-timeout stops it.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote

STATE_FILE = "sandbox.json"
ACCOUNT_ID = "123456789012"

# CLI/botocore service names whose endpoint prefix differs (used by --preload).
_ENDPOINT_PREFIX = {
    "s3api": "s3",
    "cloudwatch": "monitoring",
    "stepfunctions": "states",
    "elbv2": "elasticloadbalancing",
    "elb": "elasticloadbalancing",
    "application-autoscaling": "application-autoscaling",
    "cognito-idp": "cognito-idp",
}

# Action-name prefixes that only read. Anything else that reaches moto counts as a change,
# which is what `tutor lab watch` needs to know when to re-check.
_READ_PREFIXES = (
    "Describe",
    "List",
    "Get",
    "Head",
    "Query",
    "Scan",
    "BatchGet",
    "Search",
    "Lookup",
    "Select",
    "Simulate",
    "Validate",
    "Estimate",
    "Test",
    "Receive",
    "Filter",
)


class _Changes:
    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def bump(self) -> None:
        with self._lock:
            self.count += 1


def _action_of(environ: dict[str, Any]) -> str | None:
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return target.rsplit(".", 1)[-1]
    query = environ.get("QUERY_STRING", "")
    if "Action=" in query:
        return parse_qs(query).get("Action", [None])[0]
    content_type = environ.get("CONTENT_TYPE", "")
    if content_type.startswith("application/x-www-form-urlencoded"):
        import io

        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length:
            body = environ["wsgi.input"].read(length)
            environ["wsgi.input"] = io.BytesIO(body)
            return parse_qs(body.decode("utf-8", "replace")).get("Action", [None])[0]
    return None


def _may_write(environ: dict[str, Any]) -> bool:
    action = _action_of(environ)
    if action:
        return not action.startswith(_READ_PREFIXES)
    return environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD", "OPTIONS")


GRADER_HEADER = "X-Tutor-Grader"
GRADER_ENVIRON_KEY = "HTTP_X_TUTOR_GRADER"


class TutorApp:
    """WSGI app: our /_tutor/ routes, everything else to moto's dispatcher."""

    def __init__(self, moto_app: Any, port: int) -> None:
        from .persist import RequestGate

        self.moto_app = moto_app
        self.port = port
        self.changes = _Changes()  # learner changes, for `lab watch`
        self.writes = _Changes()  # every request that may write, the grader's too: what a save must keep
        self.gate = RequestGate()
        self.last_request = time.monotonic()  # for the idle timeout
        self.persistence: _Persistence | None = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        self.last_request = time.monotonic()
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_tutor/"):
            return self._tutor_route(path, environ, start_response)
        grader = environ.get(GRADER_ENVIRON_KEY) == "1"  # the grader's own probes are not learner changes
        may_write = path.startswith("/moto-api/reset") or (not path.startswith("/moto-api") and _may_write(environ))
        if may_write and (not grader or path.startswith("/moto-api/reset")):
            self.changes.bump()
        with self.gate.request():
            if may_write:
                self.writes.bump()
            return self.moto_app(environ, start_response)

    def _tutor_route(self, path: str, environ: dict[str, Any], start_response: Any) -> Any:
        parts = [unquote(p) for p in path.split("/")[2:]]
        if parts == ["ping"]:
            return _json(
                start_response,
                200,
                {"pid": os.getpid(), "port": self.port, "changes": self.changes.count},
            )
        if parts == ["changes"]:
            return _json(start_response, 200, {"changes": self.changes.count})
        if parts == ["save"] and environ.get("REQUEST_METHOD") == "POST":
            return self._save_route(start_response)
        if len(parts) == 3 and parts[0] == "lambda" and parts[2] == "code":
            query = parse_qs(environ.get("QUERY_STRING", ""))
            region = query.get("region", ["us-east-1"])[0]
            qualifier = query.get("qualifier", [None])[0]
            return self._lambda_code(parts[1], region, qualifier, start_response)
        return _json(start_response, 404, {"error": f"no such route: {path}"})

    def _lambda_code(self, name: str, region: str, qualifier: str | None, start_response: Any) -> Any:
        from moto.awslambda.utils import get_backend

        try:
            function = get_backend(ACCOUNT_ID, region).get_function(name, qualifier)
        except Exception:
            return _json(start_response, 404, {"error": f"no Lambda function named {name}"})
        code = getattr(function, "code_bytes", b"") or b""
        if not code:
            return _json(start_response, 409, {"error": f"function {name} has no zip package"})
        start_response(
            "200 OK",
            [("Content-Type", "application/zip"), ("Content-Length", str(len(code)))],
        )
        return [code]

    def _save_route(self, start_response: Any) -> Any:
        if self.persistence is None:
            return _json(start_response, 409, {"error": "this sandbox was started without a save file"})
        try:
            size = self.persistence.save(force=True)
        except Exception as error:  # the learner must hear that their work was not saved
            return _json(start_response, 500, {"error": f"saving the sandbox failed: {error!r}"})
        return _json(start_response, 200, {"saved": str(self.persistence.path), "bytes": size})


def _json(start_response: Any, status: int, body: dict[str, Any]) -> list[bytes]:
    data = json.dumps(body).encode()
    reason = {200: "OK", 404: "Not Found", 409: "Conflict", 500: "Internal Server Error"}[status]
    start_response(
        f"{status} {reason}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(data)))],
    )
    return [data]


# ------------------------------------------------------------------ process lifetime


class _Persistence:
    """The sandbox's save file: written on demand, every few seconds after a change, and on exit."""

    def __init__(self, app: TutorApp, path: Path) -> None:
        self.app = app
        self.path = path
        self._saved_at_write = -1  # app.writes.count at the last save
        self._lock = threading.Lock()

    def save(self, *, force: bool = False, wait: float | None = 30.0) -> int:
        """Pickle the backends when anything may have changed since the last save (or `force`)."""
        from moto.core.base_backend import backend_lock

        from . import persist

        with self._lock:
            writes = self.app.writes.count
            if not force and writes == self._saved_at_write:
                return 0
            with self.app.gate.exclusive(wait) as alone, backend_lock:
                if not alone:  # a request has been running for `wait` seconds: try again later
                    raise TimeoutError("a request kept the sandbox busy")
                writes = self.app.writes.count
                size = persist.save(self.path)
            self._saved_at_write = writes
            return size

    def autosave(self, interval: float = 2.0) -> None:
        while True:
            time.sleep(interval)
            try:
                self.save(wait=1.0)
            except TimeoutError:
                pass
            except Exception as error:  # keep serving; the log says why the save failed
                print(f"[tutor] autosave failed: {error!r}", file=sys.stderr, flush=True)


class _Lifetime:
    """Saves the sandbox, removes our state file and leaves at once, from any thread."""

    def __init__(self, state_dir: Path | None) -> None:
        self.state_file = state_dir / STATE_FILE if state_dir else None
        self.persistence: _Persistence | None = None
        self._exiting = threading.Lock()

    def exit(self, code: int = 0) -> None:
        if not self._exiting.acquire(blocking=False):
            return  # another thread is already saving and leaving
        if self.persistence is not None:
            try:
                self.persistence.save(wait=10.0)
            except Exception as error:
                print(f"[tutor] the final save failed: {error!r}", file=sys.stderr, flush=True)
        if self.state_file is not None:
            try:
                if json.loads(self.state_file.read_text()).get("pid") == os.getpid():
                    self.state_file.unlink()
            except (OSError, ValueError):
                pass
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _exit_when_idle(app: TutorApp, lifetime: _Lifetime, idle: float) -> None:
    """Nobody has talked to the sandbox for `idle` seconds: save and stop (`lab start` resumes it)."""
    while True:
        quiet = time.monotonic() - app.last_request
        if quiet >= idle:
            print(f"[tutor] idle for {idle:.0f} s: saved and stopped", file=sys.stderr, flush=True)
            lifetime.exit(0)
        time.sleep(min(max(idle - quiet, 0.05), 30.0))


def _pid_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:  # a zombie still answers kill(0); it is dead all the same
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def _watch(pid: int, lifetime: _Lifetime, interval: float = 0.2) -> None:
    """Exit when `pid` dies: pidfd when the kernel has it (instant), else poll."""
    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        fd = None
    if fd is not None:
        import select

        poller = select.poll()
        poller.register(fd, select.POLLIN)
        while not poller.poll(1000):
            pass
        lifetime.exit(0)
    while not _pid_gone(pid):
        time.sleep(interval)
    lifetime.exit(0)


def _write_state(state_dir: Path, port: int, watch_pid: int | None, restored: dict[str, Any]) -> None:
    state_dir.mkdir(parents=True, exist_ok=True)
    state = {
        "pid": os.getpid(),
        "port": port,
        "endpoint": f"http://127.0.0.1:{port}",
        "watch_pid": watch_pid,
        "started_at": time.time(),
        **restored,
    }
    tmp = state_dir / (STATE_FILE + f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(state))
    os.replace(tmp, state_dir / STATE_FILE)


def _preload(dispatcher: Any, services: list[str]) -> None:
    """Import service backends before the first request needs them (EC2/RDS take ~0.5 s)."""
    for service in services:
        prefix = _ENDPOINT_PREFIX.get(service, service)
        try:
            backend = dispatcher.get_backend_for_host(f"{prefix}.us-east-1.amazonaws.com")
            if not backend:
                continue
            from moto import backends

            backends.get_backend(backend)  # the import, outside the dispatcher's lock
            with dispatcher.lock:
                if backend not in dispatcher.app_instances:
                    dispatcher.app_instances[backend] = dispatcher.create_app(backend)
        except Exception as error:  # a preload is an optimisation, never fatal
            print(f"preload {service}: {error!r}", file=sys.stderr, flush=True)


def _guard_outbound_requests(port: int) -> None:
    """moto posts outward in places (SNS http/https subscriptions, Firehose HTTP destinations,
    API Gateway AWS integrations...). Inside the sandbox:
      - loopback URLs are sent (a learner's local webhook receiver works);
      - *.amazonaws.com URLs are answered by this very server, as moto intends;
      - anything else is not sent: it is logged and answered 204, the way SNS accepts a
        publish whatever its subscribers do.
    The dead proxy in the environment stays as the second line of defence."""
    from urllib.parse import urlsplit, urlunsplit

    import requests

    from .environment import is_loopback_url

    original = requests.Session.send

    def send(self: Any, request: Any, **kwargs: Any) -> Any:
        url = request.url or ""
        if is_loopback_url(url):
            return original(self, request, **kwargs)
        parts = urlsplit(url)
        host = parts.hostname or ""
        if host == "amazonaws.com" or host.endswith(".amazonaws.com"):
            request.url = urlunsplit(("http", f"127.0.0.1:{port}", parts.path, parts.query, ""))
            request.headers["Host"] = parts.netloc
            return original(self, request, **kwargs)
        print(
            f"[tutor] not sent: {request.method} {url} (the sandbox never contacts the internet)",
            file=sys.stderr,
            flush=True,
        )
        response = requests.Response()
        response.status_code = 204
        response.url = url
        response.request = request
        response._content = b""
        return response

    requests.Session.send = send  # type: ignore[method-assign]


def build_app(port: int) -> TutorApp:
    """moto's dispatcher wrapped in our routes, configured for the sandbox."""
    from moto.core.config import default_user_config
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    # Lambda and Batch without Docker: invoke echoes, and we run handlers in our own harness.
    default_user_config["lambda"]["use_docker"] = False
    default_user_config["batch"]["use_docker"] = False
    _guard_outbound_requests(port)
    return TutorApp(DomainDispatcherApplication(create_backend_app), port)


def _restore(save_file: Path) -> dict[str, Any]:
    """Load the saved state. An unreadable save is kept aside (never deleted) and reported."""
    from . import persist

    try:
        return {"restored": persist.restore(save_file)}
    except Exception as error:
        kept = save_file.with_name(f"{save_file.name}.unreadable-{int(time.time())}")
        try:
            os.replace(save_file, kept)
        except OSError:
            kept = save_file
        print(f"[tutor] could not restore {save_file}: {error!r}", file=sys.stderr, flush=True)
        return {"restored": False, "restore_error": f"{type(error).__name__}: {error}", "kept": str(kept)}


def _quiet_handler() -> Any:
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    class QuietHandler(MotoRequestHandler):
        def log_request(self, code: Any = "-", size: Any = "-") -> None:
            pass  # one line per request would only grow server.log

    return QuietHandler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tutor.sandbox.server")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--port", type=int, help="port to bind on 127.0.0.1")
    where.add_argument("--fd", type=int, help="an inherited, listening socket")
    parser.add_argument("--watch-pid", type=int, help="exit when this process dies")
    parser.add_argument("--state-dir", type=Path, help="where sandbox.json is written")
    parser.add_argument("--preload", default="", help="comma-separated services to import")
    parser.add_argument("--save-file", type=Path, help="keep the state here: saved on changes and on exit")
    parser.add_argument("--restore", action="store_true", help="start from the state in --save-file")
    parser.add_argument("--idle-timeout", type=float, help="save and exit after this many seconds unused")
    args = parser.parse_args(argv)

    lifetime = _Lifetime(args.state_dir)
    if args.watch_pid is not None:
        if _pid_gone(args.watch_pid):
            return 0
        threading.Thread(target=_watch, args=(args.watch_pid, lifetime), daemon=True, name="watch-pid").start()
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, lambda *_: lifetime.exit(0))

    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    # Imports allocate a lot and trigger full collections that find nothing: skip them.
    gc.disable()
    from werkzeug.serving import make_server

    if args.fd is not None:
        import socket

        with socket.socket(fileno=os.dup(args.fd)) as probe:
            port = probe.getsockname()[1]
    else:
        port = args.port
    os.environ["MOTO_PORT"] = str(port)  # moto builds self-referencing URLs from it
    app = build_app(port)
    restored: dict[str, Any] = {}
    if args.save_file is not None:
        restored = _restore(args.save_file) if args.restore else {"restored": False}
        app.persistence = lifetime.persistence = _Persistence(app, args.save_file)
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=_quiet_handler(), fd=args.fd)
    if args.fd is not None:
        os.close(args.fd)  # make_server dup()ed it
    gc.enable()
    gc.freeze()  # everything imported so far lives forever; keep it out of collections

    if args.state_dir is not None:
        _write_state(args.state_dir, server.port, args.watch_pid, restored)
    if app.persistence is not None:
        threading.Thread(target=app.persistence.autosave, daemon=True, name="autosave").start()
    if args.idle_timeout:
        threading.Thread(
            target=_exit_when_idle, args=(app, lifetime, args.idle_timeout), daemon=True, name="idle"
        ).start()
    services = [s.strip() for s in args.preload.split(",") if s.strip()]
    if services:
        threading.Thread(target=_preload, args=(app.moto_app, services), daemon=True, name="preload").start()
    try:
        server.serve_forever(poll_interval=0.5)
    finally:
        lifetime.exit(0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
