"""The lab sandbox: server lifetime, isolation, the in-process AWS CLI, the Lambda harness.

These tests start real moto servers on loopback ports; the whole file takes a few seconds.
"""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from tutor.sandbox import (
    AwsCli,
    SandboxError,
    attach,
    events,
    export_lines,
    isolated_env,
    lab_exports,
    run_aws_subprocess,
    run_handler,
    start_sandbox,
)

ROOT = Path(__file__).resolve().parents[2]

REAL_LOOKING = {
    "AWS_PROFILE": "prod",
    "AWS_DEFAULT_PROFILE": "prod",
    "AWS_ACCESS_KEY_ID": "AKIAREALLOOKINGKEY01",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYREALSECRET",
    "AWS_SESSION_TOKEN": "FwoGZXIvYXdzEREALTOKEN",
    "AWS_ROLE_ARN": "arn:aws:iam::999999999999:role/admin",
    "AWS_WEB_IDENTITY_TOKEN_FILE": "/var/run/secrets/token",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_REGION": "eu-west-1",
    "AWS_DEFAULT_OUTPUT": "table",
    "AWS_ENDPOINT_URL": "https://example.invalid",
    "HTTPS_PROXY": "http://proxy.corp.example:3128",
    "https_proxy": "http://proxy.corp.example:3128",
}


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    sb = start_sandbox(tmp_path_factory.mktemp("sandbox"), preload=["sqs", "s3", "rds"])
    yield sb
    sb.stop()


@pytest.fixture(scope="module")
def cli(sandbox):
    return AwsCli(sandbox)


@pytest.fixture
def real_looking_host(monkeypatch, tmp_path):
    """The host process has production settings, as a developer's TUI may."""
    config = tmp_path / "real-config"
    config.write_text("[profile prod]\nregion = eu-west-1\noutput = table\n")
    for key, value in REAL_LOOKING.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))


@pytest.fixture
def no_network(monkeypatch):
    """A tripwire: resolving any non-loopback host fails the test instead of leaving."""
    real = socket.getaddrinfo

    def guarded(host, *args, **kwargs):
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise AssertionError(f"a request tried to reach {host}")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)


# ------------------------------------------------------------------ server


def test_server_starts_answers_and_records_itself(sandbox):
    assert sandbox.alive()
    assert sandbox.endpoint == f"http://127.0.0.1:{sandbox.port}"
    state = json.loads((sandbox.state_dir / "sandbox.json").read_text())
    assert (state["port"], state["pid"]) == (sandbox.port, sandbox.pid)
    assert sandbox.client("s3").list_buckets()["Buckets"] == []


def test_attach_finds_the_running_sandbox(sandbox, tmp_path):
    found = attach(sandbox.state_dir)
    assert found is not None and (found.port, found.pid) == (sandbox.port, sandbox.pid)
    assert attach(tmp_path) is None


def test_reset_empties_every_service(sandbox):
    sandbox.client("s3").create_bucket(Bucket="reset-me")
    sandbox.client("sqs").create_queue(QueueName="reset-me")
    started = time.perf_counter()
    sandbox.reset()
    assert time.perf_counter() - started < 1.0
    assert sandbox.client("s3").list_buckets()["Buckets"] == []
    assert "QueueUrls" not in sandbox.client("sqs").list_queues()


def test_changes_counter_grows_on_writes_not_reads(sandbox):
    before = sandbox.changes()
    sandbox.client("s3").list_buckets()
    sandbox.client("sqs").list_queues()
    assert sandbox.changes() == before
    sandbox.client("sqs").create_queue(QueueName="counted")
    assert sandbox.changes() > before


def test_server_exits_when_the_watched_process_dies(tmp_path):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        sb = start_sandbox(tmp_path, watch_pid=sleeper.pid)
        assert sb.alive()
    finally:
        sleeper.kill()
        sleeper.wait()
    deadline = time.monotonic() + 2.0
    while sb._proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert sb._proc.poll() is not None, "the sandbox outlived the process it watched"
    assert not (tmp_path / "sandbox.json").exists()
    assert attach(tmp_path) is None


def test_a_new_start_replaces_the_old_server_and_stop_ends_it(tmp_path):
    first = start_sandbox(tmp_path)
    second = start_sandbox(tmp_path)
    assert first._proc.poll() is not None, "the first server was left running"
    assert attach(tmp_path).pid == second.pid
    second.stop()
    assert second._proc.poll() is not None
    assert not second.alive()
    assert attach(tmp_path) is None
    second.stop()  # twice is fine


# ------------------------------------------------------------------ environment


