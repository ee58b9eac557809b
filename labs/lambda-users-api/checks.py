"""Python checks for lambda-users-api: run the DEPLOYED package of users-api with real API Gateway proxy
events, the way Lambda would, and judge the responses.

Every scenario is run once per grading run (all of them in parallel, each in its own process) and shared by the
checks. Each run has the function's own timeout, counted from the handler call as Lambda does, and a CPU budget, so
an endless loop is stopped after CPU_SECONDS of CPU time, once, not per check, however busy the machine is.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from concurrent.futures import Future, ThreadPoolExecutor

FUNCTION = "users-api"
TABLE = "Users"
COPY = "users-api-grading-copy"
CPU_SECONDS = 3.0  # CPU time a handler call may use; a correct handler needs a few milliseconds

ITEM = {"userId": "u-1001", "name": "Ada Okafor", "email": "ada@lumenbooks.example", "plan": "pro"}
COPY_ITEM = {"userId": "u-9001", "name": "Grader Probe", "email": "probe@lumenbooks.example", "plan": "free"}


def _scenarios():
    from tutor.sandbox.events import api_gateway_proxy

    return {
        "existing": ("GET /users/u-1001", api_gateway_proxy("GET", "/users/u-1001", {"userId": "u-1001"}), None),
        "missing": ("GET /users/u-4040", api_gateway_proxy("GET", "/users/u-4040", {"userId": "u-4040"}), None),
        "no-id": ("GET /users (pathParameters null)", api_gateway_proxy("GET", "/users"), None),
        "post": (
            "POST /users/u-1001",
            api_gateway_proxy("POST", "/users/u-1001", {"userId": "u-1001"}, body={"name": "Ada O."}),
            None,
        ),
        "delete": ("DELETE /users/u-1002", api_gateway_proxy("DELETE", "/users/u-1002", {"userId": "u-1002"}), None),
        "copy": (
            f"GET /users/u-9001 with TABLE_NAME={COPY}",
            api_gateway_proxy("GET", "/users/u-9001", {"userId": "u-9001"}),
            {"TABLE_NAME": COPY},
        ),
    }


class Run:
    """One scenario's outcome: the response, or why there is none."""

    def __init__(self, label, result=None, problem=None):
        self.label = label
        self.result = result  # HandlerResult
        self.problem = problem  # text when there is no response

    @property
    def ok(self):
        return self.problem is None and self.result is not None and self.result.ok

    @property
    def response(self):
        return self.result.result if self.ok else None

    def why_not(self):
        if self.problem:
            return self.problem
        r = self.result
        if r.timed_out:
            return (
                f"{self.label}: the handler did not return within {r.limit} and was stopped "
                "(an endless loop, or a call that never answers?)"
            )
        error = r.error or {}
        where = ""
        for line in reversed((error.get("traceback") or "").splitlines()):
            line = line.strip()
            found = re.match(r'File "(.+)", line (\d+), in (\S+)', line)
            if found and "/task/" in found.group(1):  # a file of the deployed package
                where = f" at {found.group(1).split('/task/', 1)[1]} line {found.group(2)}, in {found.group(3)}"
                break
        message = (error.get("message") or "").strip().splitlines()
        text = f"{error.get('type', 'Error')}: {message[0][:200]}" if message else error.get("type", "an error")
        return f"{self.label}: the handler raised {text}{where}"


class Deployment:
    def __init__(self, runs=None, problem=None):
        self.runs = runs or {}
        self.problem = problem


_CACHE: dict[tuple, Future] = {}
_LOCK = threading.Lock()


def _deployment_key(ctx):
    """What the results depend on: the code, its configuration and the sandbox's state."""
    config = ctx.call("lambda", "get_function_configuration", FunctionName=FUNCTION)
    code = ctx.sandbox.lambda_code(FUNCTION)
    variables = (config.get("Environment") or {}).get("Variables") or {}
    key = (
        ctx.sandbox.endpoint,
        ctx.sandbox.changes(),
        hashlib.sha256(code).hexdigest(),
        config.get("Handler"),
        json.dumps(variables, sort_keys=True),
        config.get("MemorySize"),
        config.get("Timeout"),
    )
    return key, config, code, variables


def _run_all(ctx, config, code, variables):
    from tutor.sandbox import run_handler

    sandbox_env = ctx.sandbox.env()
    handler = config.get("Handler") or ""

    def one(item):
        name, (label, event, extra) = item
        try:
            result = run_handler(
                code,
                handler,
                event,
                sandbox_env,
                variables={**variables, **(extra or {})},
                timeout=float(config.get("Timeout") or 3),
                cpu_seconds=CPU_SECONDS,
                function_name=FUNCTION,
                memory_mb=int(config.get("MemorySize") or 128),
            )
        except Exception as exc:  # noqa: BLE001 - e.g. the package is not a zip
            return name, Run(label, problem=f"{label}: {exc}")
        return name, Run(label, result=result)

    scenarios = _scenarios()
    with ThreadPoolExecutor(max_workers=len(scenarios), thread_name_prefix="users-api-run") as pool:
        return Deployment(runs=dict(pool.map(one, scenarios.items())))


