"""botocore sessions that cannot see the host's AWS settings and cannot leave loopback.

The TUI process may carry real credentials and AWS_PROFILE in os.environ; a botocore session
reads os.environ by default. We rebuild the session's config chains over the sandbox
environment instead, set the fake credentials explicitly (so no credential provider ever
runs), switch off environment proxies, and hook `before-send` to refuse any URL that is not
loopback: a missed endpoint override fails loudly instead of reaching AWS.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .environment import ACCESS_KEY_ID, SECRET_ACCESS_KEY, is_loopback_url
from .errors import SandboxError


class LeakBlocked(SandboxError):
    """A request was about to leave the machine; the sandbox refused to send it."""


def refuse_non_loopback(request: Any, **_: Any) -> None:
    url = getattr(request, "url", "") or ""
    if not is_loopback_url(url):
        raise LeakBlocked(
            f"Blocked a request to {url}: the lab sandbox only talks to 127.0.0.1, "
            "never to real AWS. Drop any --endpoint-url you added (the sandbox sets it), "
            "or point it at the sandbox endpoint."
        )


def sandbox_botocore_session(env: Mapping[str, str], session_vars: Mapping[str, Any] | None = None) -> Any:
    """A botocore Session configured only from `env` (an `isolated_env` result)."""
    import botocore.session
    from botocore import configprovider
    from botocore.config import Config

    session = botocore.session.Session(session_vars=dict(session_vars or {}))
    factory = configprovider.ConfigChainFactory(session=session, environ=dict(env))

    def chains(variables: Mapping[str, Any]) -> dict[str, Any]:
        return {
            name: factory.create_config_chain(
                instance_name=name,
                env_var_names=spec[1],
                config_property_names=spec[0],
                default=spec[2],
                conversion_func=spec[3],
            )
            for name, spec in variables.items()
        }

    store = session.get_component("config_store")
    variables = dict(configprovider.BOTOCORE_DEFAUT_SESSION_VARIABLES)
    variables.update(session_vars or {})
    for name, provider in chains(variables).items():
        store.set_config_provider(name, provider)
    store.set_config_provider(
        "s3",
        configprovider.SectionConfigProvider("s3", session, chains(configprovider.DEFAULT_S3_CONFIG_VARS)),
    )
    store.set_config_provider(
        "proxies_config",
        configprovider.SectionConfigProvider(
            "proxies_config", session, chains(configprovider.DEFAULT_PROXIES_CONFIG_VARS)
        ),
    )
    session.set_credentials(ACCESS_KEY_ID, SECRET_ACCESS_KEY)
    # proxies={} (not None) stops botocore from reading HTTP(S)_PROXY from os.environ:
    # the sandbox is on loopback and the guard below refuses everything else.
    # No retries: a loopback server that refuses a connection is gone, not busy; retrying
    # would turn "the sandbox stopped" into a 6-second hang.
    session.set_default_client_config(Config(proxies={}, connect_timeout=5, retries={"total_max_attempts": 1}))
    session.register("before-send", refuse_non_loopback)
    return session
