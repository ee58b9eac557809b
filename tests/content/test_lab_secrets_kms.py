"""Independent solutions and plausible mistakes for the secrets-kms lab, graded in a real sandbox."""

import json

import pytest
from fixtures.labs import failing, message

LAB = "secrets-kms"
SECRET = "prod/orders/db"
ROLE = "orders-task-execution"
ECS_TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)
VALUE = json.dumps({"username": "orders_app", "password": "s3cret"})
TAGS = [{"Key": "environment", "Value": "prod"}, {"Key": "team", "Value": "orders"}]


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def make_key(session, rotate=True):
    kms = session.sandbox.client("kms")
    key = kms.create_key(Description="app secrets")["KeyMetadata"]
    kms.create_alias(AliasName="alias/app-secrets", TargetKeyId=key["Arn"])
    if rotate:
        kms.enable_key_rotation(KeyId=key["KeyId"])
    return key


def make_secret(session, key, *, kms_key="alias/app-secrets", value=VALUE, tags=TAGS):
    params = {"Name": SECRET, "SecretString": value, "Tags": tags}
    if kms_key:
        params["KmsKeyId"] = kms_key
    return session.sandbox.client("secretsmanager").create_secret(**params)["ARN"]


def make_role(session, statements, trust=ECS_TRUST):
    iam = session.sandbox.client("iam")
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=trust)
    iam.put_role_policy(RoleName=ROLE, PolicyName="read", PolicyDocument=doc(*statements))


def good_statements(secret_arn, key_arn):
    return [
        {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": secret_arn},
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key_arn},
    ]


def everything_but(
    session, *, rotate=True, kms_key="alias/app-secrets", value=VALUE, tags=TAGS, statements=None, trust=ECS_TRUST
):
    key = make_key(session, rotate=rotate)
    arn = make_secret(session, key, kms_key=kms_key, value=value, tags=tags)
    make_role(session, statements(arn, key["Arn"]) if statements else good_statements(arn, key["Arn"]), trust)
    return key, arn


# ------------------------------------------------------------------ correct variants


def test_untouched_fails_everything(lab_session):
    assert failing(lab_session) == {
        "key-alias",
        "key-rotation",
        "secret-encrypted",
        "secret-value",
        "secret-tags",
        "reader-trust",
        "reader-can-read",
        "reader-least-privilege",
    }


def test_boto3_update_secret_later_and_suffix_pattern(lab_session):
    sm = lab_session.sandbox.client("secretsmanager")
    key = make_key(lab_session)
    arn = sm.create_secret(Name=SECRET, SecretString="placeholder")["ARN"]
    sm.update_secret(SecretId=SECRET, KmsKeyId=key["Arn"])
    sm.put_secret_value(
        SecretId=SECRET,
        SecretString=json.dumps({"username": "orders_app", "password": "x", "host": "db.internal", "port": 5432}),
    )
    sm.tag_resource(SecretId=arn, Tags=TAGS)
    iam = lab_session.sandbox.client("iam")
    iam.create_role(
        RoleName=ROLE,
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": ["ecs-tasks.amazonaws.com"]},
                        "Action": ["sts:AssumeRole"],
                        "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
                    }
                ],
            }
        ),
    )
    policy = iam.create_policy(
        PolicyName="orders-db-secret",
        PolicyDocument=doc(
            {
                "Effect": "Allow",
                "Action": ["secretsmanager:GetSecretValue"],
                "Resource": ["arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/orders/db-??????"],
            },
            {
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": key["Arn"],
                "Condition": {"StringEquals": {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}},
            },
        ),
    )
    iam.attach_role_policy(RoleName=ROLE, PolicyArn=policy["Policy"]["Arn"])
    assert failing(lab_session) == set()


