"""lambda-alias-canary: independent correct variants pass every check, plausible mistakes fail exactly theirs."""

import io
import zipfile
from pathlib import Path

from fixtures.labs import failing, message

LAB = "lambda-alias-canary"
RELEASE_2 = (Path(__file__).resolve().parents[2] / "labs" / LAB / "starter" / "app.py").read_text()


def release_2_zip():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("app.py", RELEASE_2)
    return buf.getvalue()


def lam(session):
    return session.sandbox.client("lambda")


def test_reference_solution_passes(lab_session):
    from tutor.grading.session import apply_solution

    apply_solution(lab_session)
    assert failing(lab_session) == set()


def test_boto3_alias_then_weights_passes(lab_session):
    """boto3: the alias is created plain, and the canary weight is added by update_alias afterwards."""
    client = lam(lab_session)
    assert client.publish_version(FunctionName="checkout")["Version"] == "1"
    client.create_alias(FunctionName="checkout", Name="live", FunctionVersion="1")
    client.update_function_code(FunctionName="checkout", ZipFile=release_2_zip())
    assert client.publish_version(FunctionName="checkout", Description="gift cards")["Version"] == "2"
    client.update_alias(FunctionName="checkout", Name="live", RoutingConfig={"AdditionalVersionWeights": {"2": 0.1}})
    assert failing(lab_session) == set()


def test_cli_json_routing_config_passes(lab_session):
    ctx = lab_session.solve_context()
    ctx.aws("lambda publish-version --function-name checkout")
    ctx.aws("lambda create-alias --function-name checkout --name live --function-version 1")
    with zipfile.ZipFile(ctx.workspace / "function.zip", "w") as archive:
        archive.write(ctx.workspace / "app.py", "app.py")
    ctx.aws("lambda update-function-code --function-name checkout --zip-file fileb://function.zip")
    ctx.aws("lambda publish-version --function-name checkout --description 'release 2'")
    ctx.aws(
        "lambda update-alias --function-name checkout --name live --function-version 1 "
        '--routing-config \'{"AdditionalVersionWeights":{"2":0.10}}\''
    )
    assert failing(lab_session) == set()


def _two_versions(session):
    client = lam(session)
    client.publish_version(FunctionName="checkout")
    client.update_function_code(FunctionName="checkout", ZipFile=release_2_zip())
    client.publish_version(FunctionName="checkout")
    return client


def test_publishing_twice_without_new_code_fails_only_version_2(lab_session):
    client = lam(lab_session)
    client.publish_version(FunctionName="checkout")
    client.publish_version(FunctionName="checkout")  # nothing changed: version 1 again, as in AWS
    client.create_alias(
        FunctionName="checkout",
        Name="live",
        FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.1}},
    )  # the sandbox does not mind
    assert failing(lab_session) == {"version-2"}
    assert "no published version 2" in message(lab_session, "version-2")


def test_redeploying_the_old_code_fails_only_version_2(lab_session):
    """update-function-code with the release 1 package, then publish: the sandbox makes a version 2 of the old
    code; the check runs it and says which release it is."""
    client = lam(lab_session)
    client.publish_version(FunctionName="checkout")
    old = lab_session.sandbox.lambda_code("checkout")
    client.update_function_code(FunctionName="checkout", ZipFile=old)
    client.publish_version(FunctionName="checkout")
    client.create_alias(
        FunctionName="checkout",
        Name="live",
        FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.1}},
    )
    assert failing(lab_session) == {"version-2"}
    assert "runs release 1" in message(lab_session, "version-2")


def test_new_code_before_first_publish_fails_only_version_1(lab_session):
    client = lam(lab_session)
    client.update_function_code(FunctionName="checkout", ZipFile=release_2_zip())
    client.publish_version(FunctionName="checkout")
    client.publish_version(FunctionName="checkout")
    client.create_alias(
        FunctionName="checkout",
        Name="live",
        FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.1}},
    )
    assert failing(lab_session) == {"version-1"}


def test_weight_as_percentage_fails_only_canary_weight(lab_session):
    client = _two_versions(lab_session)
    client.create_alias(
        FunctionName="checkout", Name="live", FunctionVersion="1", RoutingConfig={"AdditionalVersionWeights": {"2": 10}}
    )
    assert failing(lab_session) == {"canary-weight"}


def test_inverted_canary_fails_alias_and_weight(lab_session):
    """The alias on the new version with 90% sent back to the old one: 10% on the old code, 90% on the new."""
    client = _two_versions(lab_session)
    client.create_alias(
        FunctionName="checkout",
        Name="live",
        FunctionVersion="2",
        RoutingConfig={"AdditionalVersionWeights": {"1": 0.9}},
    )
    assert failing(lab_session) == {"alias-primary", "canary-weight"}


def test_alias_on_latest_fails_only_alias_primary(lab_session):
    client = _two_versions(lab_session)
    client.create_alias(
        FunctionName="checkout",
        Name="live",
        FunctionVersion="$LATEST",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.1}},
    )
    assert failing(lab_session) == {"alias-primary"}


def test_alias_without_canary_fails_only_canary_weight(lab_session):
    client = _two_versions(lab_session)
    client.create_alias(FunctionName="checkout", Name="live", FunctionVersion="1")
    assert failing(lab_session) == {"canary-weight"}


def test_untouched_fails_everything(lab_session):
    assert failing(lab_session) == {c.id for c in lab_session.lab.checks}
