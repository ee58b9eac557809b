"""The server's settings: pydantic-settings from ``TUTOR_WORKSHOP_*`` variables, so `serve` hands them to every
uvicorn worker process the same way."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class ServerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TUTOR_WORKSHOP_", extra="ignore")

    db_url: str
    workshop_id: str
    join_limit: str = "30/minute"  # per client address
    token_limit: str = "1200/minute"  # per token: a busy attendee sends a few requests a minute
