"""Independent solutions and plausible mistakes for the cross-account-assume-role lab, graded in a real sandbox."""

import json

import pytest
from fixtures.labs import failing, message

LAB = "cross-account-assume-role"
ROLE = "audit-readonly"
AUDITOR = "arn:aws:iam::111122223333:role/ledgerline-auditor"
EXT = {"StringEquals": {"sts:ExternalId": "LL-7731-nimbus"}}
READ = [
    {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::audit-evidence"},
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::audit-evidence/*"},
]


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def trust(principal=None, condition=None):
    statement = {"Effect": "Allow", "Principal": principal or {"AWS": AUDITOR}, "Action": "sts:AssumeRole"}
    if condition is not False:
        statement["Condition"] = condition or EXT
    return doc(statement)


def make_role(session, trust_doc=None, statements=READ, duration=3600):
    iam = session.sandbox.client("iam")
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=trust_doc or trust(), MaxSessionDuration=duration)
    iam.put_role_policy(RoleName=ROLE, PolicyName="read", PolicyDocument=doc(*statements))


# ------------------------------------------------------------------ correct variants


def test_untouched_fails_everything(lab_session):
    assert failing(lab_session) == {
        "role",
        "trust-partner",
        "trust-external-id",
        "trust-nobody-else",
        "session-duration",
        "read-evidence",
        "read-only-scope",
    }


def test_account_principal_pinned_by_principal_arn_and_merged_statement(lab_session):
    t = trust(
        {"AWS": "111122223333"}, {"StringEquals": {"sts:ExternalId": "LL-7731-nimbus", "aws:PrincipalArn": AUDITOR}}
    )
    make_role(
        lab_session,
        t,
        [
            {
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:ListBucket"],
                "Resource": ["arn:aws:s3:::audit-evidence", "arn:aws:s3:::audit-evidence/*"],
            }
        ],
    )
    assert failing(lab_session) == set()


def test_cli_lists_managed_policy_and_update_role(lab_session):
    ctx = lab_session.solve_context()
    ctx.write(
        "trust.json",
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": [AUDITOR]},
                        "Action": ["sts:AssumeRole"],
                        "Condition": {"StringEquals": {"sts:ExternalId": ["LL-7731-nimbus"]}},
                    }
                ],
            }
        ),
    )
    ctx.aws("iam create-role --role-name audit-readonly --assume-role-policy-document file://trust.json")
    ctx.aws("iam update-role --role-name audit-readonly --max-session-duration 7200")
    ctx.aws("iam update-role --role-name audit-readonly --max-session-duration 3600")
    ctx.write(
        "get.json", doc({"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::audit-evidence/*"]})
    )
    arn = ctx.aws_json("iam create-policy --policy-name evidence-get --policy-document file://get.json")["Policy"][
        "Arn"
    ]
    ctx.aws(f"iam attach-role-policy --role-name audit-readonly --policy-arn {arn}")
    ctx.write("list.json", doc(READ[0]))
    ctx.aws(
        "iam put-role-policy --role-name audit-readonly --policy-name evidence-list --policy-document file://list.json"
    )
    assert failing(lab_session) == set()


# ------------------------------------------------------------------ mistakes


def test_whole_partner_account_trusted(lab_session):
    make_role(lab_session, trust({"AWS": "arn:aws:iam::111122223333:root"}))
    assert failing(lab_session) == {"trust-nobody-else"}


def test_everyone_with_the_external_id(lab_session):
    make_role(lab_session, trust({"AWS": "*"}))
    assert failing(lab_session) == {"trust-nobody-else"}


def test_no_external_id(lab_session):
    make_role(lab_session, trust(condition=False))
    assert failing(lab_session) == {"trust-external-id"}


def test_external_id_wildcard(lab_session):
    make_role(lab_session, trust(condition={"StringLike": {"sts:ExternalId": "LL-*"}}))
    assert failing(lab_session) == {"trust-external-id"}


def test_wrong_partner_role(lab_session):
    make_role(lab_session, trust({"AWS": "arn:aws:iam::111122223333:role/ledgerline-admin"}))
    assert failing(lab_session) == {"trust-partner", "trust-nobody-else"}


# Over-grants that no fixed list of principals named: the trust policy is read, not sampled.
@pytest.mark.parametrize(
    "principal",
    [
        {"AWS": [AUDITOR, "arn:aws:iam::111122223333:role/ledgerline-reporting"]},
        {"AWS": [AUDITOR, "arn:aws:iam::777788889999:user/mallory"]},
        {"AWS": AUDITOR, "Service": "glue.amazonaws.com"},
    ],
    ids=["second-role-same-account", "user-of-another-account", "a-service-too"],
)
def test_second_principal_in_the_trust_policy_fails_nobody_else(lab_session, principal):
    make_role(lab_session, trust(principal))
    assert failing(lab_session) == {"trust-nobody-else"}
    text = message(lab_session, "trust-nobody-else")
    named = [
        v
        for v in ([principal.get("Service")] + list(principal["AWS"] if isinstance(principal["AWS"], list) else []))
        if v and v != AUDITOR
    ]
    assert named[0] in text


def test_second_statement_for_another_principal_fails_nobody_else(lab_session):
    make_role(
        lab_session,
        doc(
            {"Effect": "Allow", "Principal": {"AWS": AUDITOR}, "Action": "sts:AssumeRole", "Condition": EXT},
            {
                "Sid": "Backup",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:role/backup-ops"},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
            },
        ),
    )
    assert failing(lab_session) == {"trust-nobody-else"}
    assert "arn:aws:iam::123456789012:role/backup-ops" in message(lab_session, "trust-nobody-else")
    assert "Sid Backup" in message(lab_session, "trust-nobody-else")


def test_account_principal_pinned_with_principal_arn_like_that_reaches_other_roles(lab_session):
    t = trust(
        {"AWS": "111122223333"},
        {
            "StringEquals": {"sts:ExternalId": "LL-7731-nimbus"},
            "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/ledgerline-*"},
        },
    )
    make_role(lab_session, t)
    assert failing(lab_session) == {"trust-nobody-else"}


def test_principal_star_pinned_by_principal_arn_passes(lab_session):
    t = trust("*", {"StringEquals": {"sts:ExternalId": "LL-7731-nimbus", "aws:PrincipalArn": AUDITOR}})
    make_role(lab_session, t)
    assert failing(lab_session) == set()


def test_two_hour_sessions_fail_because_role_chaining_caps_them_at_one(lab_session):
    make_role(lab_session, duration=7200)
    assert failing(lab_session) == {"session-duration"}
    assert "role chaining" in message(lab_session, "session-duration")


@pytest.mark.parametrize(
    "statement",
    [
        {
            "Effect": "Allow",
            "Action": "s3:*",
            "Resource": ["arn:aws:s3:::audit-evidence", "arn:aws:s3:::audit-evidence/*"],
        },
        {"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::audit-evidence/*"},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::*/*"},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::payroll-archive/*"},
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::audit-evidence/*"},
    ],
    ids=["s3-star", "get-star", "every-bucket", "payroll", "put-object"],
)
def test_broader_permissions_fail_only_scope(lab_session, statement):
    make_role(lab_session, statements=READ + [statement])
    assert failing(lab_session) == {"read-only-scope"}


def test_list_bucket_on_object_arn(lab_session):
    make_role(lab_session, statements=[{**READ[0], "Resource": "arn:aws:s3:::audit-evidence/*"}, READ[1]])
    assert failing(lab_session) == {"read-evidence"}
