"""The class server as attendees and the instructor meet it: a real uvicorn process, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import ipaddress
import json
import os
import secrets
import stat
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from conftest import Server, event, tutor


def test_join_gives_a_token_that_reaches_only_its_own_data(server: Server):
    ann, bob = server.join("Ann"), server.join("Bob")
    assert ann["token"] != bob["token"] and len(ann["token"]) >= 43  # 256 bits, url-safe base64
    with server.client(ann["token"]) as a, server.client(bob["token"]) as b:
        assert a.post("/api/v1/events", json={"events": [event(1), event(2)]}).json()["stored"] == 2
        assert a.get("/api/v1/me").json()["events"] == 2
        assert b.get("/api/v1/me").json() == {
            "attendee_id": bob["attendee_id"],
            "name": "Bob",
            "events": 0,
            "last_seq": 0,
        }
        for method, path in [
            ("GET", "/api/v1/attendees"),
            ("GET", "/api/v1/events"),
            ("GET", f"/api/v1/attendees/{ann['attendee_id']}/events"),
            ("POST", "/api/v1/broadcasts"),
        ]:
            response = b.request(method, path, json={"message": "hi"} if method == "POST" else None)
            assert response.status_code == 403, (path, response.text)
        # an attendee cannot write as another: the body has no attendee, and naming one is refused
        forged = event(1, attendee_id=ann["attendee_id"])
        assert b.post("/api/v1/events", json={"events": [forged]}).status_code == 422
        # the pack, the workshop and broadcasts are for every attendee
        assert b.get("/api/v1/pack").status_code == 200
        assert b.get("/api/v1/broadcasts").status_code == 200
    with server.client(server.token) as instructor:
        roster = {r["name"]: r["events"] for r in instructor.get("/api/v1/attendees").json()}
        assert roster == {"Ann": 2, "Bob": 0}
        assert instructor.post("/api/v1/events", json={"events": [event(1)]}).status_code == 403


def test_guessed_replayed_and_missing_tokens_get_401(server: Server):
    ann = server.join("Ann")
    with server.client(secrets.token_urlsafe(32)) as guess:
        assert guess.get("/api/v1/me").status_code == 401
        assert guess.get("/api/v1/attendees").status_code == 401
    with server.client() as anonymous:
        assert anonymous.get("/api/v1/me").status_code == 401
        assert anonymous.get("/api/v1/pack").status_code == 401
        assert anonymous.get("/api/v1/health").status_code == 200
    with server.client(ann["token"]) as a:
        assert a.post("/api/v1/leave").status_code == 204
        replay = a.post("/api/v1/events", json={"events": [event(1)]})
    assert replay.status_code == 401
    assert "revoked" in replay.json()["detail"]


def test_an_event_is_stored_once_however_often_it_is_sent(server: Server):
    ann, bob = server.join("Ann"), server.join("Bob")
    batch = {"events": [event(i) for i in range(1, 6)]}
    with server.client(ann["token"]) as a:
        first = a.post("/api/v1/events", json=batch).json()
        again = a.post("/api/v1/events", json=batch).json()
        twice_in_one = a.post("/api/v1/events", json={"events": [batch["events"][0]] * 3}).json()
    assert (first["stored"], again["stored"], twice_in_one["stored"]) == (5, 0, 0)
    assert sorted(again["acked"]) == sorted(e["id"] for e in batch["events"])
    with server.client(bob["token"]) as b:  # the same ids from someone else are theirs, not a clash
        assert b.post("/api/v1/events", json=batch).json()["stored"] == 5
    with server.client(server.token) as instructor:
        page = instructor.get("/api/v1/events", params={"limit": 1000}).json()
    assert len(page["events"]) == 10 and page["next_after"] is None


def test_bad_input_gets_a_4xx_with_a_message(server: Server):
    ann = server.join("Ann")
    with server.client(ann["token"]) as a:
        cases = {
            "unknown field": {"events": [event(1, colour="red")]},
            "too many events": {"events": [event(i) for i in range(1, 102)]},
            "string too long": {
                "events": [
                    event(
                        1,
                        type="lab_graded",
                        checks=[{"id": "x", "passed": True, "message": "m" * 5000}],
                        passed=1,
                        total=1,
                        score=100,
                        hints_used=0,
                    )
                ]
            },
            "naive time": {"events": [event(1, at="2026-12-03T10:00:00")]},
            "unknown type": {"events": [event(1, type="lab_exploded")]},
            "empty batch": {"events": []},
            "NUL in text": {
                "events": [
                    event(
                        1,
                        type="lab_graded",
                        checks=[{"id": "x", "passed": True, "message": "a\x00b"}],
                        passed=1,
                        total=1,
                        score=100,
                        hints_used=0,
                    )
                ]
            },
        }
        for name, body in cases.items():
            response = a.post("/api/v1/events", json=body)
            assert response.status_code == 422, (name, response.text)
            assert response.json()["detail"], name
        huge = a.post(
            "/api/v1/events", content=b"{" + b" " * 600_000 + b"}", headers={"content-type": "application/json"}
        )
        assert huge.status_code == 413
        assert (
            a.post("/api/v1/events", content=b"{not json", headers={"content-type": "application/json"}).status_code
            == 422
        )
    with server.client() as anonymous:
        assert anonymous.post("/api/v1/join", json={"code": server.code, "name": "x" * 81}).status_code == 422
        wrong = anonymous.post("/api/v1/join", json={"code": "AAAA-AAAA", "name": "Eve"})
        assert wrong.status_code == 403 and "wrong join code" in wrong.json()["detail"]
        # the code works however a person types it
        typed = server.code.lower().replace("-", " ")
        assert anonymous.post("/api/v1/join", json={"code": typed, "name": "Dan"}).status_code == 201


def test_restart_keeps_the_code_the_token_attendees_and_events(server: Server):
    ann = server.join("Ann")
    with server.client(ann["token"]) as a:
        a.post("/api/v1/events", json={"events": [event(1), event(2)]})
    code, token = server.code, server.token
    server.restart()
    assert (server.code, server.token) == (code, token)
    with server.client(ann["token"]) as a:
        assert a.get("/api/v1/me").json()["events"] == 2
    with server.client(token) as instructor:
        assert [r["name"] for r in instructor.get("/api/v1/attendees").json()] == ["Ann"]
    mode = stat.S_IMODE(os.stat(server.info["token_file"]).st_mode)
    assert mode == 0o600


def test_joins_are_rate_limited_per_address(pack_dir, tmp_path):
    srv = Server(
        pack_dir, tmp_path / "instructor", f"sqlite:///{tmp_path / 's.db'}", extra=("--join-limit", "3/minute")
    ).start()
    try:
        with srv.client() as anonymous:
            codes = [
                anonymous.post("/api/v1/join", json={"code": "WRONG-CODE", "name": "Eve"}).status_code for _ in range(5)
            ]
            right = anonymous.post("/api/v1/join", json={"code": srv.code, "name": "Ann"})
        assert codes == [403, 403, 403, 429, 429]
        assert right.status_code == 429 and int(right.headers["Retry-After"]) >= 1
    finally:
        srv.kill()


def test_tokens_are_rate_limited(pack_dir, tmp_path):
    srv = Server(
        pack_dir, tmp_path / "instructor", f"sqlite:///{tmp_path / 's.db'}", extra=("--token-limit", "5/minute")
    ).start()
    try:
        ann = srv.join("Ann")
        with srv.client(ann["token"]) as a:
            statuses = [a.get("/api/v1/me").status_code for _ in range(7)]
        assert statuses == [200] * 5 + [429] * 2
        with srv.client(srv.join("Bob")["token"]) as b:  # the limit is per token
            assert b.get("/api/v1/me").status_code == 200
    finally:
        srv.kill()


def test_the_join_code_dies_when_the_workshop_ends(pack_dir, tmp_path):
    file = pack_dir / "workshop.yaml"
    ended = datetime.now(UTC) - timedelta(hours=1)
    lines = []
    for line in file.read_text().splitlines():
        if line.startswith("starts:"):
            line = f"starts: {(ended - timedelta(hours=2)).isoformat()}"
        elif line.startswith("ends:"):
            line = f"ends: {ended.isoformat()}"
        lines.append(line)
    file.write_text("\n".join(lines) + "\n")
    srv = Server(pack_dir, tmp_path / "instructor", f"sqlite:///{tmp_path / 's.db'}").start()
    try:
        with srv.client() as anonymous:
            response = anonymous.post("/api/v1/join", json={"code": srv.code, "name": "Late"})
        assert response.status_code == 403 and "ended" in response.json()["detail"]
    finally:
        srv.kill()


def test_several_workers_need_postgresql(pack_dir, tmp_path):
    result = tutor(tmp_path, "workshop", "serve", str(pack_dir), "--workers", "2", check=False)
    assert result.returncode == 2
    assert "several workers need PostgreSQL" in result.stderr


def test_a_non_loopback_host_warns_about_plain_http(pack_dir, tmp_path, monkeypatch):
    import uvicorn

    from tutor.workshop.server.serve import serve

    ran = {}
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: ran.update(kw))
    out, err = io.StringIO(), io.StringIO()
    serve(
        pack_dir,
        db_url=f"sqlite:///{tmp_path / 's.db'}",
        token_file=tmp_path / "t",
        host="0.0.0.0",
        port=8765,
        workers=1,
        as_json=True,
        ssl_certfile=None,
        ssl_keyfile=None,
        join_limit="30/minute",
        token_limit="600/minute",
        out=out,
        err=err,
    )
    assert "plain HTTP" in err.getvalue() and ran["host"] == "0.0.0.0"
    first = out.getvalue().splitlines()[0]
    assert set(json.loads(first)) >= {"url", "code", "token_file"}
    out, err = io.StringIO(), io.StringIO()
    serve(
        pack_dir,
        db_url=f"sqlite:///{tmp_path / 's.db'}",
        token_file=tmp_path / "t",
        host="127.0.0.1",
        port=8765,
        workers=1,
        as_json=False,
        ssl_certfile=None,
        ssl_keyfile=None,
        join_limit="30/minute",
        token_limit="600/minute",
        out=out,
        err=err,
    )
    assert err.getvalue() == ""


@pytest.mark.parametrize("workers", [3])
def test_several_workers_on_postgresql_store_every_event_once(pack_dir, pg_url, tmp_path, workers):
    srv = Server(pack_dir, tmp_path / "instructor", pg_url, workers=workers).start()
    try:
        tokens = [srv.join(f"p{i}")["token"] for i in range(6)]
        batches = {t: [event(s) for s in range(1, 21)] for t in tokens}
        for token, events in batches.items():
            with srv.client(token) as http:
                for start in range(0, 20, 5):  # several requests, spread over the workers by the kernel
                    http.post("/api/v1/events", json={"events": events[start : start + 5]}).raise_for_status()
                    http.post("/api/v1/events", json={"events": events[start : start + 5]}).raise_for_status()
        with srv.client(srv.token) as instructor:
            page = instructor.get("/api/v1/events", params={"limit": 1000}).json()
        assert len(page["events"]) == 120
        assert len({(e["attendee_id"], e["id"]) for e in page["events"]}) == 120
    finally:
        srv.kill()


def test_tls_is_served_with_uvicorns_own_certificate_support(pack_dir, tmp_path):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    srv = Server(
        pack_dir,
        tmp_path / "instructor",
        f"sqlite:///{tmp_path / 's.db'}",
        tls_cert=tmp_path / "cert.pem",
        extra=("--ssl-certfile", str(tmp_path / "cert.pem"), "--ssl-keyfile", str(tmp_path / "key.pem")),
    )
    srv.start()
    try:
        assert srv.info["url"] == srv.url and srv.url.startswith("https://")
        with srv.client(srv.join("Ann")["token"]) as a:
            assert a.get("/api/v1/me").status_code == 200
        with pytest.raises(httpx.HTTPError):  # plain HTTP to a TLS port gets nothing
            httpx.get(f"http://127.0.0.1:{srv.port}/api/v1/health", timeout=30)
    finally:
        srv.kill()
