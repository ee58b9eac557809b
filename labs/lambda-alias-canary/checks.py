"""Python checks for lambda-alias-canary: each published version must hold the right release.

moto stores a published version's code and configuration faithfully, but it publishes a new version even when
nothing changed (real Lambda returns the existing one), so the checks run each version's own code to see which
release it is.
"""

from __future__ import annotations

import json

FUNCTION = "checkout"
CPU_SECONDS = 3.0  # CPU time a handler call may use before it counts as an endless loop


def _version_code(ctx, version):
    """(ok, zip bytes) of one published version, straight from the sandbox."""
    from tutor.sandbox import SandboxError

    try:
        return 200, ctx.sandbox.lambda_code(FUNCTION, qualifier=version)
    except SandboxError:
        return 404, b""


def _release_of(ctx, version):
    """(release string or None, problem or None) for a published version."""
    from botocore.exceptions import ClientError

    from tutor.sandbox import run_handler

    if getattr(ctx, "sandbox", None) is None:
        return None, "These checks need the running lab sandbox (start the lab with `tutor lab start`)."
    try:
        config = ctx.call("lambda", "get_function_configuration", FunctionName=FUNCTION, Qualifier=version)
    except ClientError:
        return None, f"checkout has no published version {version} yet."
    if config.get("Version") != version:
        return None, f"checkout has no published version {version} yet."
    status, code = _version_code(ctx, version)
    if status != 200:
        return None, f"Version {version} has no zip package the checks can run."
    variables = (config.get("Environment") or {}).get("Variables") or {}
    result = run_handler(
        code,
        config.get("Handler") or "",
        {"path": "/health"},
        ctx.sandbox.env(),
        variables=variables,
        timeout=float(config.get("Timeout") or 3),
        cpu_seconds=CPU_SECONDS,
        function_name=FUNCTION,
    )
    if result.timed_out:
        return None, f"Version {version} did not answer within {result.limit}."
    if not result.ok:
        error = result.error or {}
        return None, f"Version {version} fails when invoked: {error.get('type')}: {error.get('message', '')[:160]}"
    try:
        return str(json.loads(result.result["body"])["release"]), None
    except (TypeError, KeyError, ValueError):
        return None, f"Version {version} does not answer like the checkout service does."


def version_1(ctx):
    release, problem = _release_of(ctx, "1")
    if problem:
        return False, problem
    if release == "1":
        return True
    return False, (
        f"Version 1 runs release {release}: it was published after the new code was deployed. "
        "A version freezes whatever $LATEST holds at the moment you publish."
    )


def version_2(ctx):
    release, problem = _release_of(ctx, "2")
    if problem:
        return False, problem
    if release == "2":
        return True
    return False, (
        f"Version 2 runs release {release}, not the new code: deploy the release 2 package to "
        "$LATEST before publishing."
    )