def test_cli_alias_arn_and_split_policies(lab_session):
    ctx = lab_session.solve_context()
    key = ctx.aws_json("kms create-key")["KeyMetadata"]
    ctx.aws(f"kms create-alias --alias-name alias/app-secrets --target-key-id {key['Arn']}")
    ctx.aws(f"kms enable-key-rotation --key-id {key['Arn']}")
    secret = ctx.aws_json(
        "secretsmanager create-secret --name prod/orders/db "
        "--kms-key-id arn:aws:kms:us-east-1:123456789012:alias/app-secrets "
        '--secret-string \'{"password":"pw","username":"orders_app"}\' '
        '--tags \'[{"Key":"team","Value":"orders"},{"Key":"environment","Value":"prod"}]\''
    )
    ctx.write("trust.json", ECS_TRUST)
    ctx.aws(f"iam create-role --role-name {ROLE} --assume-role-policy-document file://trust.json")
    ctx.write(
        "secret.json", doc({"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": secret["ARN"]})
    )
    ctx.aws(f"iam put-role-policy --role-name {ROLE} --policy-name secret --policy-document file://secret.json")
    ctx.write("kms.json", doc({"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [key["Arn"]]}))
    arn = ctx.aws_json("iam create-policy --policy-name decrypt-app-secrets --policy-document file://kms.json")
    ctx.aws(f"iam attach-role-policy --role-name {ROLE} --policy-arn {arn['Policy']['Arn']}")
    assert failing(lab_session) == set()


# ------------------------------------------------------------------ mistakes


def test_rotation_forgotten(lab_session):
    everything_but(lab_session, rotate=False)
    assert failing(lab_session) == {"key-rotation"}


def test_key_disabled(lab_session):
    key, _ = everything_but(lab_session)
    lab_session.sandbox.client("kms").disable_key(KeyId=key["KeyId"])
    assert failing(lab_session) == {"key-alias"}


def test_default_secretsmanager_key(lab_session):
    everything_but(lab_session, kms_key=None)
    assert failing(lab_session) == {"secret-encrypted"}


def test_another_key(lab_session):
    other = lab_session.sandbox.client("kms").create_key()["KeyMetadata"]["KeyId"]
    everything_but(lab_session, kms_key=other)
    assert failing(lab_session) == {"secret-encrypted"}


@pytest.mark.parametrize(
    "value",
    [
        "s3cret",
        json.dumps({"user": "orders_app", "password": "x"}),
        json.dumps({"username": "orders_app", "password": ""}),
    ],
    ids=["plain-string", "wrong-key-name", "empty-password"],
)
def test_bad_secret_value(lab_session, value):
    everything_but(lab_session, value=value)
    assert failing(lab_session) == {"secret-value"}


def test_tag_key_wrong_case(lab_session):
    everything_but(lab_session, tags=[{"Key": "Environment", "Value": "prod"}, {"Key": "team", "Value": "orders"}])
    assert failing(lab_session) == {"secret-tags"}


def test_trust_for_lambda(lab_session):
    everything_but(lab_session, trust=ECS_TRUST.replace("ecs-tasks", "lambda"))
    assert failing(lab_session) == {"reader-trust"}


def test_decrypt_missing(lab_session):
    everything_but(lab_session, statements=lambda s, k: good_statements(s, k)[:1])
    assert failing(lab_session) == {"reader-can-read"}


@pytest.mark.parametrize(
    "statements",
    [
        lambda s, k: [
            {
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/orders/db-*",
            },
            good_statements(s, k)[1],
        ],
        lambda s, k: [{"Effect": "Allow", "Action": "secretsmanager:*", "Resource": s}, good_statements(s, k)[1]],
        lambda s, k: [{"Effect": "Allow", "Action": "secretsmanager:Get*", "Resource": s}, good_statements(s, k)[1]],
        lambda s, k: [good_statements(s, k)[0], {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}],
        lambda s, k: [good_statements(s, k)[0], {"Effect": "Allow", "Action": "kms:*", "Resource": k}],
        lambda s, k: (
            good_statements(s, k) + [{"Effect": "Allow", "Action": "secretsmanager:PutSecretValue", "Resource": s}]
        ),
    ],
    ids=["name-prefix-star", "secretsmanager-star", "get-star", "decrypt-any-key", "kms-star", "put-value"],
)
def test_too_broad_fails_only_least_privilege(lab_session, statements):
    everything_but(lab_session, statements=statements)
    assert failing(lab_session) == {"reader-least-privilege"}


# Over-grants the old probes (invented ARNs) never named: every secret and key of the account is tried.
def _payments_arn(session):
    return session.sandbox.client("secretsmanager").describe_secret(SecretId="prod/payments/db")["ARN"]


def test_grant_on_the_real_payments_secret_fails_only_least_privilege(lab_session):
    payments = _payments_arn(lab_session)
    everything_but(
        lab_session,
        statements=lambda s, k: (
            good_statements(s, k)
            + [{"Sid": "Payments", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": payments}]
        ),
    )
    assert failing(lab_session) == {"reader-least-privilege"}
    assert payments in message(lab_session, "reader-least-privilege")


def test_grant_on_both_secrets_in_one_statement_fails_only_least_privilege(lab_session):
    payments = _payments_arn(lab_session)
    everything_but(
        lab_session,
        statements=lambda s, k: [
            {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": [s, payments]},
            good_statements(s, k)[1],
        ],
    )
    assert failing(lab_session) == {"reader-least-privilege"}


def test_decrypt_with_another_real_key_fails_only_least_privilege(lab_session):
    other = lab_session.sandbox.client("kms").create_key(Description="payments")["KeyMetadata"]["Arn"]
    everything_but(
        lab_session,
        statements=lambda s, k: [
            good_statements(s, k)[0],
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": [k, other]},
        ],
    )
    assert failing(lab_session) == {"reader-least-privilege"}
    assert other in message(lab_session, "reader-least-privilege")


def test_a_second_principal_in_the_trust_policy_fails_only_trust(lab_session):
    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": ["ecs-tasks.amazonaws.com", "ecs.amazonaws.com"]},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )
    everything_but(lab_session, trust=trust)
    assert failing(lab_session) == {"reader-trust"}
    assert "ecs.amazonaws.com" in message(lab_session, "reader-trust")