def deployment(ctx) -> Deployment:
    """Every scenario's outcome for the function as deployed now (computed once, shared by the checks)."""
    from botocore.exceptions import ClientError

    sandbox = getattr(ctx, "sandbox", None)
    if sandbox is None:
        return Deployment(problem="These checks need the running lab sandbox (start the lab with `tutor lab start`).")
    try:
        key, config, code, variables = _deployment_key(ctx)
    except ClientError:
        return Deployment(problem=f"There is no Lambda function {FUNCTION} yet, so there is nothing to run.")
    except Exception as exc:  # noqa: BLE001 - SandboxError: no zip package
        return Deployment(problem=str(exc))
    with _LOCK:
        future = _CACHE.get(key)
        owner = future is None
        if owner:
            if len(_CACHE) > 16:
                _CACHE.clear()
            future = _CACHE[key] = Future()
    if owner:
        try:
            future.set_result(_run_all(ctx, config, code, variables))
        except BaseException as exc:  # noqa: BLE001
            future.set_exception(exc)
            with _LOCK:
                _CACHE.pop(key, None)
    return future.result()  # the owner's runs are bounded by the harness's limits


# ---------------------------------------------------------------- reading responses


def _status(response):
    if not isinstance(response, dict):
        return None
    value = response.get("statusCode")
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _payload(response):
    """The body as data, whether it was sent as JSON text (right) or as a dict (wrong, judged elsewhere)."""
    body = response.get("body") if isinstance(response, dict) else None
    if isinstance(body, str):
        try:
            return json.loads(body)
        except ValueError:
            return body
    return body


def _shape(response):
    if not isinstance(response, dict):
        return f"returned {json.dumps(response)[:80]}, not a proxy response object (statusCode, headers, body)"
    if "statusCode" not in response:
        return "returned an object without statusCode, so API Gateway would answer 502"
    return None


def _expect_status(ctx, names, wanted):
    deployed = deployment(ctx)
    if deployed.problem:
        return False, deployed.problem
    for name in names:
        run = deployed.runs[name]
        if not run.ok:
            return False, run.why_not()
        response = run.response
        bad = _shape(response)
        if bad:
            return False, f"{run.label}: the handler {bad}"
        status = _status(response)
        if status != wanted:
            return False, f"{run.label} answered {response.get('statusCode')!r}, expected {wanted}"
    return True


# ---------------------------------------------------------------- the checks


def get_existing(ctx):
    deployed = deployment(ctx)
    if deployed.problem:
        return False, deployed.problem
    run = deployed.runs["existing"]
    if not run.ok:
        return False, run.why_not()
    bad = _shape(run.response)
    if bad:
        return False, f"{run.label}: the handler {bad}"
    status = _status(run.response)
    if status != 200:
        return False, f"{run.label} answered {run.response.get('statusCode')!r} instead of 200"
    payload = _payload(run.response)
    if payload == ITEM:
        return True
    if isinstance(payload, dict) and isinstance(payload.get("userId"), dict):
        return False, (
            f'{run.label}: the body is in DynamoDB\'s typed format ({{"S": ...}}); return plain attribute values'
        )
    if isinstance(payload, dict) and payload.get("Item") == ITEM:
        return False, f'{run.label}: the body wraps the item in an "Item" key; return the item itself'
    return False, f"{run.label}: the body is {json.dumps(payload)[:160]}, not the item's attributes"


def get_missing(ctx):
    return _expect_status(ctx, ["missing"], 404)


def missing_user_id(ctx):
    return _expect_status(ctx, ["no-id"], 400)


def other_methods(ctx):
    return _expect_status(ctx, ["post", "delete"], 405)


def _content_type(response):
    for key in ("headers", "multiValueHeaders"):
        headers = response.get(key) or {}
        if not isinstance(headers, dict):
            continue
        for name, value in headers.items():
            if str(name).lower() == "content-type":
                values = value if isinstance(value, list) else [value]
                return str(values[0]) if values else ""
    return None


def json_responses(ctx):
    deployed = deployment(ctx)
    if deployed.problem:
        return False, deployed.problem
    judged = 0
    for run in deployed.runs.values():
        response = run.response
        if not run.ok or _shape(response):
            continue  # reported by the check of that scenario
        judged += 1
        body = response.get("body")
        if not isinstance(body, str):
            return False, (
                f"{run.label}: body is a {type(body).__name__}; API Gateway needs it as a string (serialise it)"
            )
        try:
            json.loads(body)
        except ValueError:
            return False, f"{run.label}: the body {body[:60]!r} is not valid JSON"
        content_type = _content_type(response)
        if content_type is None:
            return False, f"{run.label}: the response has no Content-Type header"
        if not content_type.lower().startswith("application/json"):
            return False, f"{run.label}: Content-Type is {content_type!r}"
    if not judged:
        return False, "No request got a response back, so there is nothing to judge yet."
    return True


def table_from_env(ctx):
    deployed = deployment(ctx)
    if deployed.problem:
        return False, deployed.problem
    run = deployed.runs["copy"]
    if not run.ok:
        return False, run.why_not()
    bad = _shape(run.response)
    if bad:
        return False, f"{run.label}: the handler {bad}"
    status = _status(run.response)
    if status == 200 and _payload(run.response) == COPY_ITEM:
        return True
    if status == 404:
        return False, (
            f"{run.label} answered 404: the item exists only in {COPY}, so the handler read some other table"
        )
    return False, f"{run.label} answered {run.response.get('statusCode')!r} with {str(_payload(run.response))[:100]}"
