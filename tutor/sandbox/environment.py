"""The isolated environment every lab process gets.

Nothing here imports boto3, botocore or moto: the CLI prints these lines without paying for them.
"""

from __future__ import annotations

import ipaddress
import os
import shlex
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

ACCESS_KEY_ID = "testing"
SECRET_ACCESS_KEY = "testing"
REGION = "us-east-1"
ACCOUNT_ID = "123456789012"  # moto's default account

# A loopback port nothing listens on: every request that escapes NO_PROXY (i.e. anything not
# loopback) is sent to this "proxy" and fails at once with "connection refused" instead of
# reaching the internet. Port 9 is the discard service, which no modern system runs.
DEAD_PROXY = "http://127.0.0.1:9"
LOOPBACK_NAMES = "127.0.0.1,localhost"

# Variables outside the AWS_ prefix that the SDKs or the proxy machinery also read.
_ALSO_REMOVED = {
    "BOTO_CONFIG",  # botocore's legacy boto2 credential file
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
}


def aws_files(state_dir: Path) -> tuple[Path, Path]:
    """The sandbox's own AWS config and credentials files (written by `isolated_env`)."""
    folder = Path(state_dir) / "aws"
    return folder / "config", folder / "credentials"


def write_aws_files(state_dir: Path) -> tuple[Path, Path]:
    config, credentials = aws_files(state_dir)
    config.parent.mkdir(parents=True, exist_ok=True)
    _write_if_changed(
        config,
        f"[default]\nregion = {REGION}\noutput = json\ncli_pager =\n",
    )
    _write_if_changed(
        credentials,
        f"[default]\naws_access_key_id = {ACCESS_KEY_ID}\naws_secret_access_key = {SECRET_ACCESS_KEY}\n",
    )
    boto = config.parent / "boto"
    _write_if_changed(boto, "")
    return config, credentials


def _write_if_changed(path: Path, text: str) -> None:
    try:
        if path.read_text() == text:
            return
    except OSError:
        pass
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def isolated_env(endpoint: str, state_dir: Path, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """`base` (default: os.environ) with every AWS setting replaced by the sandbox's.

    Real credentials, profiles, role/web-identity/container settings and proxies are dropped;
    fake keys, us-east-1, the sandbox endpoint and sandbox-owned config files are set; every
    non-loopback request is sent to a dead proxy so a missed leak fails fast.
    """
    if base is None:
        base = os.environ
    config, credentials = write_aws_files(Path(state_dir))
    env = {
        key: value
        for key, value in base.items()
        if not key.upper().startswith("AWS_") and key.upper() not in _ALSO_REMOVED
    }
    env.update(
        {
            "AWS_ACCESS_KEY_ID": ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_CONFIG_FILE": str(config),
            "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_PAGER": "",
            "BOTO_CONFIG": str(config.parent / "boto"),
            "HTTP_PROXY": DEAD_PROXY,
            "HTTPS_PROXY": DEAD_PROXY,
            "ALL_PROXY": DEAD_PROXY,
            "http_proxy": DEAD_PROXY,
            "https_proxy": DEAD_PROXY,
            "all_proxy": DEAD_PROXY,
            "NO_PROXY": LOOPBACK_NAMES,
            "no_proxy": LOOPBACK_NAMES,
        }
    )
    return env


# What `tutor lab start` / `tutor lab env` print: the variables that differ from a normal shell.
EXPORTED = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_EC2_METADATA_DISABLED",
    "AWS_PAGER",
    "BOTO_CONFIG",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
)

# Variables the learner's shell may already have that must be gone inside the lab.
UNSET = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_CREDENTIAL_FILE",
    "AWS_CA_BUNDLE",
    "AWS_DEFAULT_OUTPUT",
    "AWS_MAX_ATTEMPTS",
    "AWS_RETRY_MODE",
    "AWS_USE_FIPS_ENDPOINT",
    "AWS_USE_DUALSTACK_ENDPOINT",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "AWS_SDK_UA_APP_ID",
)


def lab_exports(env: Mapping[str, str]) -> dict[str, str]:
    """The subset of an `isolated_env` result worth printing as `export` lines."""
    return {key: env[key] for key in EXPORTED if key in env}