def test_isolated_env_strips_real_credentials_profiles_and_proxies(tmp_path):
    base = {**REAL_LOOKING, "PATH": "/usr/bin", "HOME": "/home/learner", "BOTO_CONFIG": "/x"}
    env = isolated_env("http://127.0.0.1:4566", tmp_path, base=base)
    for key in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_DEFAULT_OUTPUT",
    ):
        assert key not in env
    assert env["AWS_ACCESS_KEY_ID"] == "testing"
    assert env["AWS_SECRET_ACCESS_KEY"] == "testing"
    assert env["AWS_DEFAULT_REGION"] == env["AWS_REGION"] == "us-east-1"
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:4566"
    assert env["AWS_EC2_METADATA_DISABLED"] == "true"
    assert env["AWS_PAGER"] == ""
    assert env["PATH"] == "/usr/bin" and env["HOME"] == "/home/learner"
    for key in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        assert env[key].startswith("http://127.0.0.1:")
    assert env["NO_PROXY"] == env["no_proxy"] == "127.0.0.1,localhost"
    config = Path(env["AWS_CONFIG_FILE"])
    credentials = Path(env["AWS_SHARED_CREDENTIALS_FILE"])
    assert tmp_path in config.parents and tmp_path in credentials.parents
    assert "region = us-east-1" in config.read_text()
    assert "aws_access_key_id = testing" in credentials.read_text()
    assert env["BOTO_CONFIG"] != "/x"


def test_export_lines_survive_a_real_shell(tmp_path):
    env = isolated_env("http://127.0.0.1:4566", tmp_path / "it's here", base={})
    lines = export_lines(lab_exports(env))
    assert lines.startswith("unset AWS_PROFILE")
    script = lines + ('printf "%s|%s|%s|%s" "$AWS_ENDPOINT_URL" "$AWS_CONFIG_FILE" "$AWS_PAGER" "${AWS_PROFILE-gone}"')
    out = subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        text=True,
        env={"PATH": os.environ["PATH"], "AWS_PROFILE": "prod"},
        check=True,
    ).stdout
    assert out == f"http://127.0.0.1:4566|{env['AWS_CONFIG_FILE']}||gone"


# ------------------------------------------------------------------ the AWS CLI


def test_cli_talks_to_the_sandbox_despite_real_looking_host_settings(sandbox, cli, real_looking_host):
    made = cli.run("aws s3api create-bucket --bucket tutor-assets")
    assert made.exit_code == 0, made.stderr
    assert '"Location": "/tutor-assets"' in made.stdout  # json, not AWS_DEFAULT_OUTPUT=table
    names = [b["Name"] for b in sandbox.client("s3").list_buckets()["Buckets"]]
    assert "tutor-assets" in names
    who = cli.run(["sts", "get-caller-identity"])
    assert json.loads(who.stdout)["Account"] == "123456789012"
    # a client made while the host has production settings still talks to the sandbox
    fresh = attach(sandbox.state_dir)
    assert "tutor-assets" in [b["Name"] for b in fresh.client("s3").list_buckets()["Buckets"]]


def test_sqs_and_rds_commands_reach_the_sandbox_not_aws(sandbox, cli, real_looking_host, no_network):
    # awscli rewrites these two endpoints to real AWS unless --endpoint-url is explicit.
    made = cli.run("sqs create-queue --queue-name orders")
    assert made.exit_code == 0, made.stderr
    assert json.loads(made.stdout)["QueueUrl"].startswith(sandbox.endpoint)
    urls = sandbox.client("sqs").list_queues()["QueueUrls"]
    assert any(url.endswith("/orders") for url in urls)

    group = cli.run(
        "rds create-db-parameter-group --db-parameter-group-name tutor-pg "
        "--db-parameter-group-family mysql8.0 --description 'lab group'"
    )
    assert group.exit_code == 0, group.stderr
    groups = sandbox.client("rds").describe_db_parameter_groups()["DBParameterGroups"]
    assert "tutor-pg" in [g["DBParameterGroupName"] for g in groups]


def test_cli_keeps_its_own_output_formats(cli):
    cli.run("sqs create-queue --queue-name formats")
    table = cli.run("sqs list-queues --output table")
    assert table.exit_code == 0 and "ListQueues" in table.stdout and "+--" in table.stdout
    text = cli.run("sqs get-queue-url --queue-name formats --query QueueUrl --output text")
    assert text.stdout.strip().endswith("/formats")


def test_a_typo_returns_the_cli_error_without_raising(cli):
    typo = cli.run("aws s3 lss")
    assert typo.exit_code != 0
    assert "Invalid choice: 'lss', maybe you meant:" in typo.stderr and "* ls" in typo.stderr
    assert "aws: error:" in typo.stderr  # named after the CLI, not the host program
    missing = cli.run("s3api put-bucket-versioning")
    assert missing.exit_code != 0
    assert "--bucket" in missing.stderr
    unknown = cli.run("s3api get-bucket-versioning --bucket no-such-bucket")
    assert unknown.exit_code == 255 and "NoSuchBucket" in unknown.stderr
    assert cli.run("s3api create-bucket --bucket 'unclosed").exit_code != 0
    assert cli.run("").exit_code != 0


