"""lambda-users-api: independent correct variants pass every check, plausible mistakes fail exactly theirs."""

import io
import zipfile

from fixtures.labs import failing, report

LAB = "lambda-users-api"
ROLE_ARN = "arn:aws:iam::123456789012:role/users-api-role"
HANDLER_CHECKS = {"get-existing", "get-missing", "missing-user-id", "other-methods", "json-responses", "table-from-env"}


def zipped(source, name="handler.py"):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr(name, source)
    return buf.getvalue()


def deploy(session, source, **overrides):
    params = {
        "FunctionName": "users-api",
        "Runtime": "python3.12",
        "Handler": "handler.lambda_handler",
        "Role": ROLE_ARN,
        "Timeout": 30,
        "MemorySize": 512,
        "Environment": {"Variables": {"TABLE_NAME": "Users"}},
        "Code": {"ZipFile": zipped(source)},
    }
    params.update(overrides)
    session.sandbox.client("lambda").create_function(**params)


# A correct handler written differently from the reference: the low-level client, a deserializer,
# a lowercase header with a charset, a dispatch table.
CLIENT_HANDLER = """
import json, os
import boto3
from boto3.dynamodb.types import TypeDeserializer

ddb = boto3.client("dynamodb")
plain = TypeDeserializer()


def reply(code, data):
    return {"statusCode": code, "headers": {"content-type": "application/json; charset=utf-8"},
            "body": json.dumps(data), "isBase64Encoded": False}


def lambda_handler(event, context):
    method = event["httpMethod"]
    if method.upper() != "GET":
        return reply(405, {"error": f"{method} not allowed"})
    params = event.get("pathParameters")
    if not params or not params.get("userId"):
        return reply(400, {"error": "missing userId"})
    found = ddb.get_item(TableName=os.environ["TABLE_NAME"], Key={"userId": {"S": params["userId"]}})
    if "Item" not in found:
        return reply(404, {"error": "no such user"})
    return reply(200, {k: plain.deserialize(v) for k, v in found["Item"].items()})
"""

REFERENCE_LIKE = """
import json, os
import boto3

table = boto3.resource("dynamodb").Table(os.environ.get("TABLE_NAME"))


def lambda_handler(event, context):
    headers = {"Content-Type": "application/json"}
    if event["httpMethod"] != "GET":
        return {"statusCode": 405, "headers": headers, "body": json.dumps({"message": "nope"})}
    user_id = (event["pathParameters"] or {}).get("userId")
    if user_id is None:
        return {"statusCode": 400, "headers": headers, "body": json.dumps({"message": "userId?"})}
    item = table.get_item(Key={"userId": user_id}).get("Item")
    if not item:
        return {"statusCode": 404, "headers": headers, "body": json.dumps({"message": "not found"})}
    return {"statusCode": 200, "headers": headers, "body": json.dumps(item)}
"""


def test_reference_solution_passes(lab_session):
    from tutor.grading.session import apply_solution

    apply_solution(lab_session)
    assert failing(lab_session) == set()


def test_boto3_client_variant_passes(lab_session):
    deploy(lab_session, CLIENT_HANDLER)
    assert failing(lab_session) == set()