def export_lines(
    env_subset: Mapping[str, str], *, unset: bool = True, save_from: Mapping[str, str] | None = None
) -> str:
    """`export K=V` lines (values shell-quoted) for `eval "$(tutor lab env LAB)"`.

    With `unset`, an `unset ...` line first removes the AWS variables a shell may carry in
    (AWS_PROFILE, session tokens, role settings...) and that the sandbox does not set.
    With `save_from` (the shell's environment), the shell's own values of what changes are kept
    in TUTOR_SAVED_* variables first, so `tutor lab env --unset` can put them back.
    """
    lines = []
    stale = [name for name in UNSET if name not in env_subset] if unset else []
    if save_from is not None:
        lines += saved_lines([*stale, *env_subset], save_from)
    if stale:
        lines.append("unset " + " ".join(stale))
    for key, value in env_subset.items():
        if not key.replace("_", "").isalnum() or key[0].isdigit():
            raise ValueError(f"not a shell variable name: {key!r}")
        lines.append(f"export {key}={shlex.quote(value)}")
    return "\n".join(lines) + "\n"


def is_loopback_url(url: str) -> bool:
    """True when `url` names a loopback host (127.0.0.0/8, ::1 or localhost)."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return False
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# -- the lab's shell: an `aws` shim first on PATH, and a way back out ----------------------------

SAVED_PREFIX = "TUTOR_SAVED_"  # `env` keeps a shell's own value of a variable it changes here
LAB_VARIABLES = ("TUTOR_LAB", "TUTOR_LAB_WORKSPACE")


def shim_dir(state_dir: Path) -> Path:
    return Path(state_dir) / "bin"


def write_aws_shim(state_dir: Path, python: str, project_root: Path) -> Path:
    """`bin/aws`: whatever AWS CLI the learner has, `aws` in a lab is the sandbox's.

    It runs tutor's own CLI runner, which finds the lab's sandbox at run time (so it still works
    after a stop and start) and forces the endpoint for every service, sqs and rds included.
    """
    folder = shim_dir(state_dir)
    folder.mkdir(parents=True, exist_ok=True)
    shim = folder / "aws"
    _write_if_changed(
        shim,
        "#!/bin/sh\n"
        "# aws-tutor: in a lab, `aws` is the real AWS CLI pointed at the lab's local sandbox.\n"
        f"PYTHONPATH={shlex.quote(str(project_root))}${{PYTHONPATH:+:$PYTHONPATH}} "
        f'exec {shlex.quote(python)} -m tutor.sandbox.aws_cli --lab-shim "$@"\n',
    )
    shim.chmod(0o755)
    return folder


def saved_lines(changed: list[str], environ: Mapping[str, str]) -> list[str]:
    """`export TUTOR_SAVED_X=...` for each variable about to change that the shell has its own value of.

    Nothing is saved when the shell is already in a lab's environment: its values are the lab's.
    """
    if environ.get("TUTOR_LAB") or any(key.startswith(SAVED_PREFIX) for key in environ):
        return []
    # PATH is not saved: `--unset` only takes the shim out, so the learner's later PATH changes stay
    return [
        f"export {SAVED_PREFIX}{key}={shlex.quote(environ[key])}" for key in changed if key in environ and key != "PATH"
    ]


def undo_lines(environ: Mapping[str, str], shim_dirs: list[Path]) -> str:
    """The lines that undo `tutor lab env`: every variable back to the shell's own value, or unset."""
    restored = {key[len(SAVED_PREFIX) :]: value for key, value in environ.items() if key.startswith(SAVED_PREFIX)}
    lines = []
    for key, value in restored.items():
        lines.append(f"export {key}={shlex.quote(value)}")
    stale = [key for key in (*EXPORTED, *LAB_VARIABLES) if key not in restored]
    stale += [SAVED_PREFIX + key for key in restored]
    lines.append("unset " + " ".join(stale))
    shims = {str(d) for d in shim_dirs}
    path = environ.get("PATH", "")
    kept = [entry for entry in path.split(os.pathsep) if entry and entry not in shims]
    if kept != path.split(os.pathsep):
        lines.append(f"export PATH={shlex.quote(os.pathsep.join(kept))}")
    return "\n".join(lines) + "\n"
