"""Running a lab's checks against the sandbox and scoring the result.

A declarative check is ``getattr(ctx.client(service), method)(**params)``, then ``jmespath.search(query, response)``,
then :func:`tutor.grading.matchers.match`. A Python check is ``module:function`` loaded from the lab folder and
called with the :class:`CheckContext`. Neither kind ever raises out of :func:`run_check`: an AWS error fails the
check with its teaching message, a bug in a Python check fails it with a message saying the check itself broke,
and a check that takes longer than its time limit is abandoned.

boto3 is imported lazily so importing this module stays cheap.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jmespath

from tutor.content.schema import Check, Lab
from tutor.grading.matchers import match

__all__ = [
    "CHECK_TIMEOUT",
    "CheckContext",
    "CheckFailed",
    "CheckOutcome",
    "CheckResult",
    "GradingError",
    "Report",
    "compute_score",
    "grade",
    "hint_cost",
    "kept_score",
    "load_python_check",
    "run_check",
    "weight_label",
]

# Seconds a single check may take before it is abandoned. It only catches a hang (a lab bug, a stuck sandbox):
# learner code runs under the harness's own limits, so this is generous enough that a busy machine never trips it.
CHECK_TIMEOUT = 60.0
MAX_WORKERS = 6  # checks graded at once; the sandbox is one local moto server
HINT_PENALTY = 0.10  # share of the weighted score lost per hint used
HINT_FLOOR = 0.50  # hints never take away more than half of the weighted score
_READ_PREFIXES = ("get_", "list_", "describe_", "head_")


class GradingError(Exception):
    """A grading problem the caller can act on (for example: no sandbox endpoint given)."""


class CheckFailed(Exception):
    """Raise it anywhere inside a Python check (a lookup helper, say) to fail the check with its message:
    something the learner has not made yet, not a bug in the lab."""


@dataclass(frozen=True)
class CheckOutcome:
    """What a Python check may return (a bare bool or a ``(bool, message)`` tuple also works)."""

    passed: bool
    message: str = ""


@dataclass(frozen=True)
class CheckResult:
    id: str
    title: str
    passed: bool
    message: str
    weight: float = 1.0

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "passed": self.passed, "message": self.message}


# ---------------------------------------------------------------- the context checks run in

_CLIENTS: dict[tuple[str, str, str], Any] = {}
_CLIENTS_LOCK = threading.Lock()
_SESSIONS: dict[str, Any] = {}


def _sandbox_client(service: str, endpoint_url: str, region: str, timeout: float) -> Any:
    """A boto3 client for the sandbox, created once per (endpoint, region, service) and then reused:
    creating a client costs far more than a call to a local moto server."""
    key = (endpoint_url, region, service)
    client = _CLIENTS.get(key)
    if client is not None:
        return client
    with _CLIENTS_LOCK:  # boto3 sessions are not safe to create clients from in parallel
        client = _CLIENTS.get(key)
        if client is None:
            import boto3
            from botocore.config import Config

            session = _SESSIONS.get(region)
            if session is None:
                session = _SESSIONS[region] = boto3.session.Session(
                    aws_access_key_id="testing",
                    aws_secret_access_key="testing",
                    aws_session_token="testing",
                    region_name=region,
                )
            config = Config(
                connect_timeout=2,
                read_timeout=max(1.0, timeout),
                retries={"total_max_attempts": 2, "mode": "standard"},
                max_pool_connections=MAX_WORKERS * 2,
                s3={"addressing_style": "path"},
            )
            client = session.client(service, endpoint_url=endpoint_url, config=config)
            _CLIENTS[key] = client
    return client


class CheckContext:
    """What a check sees: sandbox clients, the learner's workspace, the lab folder and helpers.

    Give either the sandbox ``endpoint_url`` or a ``client_factory(service) -> client`` (tests under
    ``moto.mock_aws`` use the latter). Without either there is no sandbox, and grading refuses to run rather
    than risk reaching real AWS.

    ``call(service, method, **params)`` is ``client(service).method(**params)`` with read calls (get_, list_,
    describe_, head_) cached for one grading run, so several checks reading the same bucket policy make one
    request. Treat its results as read-only.
    """

    account_id: str
    region: str

    def __init__(
        self,
        *,
        workspace: Path | str,
        lab_dir: Path | str | None = None,
        endpoint_url: str | None = None,
        client_factory: Callable[[str], Any] | None = None,
        account_id: str = "123456789012",
        region: str = "us-east-1",
        check_timeout: float = CHECK_TIMEOUT,
    ):
        if endpoint_url is None and client_factory is None:
            raise GradingError("no sandbox to grade against: start the lab first (no endpoint URL was given)")
        self.workspace = Path(workspace)
        self.lab_dir = Path(lab_dir) if lab_dir is not None else None
        self.endpoint_url = endpoint_url
        self.account_id = account_id
        self.region = region
        self.check_timeout = check_timeout
        self._factory = client_factory
        self._own_clients: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str, str], Future[Any]] = {}
        self._evaluator: Any = None

    # clients --------------------------------------------------------------

    def client(self, service: str) -> Any:
        """A boto3 client for ``service`` (boto3's name: ``s3``, ``dynamodb``, ``cognito-idp``...)."""
        if self._factory is None:
            assert self.endpoint_url is not None
            return _sandbox_client(service, self.endpoint_url, self.region, self.check_timeout)
        client = self._own_clients.get(service)
        if client is None:
            with self._lock:
                client = self._own_clients.get(service)
                if client is None:
                    client = self._own_clients[service] = self._factory(service)
        return client

    def warm(self, services: Any) -> None:
        """Create the clients for ``services`` now (e.g. at lab start), so the first grading run is as fast as
        the next ones: creating a boto3 client costs ~50-150 ms, a call to the sandbox a few ms."""
        for service in services:
            self.client(service)

    def call(self, service: str, method: str, **params: Any) -> Any:
        """``client(service).<method>(**params)``, cached within one grading run for read calls."""
        client = self.client(service)
        operation = getattr(client, method)  # AttributeError for an unknown method: a bug in the lab
        if not self._cacheable(client, method):
            return operation(**params)
        key = (service, method, json.dumps(params, sort_keys=True, default=str))
        with self._lock:
            future = self._cache.get(key)
            owner = future is None
            if owner:
                future = self._cache[key] = Future()
        assert future is not None
        if not owner:
            return future.result(timeout=self.check_timeout)
        try:
            result = operation(**params)
        except BaseException as exc:
            future.set_exception(exc)
            raise
        future.set_result(result)
        return result

    @staticmethod
    def _cacheable(client: Any, method: str) -> bool:
        if not method.startswith(_READ_PREFIXES):
            return False
        try:
            api_name = client.meta.method_to_api_mapping[method]
            return not client.meta.service_model.operation_model(api_name).has_streaming_output
        except (AttributeError, KeyError):
            return False

    def begin_run(self) -> None:
        """Forget cached call results: the learner may have changed the sandbox since the last run."""
        with self._lock:
            self._cache = {}

    # helpers for Python checks ---------------------------------------------

    @property
    def policy_evaluator(self) -> Any:
        """A :class:`tutor.grading.iam.PolicyEvaluator` bound to this sandbox."""
        if self._evaluator is None:
            from tutor.grading.iam import PolicyEvaluator

            self._evaluator = PolicyEvaluator(self.client)
        return self._evaluator

    def arn(self, service: str, resource: str, *, region: str | None = None, account: bool = True) -> str:
        """``ctx.arn("sqs", "orders")`` -> ``arn:aws:sqs:us-east-1:123456789012:orders``."""
        if service in ("s3", "iam"):
            return f"arn:aws:{service}::{self.account_id if service == 'iam' else ''}:{resource}"
        where = self.region if region is None else region
        return f"arn:aws:{service}:{where}:{self.account_id if account else ''}:{resource}"


# ---------------------------------------------------------------- loading Python checks

_MODULES: dict[tuple[str, int], Any] = {}
_MODULES_LOCK = threading.Lock()


def load_python_check(lab_dir: Path, spec: str) -> Callable[[Any], Any]:
    """``module:function`` from the lab folder, loaded by file path under a name unique to that file
    (``tutor_lab_<hash>_checks``), so two labs' ``checks.py`` never collide and nothing is registered as
    plain ``checks``. Reloaded when the file changes."""
    module_name, function_name = spec.split(":", 1)
    path = (lab_dir / Path(*module_name.split("."))).with_suffix(".py").resolve()
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        raise FileNotFoundError(f"{path.name} is not in the lab folder {lab_dir}") from None
    key = (str(path), stamp)
    with _MODULES_LOCK:
        module = _MODULES.get(key)
        if module is None:
            digest = hashlib.sha1(str(path).encode()).hexdigest()[:10]
            unique = f"tutor_lab_{digest}_{module_name.replace('.', '_')}"
            spec_obj = importlib.util.spec_from_file_location(unique, path)
            if spec_obj is None or spec_obj.loader is None:
                raise ImportError(f"cannot load {path}")
            module = importlib.util.module_from_spec(spec_obj)
            sys.modules[unique] = module  # dataclasses and pickling look modules up by name
            try:
                spec_obj.loader.exec_module(module)
            except BaseException:
                sys.modules.pop(unique, None)
                raise
            for old in [k for k in _MODULES if k[0] == key[0]]:
                del _MODULES[old]
            _MODULES[key] = module
    function = getattr(module, function_name, None)
    if not callable(function):
        raise AttributeError(f"{path.name} defines no function {function_name!r}")  # noqa: TRY004 - a missing name
    return function


def _coerce(result: Any) -> CheckOutcome:
    if isinstance(result, bool):
        return CheckOutcome(result)
    if isinstance(result, CheckOutcome):
        return result
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], bool):
        return CheckOutcome(result[0], "" if result[1] is None else str(result[1]))
    if hasattr(result, "passed") and isinstance(result.passed, bool):
        return CheckOutcome(result.passed, str(getattr(result, "message", "") or ""))
    raise TypeError(f"returned {type(result).__name__} instead of a bool, (bool, message) or CheckOutcome")