def test_cli_defaults_then_update_configuration_passes(lab_session):
    """Created with the defaults, configured afterwards; the zip made by the `zip` tool in the workspace."""
    ctx = lab_session.solve_context()
    ctx.write("handler.py", REFERENCE_LIKE)
    with zipfile.ZipFile(ctx.workspace / "function.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(ctx.workspace / "handler.py", "handler.py")
    ctx.aws(
        "lambda create-function --function-name users-api --runtime python3.12 --handler handler.lambda_handler "
        f"--role {ROLE_ARN} --zip-file fileb://function.zip"
    )
    ctx.aws(
        "lambda update-function-configuration --function-name users-api --memory-size 512 --timeout 30 "
        '--environment \'{"Variables":{"TABLE_NAME":"Users"}}\''
    )
    assert failing(lab_session) == set()


def test_hard_coded_table_fails_only_table_from_env(lab_session):
    deploy(lab_session, REFERENCE_LIKE.replace('os.environ.get("TABLE_NAME")', '"Users"'))
    result = report(lab_session)
    assert {c.id for c in result.checks if not c.passed} == {"table-from-env"}
    message = next(c.message for c in result.checks if c.id == "table-from-env")
    assert "404" in message and "users-api-grading-copy" in message


def test_missing_content_type_fails_only_json_responses(lab_session):
    deploy(lab_session, REFERENCE_LIKE.replace('headers = {"Content-Type": "application/json"}', "headers = {}"))
    assert failing(lab_session) == {"json-responses"}


def test_body_as_dict_fails_only_json_responses(lab_session):
    deploy(lab_session, REFERENCE_LIKE.replace("json.dumps(item)", "item"))
    result = report(lab_session)
    assert {c.id for c in result.checks if not c.passed} == {"json-responses"}
    assert "string" in next(c.message for c in result.checks if c.id == "json-responses")


def test_crash_on_null_path_parameters_fails_only_missing_user_id(lab_session):
    deploy(lab_session, REFERENCE_LIKE.replace('(event["pathParameters"] or {})', 'event["pathParameters"]'))
    result = report(lab_session)
    assert {c.id for c in result.checks if not c.passed} == {"missing-user-id"}
    assert "AttributeError" in next(c.message for c in result.checks if c.id == "missing-user-id")


def test_500_on_null_path_parameters_fails_only_missing_user_id(lab_session):
    guarded = REFERENCE_LIKE.replace(
        "def lambda_handler(event, context):",
        "def lambda_handler(event, context):\n    try:\n        return inner(event)\n    except Exception:\n"
        "        return {'statusCode': 500, 'headers': {'Content-Type': 'application/json'}, 'body': '{}'}\n\n\n"
        "def inner(event):",
    ).replace('(event["pathParameters"] or {})', 'event["pathParameters"]')
    deploy(lab_session, guarded)
    result = report(lab_session)
    assert {c.id for c in result.checks if not c.passed} == {"missing-user-id"}
    assert "500" in next(c.message for c in result.checks if c.id == "missing-user-id")


def test_wrong_runtime_and_default_limits_fail_their_checks(lab_session):
    deploy(lab_session, REFERENCE_LIKE, Runtime="python3.11", Timeout=3, MemorySize=128)
    assert failing(lab_session) == {"function-runtime", "function-limits"}


def test_wrong_role_and_missing_env(lab_session):
    iam = lab_session.sandbox.client("iam")
    other = iam.create_role(RoleName="users-api-role-old", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    deploy(lab_session, REFERENCE_LIKE, Role=other, Environment={"Variables": {"TABLE": "Users"}})
    # without TABLE_NAME, Table(None) fails at import: every request but the grader's copy run fails too
    assert failing(lab_session) == {
        "function-role",
        "function-env",
        "get-existing",
        "get-missing",
        "missing-user-id",
        "other-methods",
    }


def test_post_allowed_fails_only_other_methods(lab_session):
    deploy(lab_session, REFERENCE_LIKE.replace('if event["httpMethod"] != "GET":', 'if event["httpMethod"] == "PUT":'))
    assert failing(lab_session) == {"other-methods"}


def test_typed_dynamodb_body_fails_get_existing_and_copy(lab_session):
    deploy(
        lab_session,
        CLIENT_HANDLER.replace('{k: plain.deserialize(v) for k, v in found["Item"].items()}', 'found["Item"]'),
    )
    result = report(lab_session)
    assert {c.id for c in result.checks if not c.passed} == {"get-existing", "table-from-env"}
    assert "typed" in next(c.message for c in result.checks if c.id == "get-existing")


def test_endless_loop_fails_every_handler_check_on_its_cpu_budget(lab_session):
    """The function's timeout is 30 s; the loop is stopped by its CPU budget instead, long before that."""
    deploy(lab_session, "def lambda_handler(event, context):\n    while True:\n        pass\n")
    result = report(lab_session)
    failed = {c.id for c in result.checks if not c.passed}
    assert failed == HANDLER_CHECKS
    for check in result.checks:
        if check.id in HANDLER_CHECKS - {"json-responses"}:
            assert "did not return within 3 s of CPU time" in check.message, check.message


def test_import_slower_than_the_timeout_passes(lab_session):
    """Lambda counts the timeout from the handler call: an import (the init phase) longer than the function's
    timeout is not a timeout."""
    deploy(lab_session, REFERENCE_LIKE.replace("import boto3", "import boto3, time\ntime.sleep(3)"), Timeout=2)
    assert failing(lab_session) == {"function-limits"}


def test_exception_is_reported_with_its_line(lab_session):
    deploy(lab_session, "def lambda_handler(event, context):\n    raise RuntimeError('boom')\n")
    result = report(lab_session)
    assert {c.id for c in result.checks if not c.passed} == HANDLER_CHECKS
    message = next(c.message for c in result.checks if c.id == "get-existing")
    assert "RuntimeError: boom at handler.py line 2, in lambda_handler" in message


def test_no_function_fails_everything(lab_session):
    assert failing(lab_session) == {c.id for c in lab_session.lab.checks}
