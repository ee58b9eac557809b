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
        f"[default]\naws_access_key_id = {ACCESS_KEY_ID}\n"
        f"aws_secret_access_key = {SECRET_ACCESS_KEY}\n",
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


def isolated_env(
    endpoint: str, state_dir: Path, base: Mapping[str, str] | None = None
) -> dict[str, str]:
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


def export_lines(env_subset: Mapping[str, str], *, unset: bool = True) -> str:
    """`export K=V` lines (values shell-quoted) for `eval "$(tutor lab env LAB)"`.

    With `unset`, an `unset ...` line first removes the AWS variables a shell may carry in
    (AWS_PROFILE, session tokens, role settings...) and that the sandbox does not set.
    """
    lines = []
    if unset:
        stale = [name for name in UNSET if name not in env_subset]
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