# ---------------------------------------------------------------- running one check


def _failure(check: Check, note: str = "") -> str:
    note = note.strip()
    if not note or note == check.fail.strip():
        return check.fail.strip()
    return f"{check.fail.strip()} ({note})"


def _is_client_error(exc: BaseException) -> bool:
    try:
        from botocore.exceptions import ClientError
    except ImportError:  # pragma: no cover
        return False
    return isinstance(exc, ClientError)


def _is_connection_error(exc: BaseException) -> bool:
    try:
        from botocore.exceptions import ConnectionClosedError, EndpointConnectionError, ReadTimeoutError
    except ImportError:  # pragma: no cover
        return False
    return isinstance(exc, (EndpointConnectionError, ConnectionClosedError, ReadTimeoutError, ConnectionError))


def _client_error_note(exc: BaseException) -> str:
    error = getattr(exc, "response", {}).get("Error", {})
    code = error.get("Code") or "Error"
    message = (error.get("Message") or "").strip()
    text = f"the sandbox answered {code}" + (f": {message}" if message and message != code else "")
    return text if len(text) <= 160 else text[:159] + "…"


def _lab_bug(check: Check, exc: BaseException) -> CheckResult:
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    detail = detail if len(detail) <= 160 else detail[:159] + "…"
    message = (
        f"This check could not run: it failed with {type(exc).__name__}"
        + (f": {detail}" if detail else "")
        + ". That is a bug in the lab, not in your work; please report it."
    )
    return CheckResult(check.id, check.title, False, message, check.weight)