def test_a_profile_flag_cannot_pick_up_real_credentials(cli, real_looking_host):
    result = cli.run("s3 ls --profile prod")
    assert result.exit_code != 0
    assert "could not be found" in result.stderr


def test_a_request_to_a_non_loopback_host_is_refused(sandbox, cli, no_network):
    result = cli.run("sqs list-queues --endpoint-url https://sqs.us-east-1.amazonaws.com")
    assert result.exit_code != 0
    assert "Blocked a request to https://sqs.us-east-1.amazonaws.com" in result.stderr

    from tutor.sandbox._boto import sandbox_botocore_session

    session = sandbox_botocore_session(sandbox.env())
    leaky = session.create_client("sqs", endpoint_url="https://sqs.us-east-1.amazonaws.com")
    with pytest.raises(SandboxError, match="only talks to 127.0.0.1"):
        leaky.list_queues()


def test_cli_help_is_captured_as_text(cli):
    result = cli.run("sqs help")
    assert result.exit_code == 0
    assert "create-queue" in result.stdout


def test_cli_reads_files_relative_to_its_workspace_and_stdin(sandbox, tmp_path):
    (tmp_path / "policy.json").write_text(json.dumps({"Status": "Enabled"}))
    cli = AwsCli(sandbox, cwd=tmp_path)
    assert cli.run("s3api create-bucket --bucket versioned-one").exit_code == 0
    on = cli.run("s3api put-bucket-versioning --bucket versioned-one --versioning-configuration file://policy.json")
    assert on.exit_code == 0, on.stderr
    status = sandbox.client("s3").get_bucket_versioning(Bucket="versioned-one")["Status"]
    assert status == "Enabled"
    upload = cli.run("s3 cp - s3://versioned-one/note.txt", stdin=b"hello from stdin")
    assert upload.exit_code == 0, upload.stderr
    body = sandbox.client("s3").get_object(Bucket="versioned-one", Key="note.txt")["Body"]
    assert body.read() == b"hello from stdin"


def test_completion_of_services_operations_and_options(cli):
    assert cli.complete("s3a") == ["s3api"]
    assert "put-bucket-versioning" in cli.complete("s3api put-bucket-v")
    assert all(w.startswith("put-bucket-v") for w in cli.complete("s3api put-bucket-v"))
    assert "--bucket" in cli.complete("s3api put-bucket-versioning --b")
    assert "create-queue" in cli.complete("aws sqs ")


def test_subprocess_cli_inherits_the_terminal_and_forces_the_endpoint(sandbox, capfd):
    sandbox.client("sqs").create_queue(QueueName="from-subprocess")
    code = run_aws_subprocess(sandbox, ["sqs", "list-queues"])
    out = capfd.readouterr().out
    assert code == 0
    assert f"{sandbox.endpoint}/123456789012/from-subprocess" in out


# ------------------------------------------------------------------ Lambda


HANDLERS = """
import os, time

def ok(event, context):
    print("processing", event["n"])
    return {"double": event["n"] * 2, "greeting": os.environ.get("GREETING"),
            "function": context.function_name,
            "remaining_ok": 0 < context.get_remaining_time_in_millis() <= 5000}

def fails(event, context):
    raise KeyError("customer_id")

def spins(event, context):
    while True:
        pass

def lists_buckets(event, context):
    import boto3
    return sorted(b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"])
"""


@pytest.fixture(scope="module")
def function_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", HANDLERS)
    return buffer.getvalue()


@pytest.fixture
def handler_env(tmp_path):
    return isolated_env("http://127.0.0.1:9", tmp_path)


def test_handler_result_and_logs_come_back(function_zip, handler_env):
    result = run_handler(function_zip, "app.ok", {"n": 21}, handler_env, timeout=5, variables={"GREETING": "hello"})
    assert result.ok and not result.timed_out
    assert result.result == {
        "double": 42,
        "greeting": "hello",
        "function": "tutor-function",
        "remaining_ok": True,
    }
    assert "processing 21" in result.stdout


def test_handler_exception_is_reported(function_zip, handler_env):
    result = run_handler(function_zip, "app.fails", {}, handler_env)
    assert not result.ok
    assert result.error["type"] == "KeyError"
    assert "customer_id" in result.error["message"]
    assert "raise KeyError" in result.error["traceback"]


