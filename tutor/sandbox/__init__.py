"""The lab sandbox: a moto server per lab session, an isolated environment, the real AWS CLI
against it, and a harness that runs Lambda handlers.

Importing this package costs next to nothing: each public name loads its module on first use
(PEP 562), and boto3, botocore, awscli and moto are imported only inside the functions that
need them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "SandboxError": "errors",
    "Sandbox": "sandbox",
    "start_sandbox": "sandbox",
    "attach": "sandbox",
    "isolated_env": "environment",
    "export_lines": "environment",
    "lab_exports": "environment",
    "ACCOUNT_ID": "environment",
    "REGION": "environment",
    "AwsCli": "aws_cli",
    "CliResult": "aws_cli",
    "run_aws_subprocess": "aws_cli",
    "HandlerResult": "harness",
    "run_handler": "harness",
}

__all__ = sorted([*_EXPORTS, "events"])  # noqa: PLE0605 - the lazy exports are listed once, in _EXPORTS


def __getattr__(name: str) -> Any:
    if name == "events":
        return importlib.import_module(f"{__name__}.events")
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:
    from . import events as events
    from .aws_cli import AwsCli as AwsCli
    from .aws_cli import CliResult as CliResult
    from .aws_cli import run_aws_subprocess as run_aws_subprocess
    from .environment import ACCOUNT_ID as ACCOUNT_ID
    from .environment import REGION as REGION
    from .environment import export_lines as export_lines
    from .environment import isolated_env as isolated_env
    from .environment import lab_exports as lab_exports
    from .errors import SandboxError as SandboxError
    from .harness import HandlerResult as HandlerResult
    from .harness import run_handler as run_handler
    from .sandbox import Sandbox as Sandbox
    from .sandbox import attach as attach
    from .sandbox import start_sandbox as start_sandbox