def _declarative(check: Check, ctx: CheckContext) -> CheckResult:
    assert check.call is not None and check.expect is not None
    service, method = check.call.split(".", 1)
    response = ctx.call(service, method, **check.params)
    if isinstance(response, dict):
        response = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    value = jmespath.search(check.query, response) if check.query else response
    verdict = match(check.expect, value)
    if verdict.passed:
        return CheckResult(check.id, check.title, True, verdict.detail, check.weight)
    return CheckResult(check.id, check.title, False, _failure(check, verdict.detail), check.weight)


def _python(check: Check, ctx: CheckContext, lab_dir: Path) -> CheckResult:
    assert check.python is not None
    function = load_python_check(lab_dir, check.python)
    try:
        outcome = _coerce(function(ctx))
    except CheckFailed as exc:
        outcome = CheckOutcome(False, str(exc))
    if outcome.passed:
        return CheckResult(check.id, check.title, True, outcome.message, check.weight)
    return CheckResult(check.id, check.title, False, _failure(check, outcome.message), check.weight)


def _run_unguarded(check: Check, ctx: CheckContext, lab_dir: Path | None) -> CheckResult:
    try:
        if check.call is not None:
            return _declarative(check, ctx)
        if lab_dir is None:
            raise FileNotFoundError("the lab folder is unknown, so its Python checks cannot be loaded")
        return _python(check, ctx, lab_dir)
    except Exception as exc:  # noqa: BLE001 - a check must never break grading
        if _is_client_error(exc):
            return CheckResult(check.id, check.title, False, _failure(check, _client_error_note(exc)), check.weight)
        if isinstance(exc, TimeoutError):  # waited for a cached call that another, stuck check was making
            note = "the sandbox did not answer in time"
            return CheckResult(check.id, check.title, False, _failure(check, note), check.weight)
        if _is_connection_error(exc):
            note = "could not reach the lab sandbox; is the lab still running? (`tutor lab start`)"
            return CheckResult(check.id, check.title, False, _failure(check, note), check.weight)
        return _lab_bug(check, exc)


