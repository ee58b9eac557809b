"""Gathering a principal's effective policies from the sandbox (a real moto server) and judging them."""

from __future__ import annotations

import json
import os
import socket
import urllib.request
from pathlib import Path

import pytest

from tutor.grading import CheckContext
from tutor.grading.iam import PolicyDocument, Request, evaluate, explain, load_policies

ACCOUNT = "123456789012"
UPLOADS = "arn:aws:s3:::uploads-bucket"
LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def _doc(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    from moto.server import ThreadedMotoServer

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    previous = os.environ.get("MOTO_IAM_LOAD_MANAGED_POLICIES")
    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"  # so AdministratorAccess & co. exist, as in a lab sandbox
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    # backends are shared in-process: start from a clean state built with the setting above
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")).read()
    yield CheckContext(workspace=tmp_path_factory.mktemp("ws"), endpoint_url=endpoint)
    server.stop()
    if previous is None:
        os.environ.pop("MOTO_IAM_LOAD_MANAGED_POLICIES", None)
    else:
        os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = previous


@pytest.fixture(scope="module")
def app_role(ctx):
    iam = ctx.client("iam")
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))
    iam.put_role_policy(
        RoleName="app",
        PolicyName="read-uploads",
        PolicyDocument=_doc(
            {"Sid": "AllowRead", "Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{UPLOADS}/*"}
        ),
    )
    arn = iam.create_policy(
        PolicyName="no-deletes",
        PolicyDocument=_doc({"Effect": "Allow", "Action": "s3:DeleteObject", "Resource": "*"}),
    )["Policy"]["Arn"]
    # version 2 becomes the default: the loader must read it, not version 1
    iam.create_policy_version(
        PolicyArn=arn,
        PolicyDocument=_doc({"Sid": "DenyDeletes", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}),
        SetAsDefault=True,
    )
    iam.attach_role_policy(RoleName="app", PolicyArn=arn)
    iam.attach_role_policy(RoleName="app", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    return "app"


def test_loader_gathers_inline_customer_managed_and_aws_managed_policies(ctx, app_role):
    policies = ctx.policy_evaluator.role_policies(app_role)
    labels = sorted(p.label for p in policies)
    assert labels == ["AWS managed policy ReadOnlyAccess", "inline policy read-uploads", "managed policy no-deletes"]


def test_loader_reads_the_default_version_of_a_managed_policy(ctx, app_role):
    policies = ctx.policy_evaluator.role_policies(app_role)
    decision = evaluate(Request("s3:DeleteObject", f"{UPLOADS}/x"), policies)
    assert decision.decision == "explicit-deny"
    assert str(decision.deciding[0]) == "managed policy no-deletes, statement Sid DenyDeletes (#1)"


def test_inline_allow_is_named_as_the_deciding_statement(ctx, app_role):
    policies = ctx.policy_evaluator.role_policies(app_role)
    decision = evaluate(Request("s3:GetObject", f"{UPLOADS}/report.csv"), policies)
    assert decision.allowed
    assert "inline policy read-uploads, statement Sid AllowRead (#1)" in [str(r) for r in decision.deciding]


def test_aws_managed_read_only_allows_reads_but_not_writes(ctx, app_role):
    policies = ctx.policy_evaluator.role_policies(app_role)
    assert evaluate(
        Request("dynamodb:DescribeTable", f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/t"), policies
    ).allowed
    put = Request("s3:PutObject", f"{UPLOADS}/x")
    assert evaluate(put, policies).decision == "implicit-deny"
    assert explain(put, policies).startswith("Denied implicitly")


def test_trust_policy_is_read_from_the_role(ctx, app_role):
    evaluator = ctx.policy_evaluator
    trust = evaluator.trust_policy(app_role)
    assert evaluator.can_assume(trust, "lambda.amazonaws.com")
    assert not evaluator.can_assume(trust, "ec2.amazonaws.com")


def test_user_policies_include_groups_and_administrator_access(ctx):
    iam = ctx.client("iam")
    iam.create_user(UserName="alice")
    iam.create_group(GroupName="admins")
    iam.add_user_to_group(GroupName="admins", UserName="alice")
    iam.attach_group_policy(GroupName="admins", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    iam.put_user_policy(
        UserName="alice",
        PolicyName="no-iam",
        PolicyDocument=_doc({"Effect": "Deny", "Action": "iam:*", "Resource": "*"}),
    )
    policies = ctx.policy_evaluator.user_policies("alice")
    assert {p.label for p in policies} == {
        "inline policy no-iam",
        "AWS managed policy AdministratorAccess of group admins",
    }
    alice = f"arn:aws:iam::{ACCOUNT}:user/alice"
    assert evaluate(Request("ec2:RunInstances", "*", alice), policies).allowed
    assert evaluate(Request("iam:CreateUser", "*", alice), policies).decision == "explicit-deny"
    assert {p.label for p in ctx.policy_evaluator.user_policies("alice", groups=False)} == {"inline policy no-iam"}


def test_loader_accepts_role_arns(ctx, app_role):
    iam = ctx.client("iam")
    arn = iam.get_role(RoleName=app_role)["Role"]["Arn"]
    assert len(load_policies(iam, role=arn)) == 3


def test_bucket_policy_is_loaded_or_none(ctx):
    s3 = ctx.client("s3")
    s3.create_bucket(Bucket="uploads-bucket")
    assert ctx.policy_evaluator.bucket_policy("uploads-bucket") is None
    s3.put_bucket_policy(
        Bucket="uploads-bucket",
        Policy=_doc(
            {
                "Sid": "TlsOnly",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [UPLOADS, f"{UPLOADS}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ),
    )
    policy = ctx.policy_evaluator.bucket_policy("uploads-bucket")
    insecure = Request("s3:GetObject", f"{UPLOADS}/x", context={"aws:SecureTransport": False})
    assert (
        str(evaluate(insecure, [policy]).deciding[0]) == "bucket policy of uploads-bucket, statement Sid TlsOnly (#1)"
    )


def test_aws_managed_policy_falls_back_to_moto_bundled_copy():
    from botocore.exceptions import ClientError

    from tutor.grading.iam import _managed_document

    class NoManagedPolicies:
        def get_policy(self, PolicyArn):
            raise ClientError({"Error": {"Code": "NoSuchEntity", "Message": "not found"}}, "GetPolicy")

    document = _managed_document(NoManagedPolicies(), "arn:aws:iam::aws:policy/AdministratorAccess")
    assert evaluate(Request("iam:CreateUser", "*"), PolicyDocument("AdministratorAccess", document)).allowed


def test_context_arn_helper_builds_sandbox_arns(ctx):
    assert ctx.arn("sqs", "orders") == f"arn:aws:sqs:us-east-1:{ACCOUNT}:orders"
    assert ctx.arn("s3", "uploads-bucket/*") == "arn:aws:s3:::uploads-bucket/*"
    assert ctx.arn("iam", "role/app") == f"arn:aws:iam::{ACCOUNT}:role/app"
    assert isinstance(ctx.workspace, Path)
