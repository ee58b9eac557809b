"""`tutor web` listens on loopback by default and warns before serving anywhere reachable."""

from __future__ import annotations

from typing import ClassVar

import pytest
from typer.testing import CliRunner

from tutor.cli import web
from tutor.cli.commands import app


class _FakeServer:
    started: ClassVar[list[tuple[str, int]]] = []

    def __init__(self, command: str, host: str, port: int, title: str) -> None:
        self.host, self.port = host, port

    def serve(self) -> None:
        _FakeServer.started.append((self.host, self.port))


@pytest.fixture(autouse=True)
def fake_server(monkeypatch: pytest.MonkeyPatch) -> None:
    import textual_serve.server

    _FakeServer.started.clear()
    monkeypatch.setattr(textual_serve.server, "Server", _FakeServer)


def test_default_is_loopback_without_warning() -> None:
    result = CliRunner().invoke(app, ["web"])
    assert result.exit_code == 0, result.output
    assert _FakeServer.started == [("127.0.0.1", 8000)]
    assert "warning" not in result.output


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "tutor.example"])
def test_reachable_host_warns(host: str) -> None:
    result = CliRunner().invoke(app, ["web", "--host", host, "--port", "8765"])
    assert result.exit_code == 0
    assert f"warning: serving on {host}" in result.output
    assert _FakeServer.started == [(host, 8765)]


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_loopback_hosts(host: str) -> None:
    assert web.is_loopback(host)