def run_check(
    check: Check, ctx: CheckContext, *, lab_dir: Path | None = None, timeout: float | None = None
) -> CheckResult:
    """Run one check; never raises. ``lab_dir`` defaults to ``ctx.lab_dir``, then to the check's origin folder.

    The check runs in a daemon thread; after ``timeout`` (``ctx.check_timeout``, CHECK_TIMEOUT by default) it is
    abandoned and reported as failed, so one hung check cannot stall grading.
    """
    folder = lab_dir or ctx.lab_dir or (check.origin.path.parent if check.origin else None)
    limit = ctx.check_timeout if timeout is None else timeout
    box: list[CheckResult] = []

    def body() -> None:
        box.append(_run_unguarded(check, ctx, folder))

    worker = threading.Thread(target=body, name=f"check-{check.id}", daemon=True)
    worker.start()
    worker.join(limit)
    if box:
        return box[0]
    message = (
        f"This check did not finish within {limit:g} s and was stopped. "
        "If the lab's sandbox is busy, try again; otherwise the check itself is at fault."
    )
    return CheckResult(check.id, check.title, False, message, check.weight)


# ---------------------------------------------------------------- grading a lab


def compute_score(passed_weight: float, total_weight: float, hints_used: int = 0, solution_viewed: bool = False) -> int:
    """The lab score, 0-100.

    ``weighted = 100 * passed_weight / total_weight``; each hint used takes away 10 % of it, but hints never take
    away more than half: ``score = round(weighted * max(0.5, 1 - 0.1 * hints_used))``. Viewing the solution
    gives 0 credit. Example: 3 of 4 equal checks and 2 hints -> 75 * 0.8 = 60.
    """
    if solution_viewed or total_weight <= 0:
        return 0
    weighted = 100.0 * passed_weight / total_weight
    factor = max(HINT_FLOOR, 1.0 - HINT_PENALTY * max(0, hints_used))
    return round(weighted * factor)


def kept_score(new_score: int, recorded_score: float, passed_before: bool) -> int:
    """The score to record after a grading run. Once every check has passed, the lab is learnt: a hint or the
    solution looked at afterwards (to compare, to revise) never lowers the score already earned."""
    return max(new_score, round(recorded_score)) if passed_before else new_score


def hint_cost(hints_used: int, passed_before: bool) -> str:
    """What the next hint costs, in words a learner reads before spending it."""
    if passed_before:
        return "Hints are free now: you have passed this lab, so your score stays as it is."
    if HINT_PENALTY * (hints_used + 1) > 1 - HINT_FLOOR + 1e-9:
        return "This hint costs nothing more: hints never take away more than half of the score."
    return (
        f"Each hint lowers this attempt's score by {HINT_PENALTY:.0%} (never by more than "
        f"{1 - HINT_FLOOR:.0%} in all); this would be hint {hints_used + 1}."
    )


def weight_label(weight: float, total_weight: float) -> str:
    """``"×2 · 20%"``: a check's weight and its share of the score, so 3/5 checks = 50 makes sense."""
    share = 100.0 * weight / total_weight if total_weight > 0 else 0.0
    times = f"×{weight:g}"
    return f"{times} · {share:.0f}%"


@dataclass(frozen=True)
class Report:
    lab: str
    passed: int  # number of checks passed
    total: int  # number of checks
    score: int  # 0-100, see compute_score
    checks: list[CheckResult] = field(default_factory=list)
    seconds: float = 0.0  # how long grading took

    @property
    def complete(self) -> bool:
        return self.passed == self.total

    def to_json(self) -> dict[str, Any]:
        """The shape ``tutor lab check --json`` prints: ``{"lab","passed","total","score","checks":[...]}``."""
        return {
            "lab": self.lab,
            "passed": self.passed,
            "total": self.total,
            "score": self.score,
            "checks": [c.to_json() for c in self.checks],
        }

    def dumps(self, **kwargs: Any) -> str:
        return json.dumps(self.to_json(), **kwargs)


def grade(lab: Lab, ctx: CheckContext, hints_used: int = 0, solution_viewed: bool = False) -> Report:
    """Run every check of ``lab`` (a few at a time) and score the result. Never raises for a failing check."""
    started = time.perf_counter()
    ctx.begin_run()
    lab_dir = ctx.lab_dir or lab.folder
    checks = list(lab.checks)
    if len(checks) == 1:
        results = [run_check(checks[0], ctx, lab_dir=lab_dir)]
    else:
        with ThreadPoolExecutor(max_workers=min(MAX_WORKERS, len(checks)), thread_name_prefix="grade") as pool:
            results = list(pool.map(lambda c: run_check(c, ctx, lab_dir=lab_dir), checks))
    passed_weight = sum(r.weight for r in results if r.passed)
    total_weight = sum(r.weight for r in results)
    return Report(
        lab=lab.id,
        passed=sum(r.passed for r in results),
        total=len(results),
        score=compute_score(passed_weight, total_weight, hints_used, solution_viewed),
        checks=results,
        seconds=time.perf_counter() - started,
    )
