"""Independent solutions and plausible mistakes for the iam-least-privilege lab, graded in a real sandbox."""

import json

import pytest
from fixtures.labs import failing

LAB = "iam-least-privilege"
ROLE = "thumbnail-lambda"
LOG_GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/thumbnail:*"
LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource):
    return {"Effect": "Allow", "Action": action, "Resource": resource}


GOOD = [
    allow("s3:GetObject", "arn:aws:s3:::uploads-bucket/*"),
    allow(["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], LOG_GROUP),
]


def make_role(session, statements, trust=LAMBDA_TRUST):
    iam = session.sandbox.client("iam")
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust))
    iam.put_role_policy(RoleName=ROLE, PolicyName="perms", PolicyDocument=policy(*statements))


# ------------------------------------------------------------------ correct variants


def test_untouched_fails_everything(lab_session):
    assert failing(lab_session) == {"role", "trust-lambda", "read-uploads", "write-logs", "nothing-else"}


def test_boto3_managed_policy_split_statements(lab_session):
    iam = lab_session.sandbox.client("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": ["lambda.amazonaws.com"]},
                "Action": ["sts:AssumeRole"],
                "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
            }
        ],
    }
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust), Path="/service-role/")
    statements = [allow(["s3:GetObject"], ["arn:aws:s3:::uploads-bucket/*"])] + [
        allow(a, LOG_GROUP) for a in ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")
    ]
    arn = iam.create_policy(PolicyName="thumbnail-least", PolicyDocument=policy(*statements))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=ROLE, PolicyArn=arn)
    assert failing(lab_session) == set()


def test_cli_two_policies_inline_and_managed(lab_session):
    ctx = lab_session.solve_context()
    ctx.write("trust.json", json.dumps(LAMBDA_TRUST))
    ctx.aws("iam create-role --role-name thumbnail-lambda --assume-role-policy-document file://trust.json")
    ctx.write("s3.json", policy(allow("s3:GetObject", "arn:aws:s3:::uploads-bucket/*")))
    ctx.aws("iam put-role-policy --role-name thumbnail-lambda --policy-name read --policy-document file://s3.json")
    ctx.write(
        "logs.json", policy(allow(["logs:PutLogEvents", "logs:CreateLogStream", "logs:CreateLogGroup"], [LOG_GROUP]))
    )
    arn = ctx.aws_json("iam create-policy --policy-name thumb-logs --policy-document file://logs.json")["Policy"]["Arn"]
    ctx.aws(f"iam attach-role-policy --role-name thumbnail-lambda --policy-arn {arn}")
    assert failing(lab_session) == set()


def test_allow_narrowed_by_deny_passes(lab_session):
    make_role(
        lab_session,
        GOOD
        + [
            allow("s3:GetObject", "arn:aws:s3:::other-bucket/*"),
            {"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::uploads-bucket/*"},
        ],
    )
    assert failing(lab_session) == set()


# ------------------------------------------------------------------ mistakes


@pytest.mark.parametrize(
    "statement",
    [
        allow("s3:*", "arn:aws:s3:::uploads-bucket/*"),
        allow("s3:Get*", "arn:aws:s3:::uploads-bucket/*"),
        allow("s3:GetObject", "*"),
        allow("s3:GetObject", ["arn:aws:s3:::uploads-bucket/*", "arn:aws:s3:::other-bucket/*"]),
        allow("s3:GetObject", "arn:aws:s3:::uploads-bucket*"),
    ],
    ids=["s3-star", "s3-get-star", "resource-star", "other-bucket", "bucket-prefix"],
)
def test_broader_s3_fails_only_nothing_else(lab_session, statement):
    make_role(lab_session, [statement, GOOD[1]])
    assert failing(lab_session) == {"nothing-else"}


def test_extra_action_fails_only_nothing_else(lab_session):
    make_role(lab_session, GOOD + [allow("s3:PutObject", "arn:aws:s3:::uploads-bucket/*")])
    assert failing(lab_session) == {"nothing-else"}


@pytest.mark.parametrize(
    "statement",
    [
        allow("logs:*", LOG_GROUP),
        allow(
            ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/*",
        ),
        allow(["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], "arn:aws:logs:*:*:*"),
    ],
    ids=["logs-star", "all-lambda-groups", "any-log-group"],
)
def test_broader_logs_fails_only_nothing_else(lab_session, statement):
    make_role(lab_session, [GOOD[0], statement])
    assert failing(lab_session) == {"nothing-else"}


def test_bucket_arn_instead_of_objects(lab_session):
    make_role(lab_session, [allow("s3:GetObject", "arn:aws:s3:::uploads-bucket"), GOOD[1]])
    assert failing(lab_session) == {"read-uploads", "nothing-else"}


def test_missing_put_log_events(lab_session):
    make_role(lab_session, [GOOD[0], allow(["logs:CreateLogGroup", "logs:CreateLogStream"], LOG_GROUP)])
    assert failing(lab_session) == {"write-logs"}


@pytest.mark.parametrize(
    "principal",
    [
        {"Service": "lambda.amazonaws.com", "AWS": "arn:aws:iam::123456789012:root"},
        "*",
        {"Service": ["lambda.amazonaws.com", "ec2.amazonaws.com"]},
    ],
    ids=["also-account", "everyone", "also-ec2"],
)
def test_trust_too_wide_fails_only_trust(lab_session, principal):
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}],
    }
    make_role(lab_session, GOOD, trust=trust)
    assert failing(lab_session) == {"trust-lambda"}


def test_trust_for_ec2_instead_of_lambda(lab_session):
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
    make_role(lab_session, GOOD, trust=trust)
    assert failing(lab_session) == {"trust-lambda"}