def test_endless_handler_times_out(function_zip, handler_env):
    result = run_handler(function_zip, "app.spins", {}, handler_env, timeout=1)
    assert result.timed_out and not result.ok
    assert result.error["message"] == "Task timed out after 1.00 seconds" and result.limit == "1 s"


def test_cpu_budget_stops_a_loop_long_before_the_timeout(function_zip, handler_env):
    result = run_handler(function_zip, "app.spins", {}, handler_env, timeout=900, cpu_seconds=1)
    assert result.timed_out and result.limit == "1 s of CPU time"


def test_timeout_counts_from_the_handler_call_not_from_the_import(tmp_path, handler_env):
    (tmp_path / "slow.py").write_text(
        "import time\ntime.sleep(1.5)  # a heavy import: Lambda's init phase\n\n"
        "def handler(event, context):\n    return context.get_remaining_time_in_millis()\n"
    )
    result = run_handler(tmp_path, "slow.handler", {}, handler_env, timeout=1)
    assert result.ok, result.error
    assert 0 < result.result <= 1000


def test_missing_handler_and_unsafe_environment(function_zip, handler_env):
    missing = run_handler(function_zip, "app.nothing", {}, handler_env)
    assert missing.error["type"] == "Runtime.HandlerNotFound"
    with pytest.raises(SandboxError, match="sandbox environment"):
        run_handler(function_zip, "app.ok", {"n": 1}, {"PATH": os.environ["PATH"]})


def test_deployed_code_runs_against_the_sandbox(sandbox, tmp_path, function_zip):
    (tmp_path / "function.zip").write_bytes(function_zip)
    cli = AwsCli(sandbox, cwd=tmp_path)
    assert cli.run("s3api create-bucket --bucket seen-by-lambda").exit_code == 0
    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )
    role = cli.run(["iam", "create-role", "--role-name", "lambda-role", "--assume-role-policy-document", trust])
    assert role.exit_code == 0, role.stderr
    created = cli.run(
        "lambda create-function --function-name lister --runtime python3.11 "
        "--role arn:aws:iam::123456789012:role/lambda-role --handler app.lists_buckets "
        "--zip-file fileb://function.zip"
    )
    assert created.exit_code == 0, created.stderr
    code = sandbox.lambda_code("lister")
    assert code == function_zip
    result = run_handler(code, "app.lists_buckets", {}, sandbox.env(), timeout=10)
    assert result.ok, result.error
    assert "seen-by-lambda" in result.result
    with pytest.raises(SandboxError, match="no Lambda function named 'ghost'"):
        sandbox.lambda_code("ghost")


def test_event_builders_match_aws_shapes():
    api = events.api_gateway_proxy(
        "post",
        "/orders/42",
        path_parameters={"id": "42"},
        query={"dry": "1"},
        body={"item": "book"},
    )
    assert api["httpMethod"] == "POST" and api["resource"] == "/orders/{id}"
    assert api["pathParameters"] == {"id": "42"}
    assert api["queryStringParameters"] == {"dry": "1"}
    assert json.loads(api["body"]) == {"item": "book"} and api["isBase64Encoded"] is False
    assert api["requestContext"]["accountId"] == "123456789012"
    assert events.api_gateway_proxy("GET", "/")["queryStringParameters"] is None

    s3 = events.s3_put("uploads", "photos/my cat.jpg", size=2048)["Records"][0]
    assert s3["eventSource"] == "aws:s3" and s3["eventName"] == "ObjectCreated:Put"
    assert s3["s3"]["bucket"]["arn"] == "arn:aws:s3:::uploads"
    assert s3["s3"]["object"]["key"] == "photos/my+cat.jpg" and s3["s3"]["object"]["size"] == 2048

    arn = "arn:aws:sqs:us-east-1:123456789012:orders"
    sqs = events.sqs_batch(arn, ["plain", {"id": 1}])["Records"]
    assert [r["body"] for r in sqs] == ["plain", '{"id": 1}']
    assert sqs[0]["eventSourceARN"] == arn and sqs[0]["eventSource"] == "aws:sqs"

    bridge = events.eventbridge("shop.orders", "OrderPlaced", {"id": 7})
    assert bridge["detail-type"] == "OrderPlaced" and bridge["detail"] == {"id": 7}
    assert bridge["source"] == "shop.orders" and bridge["account"] == "123456789012"


# ------------------------------------------------------------------ cheap import


def test_importing_the_package_loads_no_sdk_and_no_textual():
    code = (
        "import sys, tutor.sandbox; "
        "from tutor.sandbox import start_sandbox, AwsCli, run_handler, isolated_env, events; "
        "heavy = ('boto3', 'botocore', 'moto', 'awscli', 'textual'); "
        "heavy = [m for m in heavy if m in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert out.strip() == "[]"
