"""The IAM policy evaluator decides as AWS documents it."""

from __future__ import annotations

import pytest

from tutor.grading.iam import PolicyDocument, Request, can_assume, evaluate, explain

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/app"
UPLOADS = "arn:aws:s3:::uploads-bucket"


def policy(*statements, name="test", source="inline policy", version="2012-10-17") -> PolicyDocument:
    return PolicyDocument(name, {"Version": version, "Statement": list(statements)}, source)


def allow(action="s3:GetObject", resource=f"{UPLOADS}/*", **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action="s3:GetObject", resource=f"{UPLOADS}/*", **extra):
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def req(action="s3:GetObject", resource=f"{UPLOADS}/report.csv", principal=None, **context) -> Request:
    return Request(action=action, resource=resource, principal=principal, context=context)


# ---------------------------------------------------------------- the decision logic


def test_allow_statement_allows_and_is_named():
    p = policy(dict(allow(), Sid="AllowRead"), name="read-uploads")
    decision = evaluate(req(), [p])
    assert decision.allowed and decision.decision == "allow"
    assert [str(r) for r in decision.deciding] == ["inline policy read-uploads, statement Sid AllowRead (#1)"]


def test_statement_without_sid_is_named_by_position():
    decision = evaluate(req(), [policy(allow("s3:PutObject"), allow(), name="p")])
    assert str(decision.deciding[0]) == "inline policy p, statement #2"


def test_nothing_allows_means_implicit_deny():
    decision = evaluate(req(action="s3:PutObject"), [policy(allow())])
    assert not decision.allowed and decision.decision == "implicit-deny" and decision.deciding == []


def test_explicit_deny_beats_allow_in_another_policy():
    decision = evaluate(
        req(), [policy(allow("s3:*", "*"), name="admin"), policy(dict(deny(), Sid="NoReads"), name="guard")]
    )
    assert decision.decision == "explicit-deny" and not decision.allowed
    assert [str(r) for r in decision.deciding] == ["inline policy guard, statement Sid NoReads (#1)"]


def test_no_policies_means_implicit_deny():
    assert evaluate(req(), []).decision == "implicit-deny"


def test_action_names_are_case_insensitive():
    assert evaluate(req(action="S3:getobject"), [policy(allow("s3:GetObject"))]).allowed
    assert evaluate(req(), [policy(allow("S3:GETOBJECT"))]).allowed


@pytest.mark.parametrize(("pattern", "action", "allowed"), [
    ("s3:Get*", "s3:GetObjectAcl", True),
    ("s3:Get*", "s3:PutObject", False),
    ("s3:*Object", "s3:DeleteObject", True),
    ("s3:GetObjec?", "s3:GetObject", True),
    ("s3:GetObjec?", "s3:GetObjects", False),
    ("*", "dynamodb:DeleteTable", True),
])  # fmt: skip
def test_action_wildcards(pattern, action, allowed):
    assert evaluate(req(action=action), [policy(allow(pattern, "*"))]).allowed is allowed


def test_resource_wildcards_distinguish_bucket_from_objects():
    p = policy(allow("s3:*", f"{UPLOADS}/*"))
    assert evaluate(req(resource=f"{UPLOADS}/a/b/c.txt"), [p]).allowed
    assert not evaluate(req(action="s3:ListBucket", resource=UPLOADS), [p]).allowed
    assert not evaluate(req(resource="arn:aws:s3:::uploads-bucket-2/a"), [p]).allowed


def test_resource_question_mark_matches_one_character():
    p = policy(allow("sqs:SendMessage", f"arn:aws:sqs:us-east-1:{ACCOUNT}:orders-?"))
    assert evaluate(req("sqs:SendMessage", f"arn:aws:sqs:us-east-1:{ACCOUNT}:orders-1"), [p]).allowed
    assert not evaluate(req("sqs:SendMessage", f"arn:aws:sqs:us-east-1:{ACCOUNT}:orders-10"), [p]).allowed


def test_not_action_allows_everything_except_the_listed_actions():
    p = policy({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"})
    assert evaluate(req(action="s3:PutObject"), [p]).allowed
    assert not evaluate(req(action="iam:CreateUser", resource="*"), [p]).allowed


def test_not_action_deny_denies_everything_else():
    p = policy(allow("*", "*"), {"Effect": "Deny", "NotAction": "s3:GetObject", "Resource": "*"})
    assert evaluate(req(), [p]).allowed
    assert evaluate(req(action="s3:PutObject"), [p]).decision == "explicit-deny"


def test_not_resource_deny_protects_everything_but_one_bucket():
    p = policy(allow("s3:*", "*"), {"Effect": "Deny", "Action": "s3:*", "NotResource": [UPLOADS, f"{UPLOADS}/*"]})
    assert evaluate(req(), [p]).allowed
    assert evaluate(req(resource="arn:aws:s3:::payroll/x"), [p]).decision == "explicit-deny"


def test_statement_with_unknown_effect_is_ignored_and_reported():
    decision = evaluate(req(), [policy({"Effect": "Permit", "Action": "*", "Resource": "*"})])
    assert decision.decision == "implicit-deny" and "neither Allow nor Deny" in decision.notes[0]


def test_request_can_be_given_as_a_tuple():
    decision = evaluate((ROLE, "s3:GetObject", f"{UPLOADS}/x", {}), policy(allow()))
    assert decision.allowed


def test_raw_dicts_and_json_strings_are_accepted_as_policies():
    raw = {"Version": "2012-10-17", "Statement": allow()}
    decision = evaluate(req(), [raw, '{"Statement": []}'])
    assert decision.allowed and str(decision.deciding[0]) == "policy #1, statement #1"


# ---------------------------------------------------------------- conditions


def cond(condition, effect=allow):
    return policy(effect(Condition=condition))


def test_bool_condition_compares_strings_and_booleans():
    p = cond({"Bool": {"aws:SecureTransport": "true"}})
    assert evaluate(req(**{"aws:SecureTransport": True}), [p]).allowed
    assert evaluate(req(**{"aws:securetransport": "true"}), [p]).allowed
    assert not evaluate(req(**{"aws:SecureTransport": False}), [p]).allowed


def test_condition_on_missing_key_is_false_but_if_exists_is_true():
    assert not evaluate(req(), [cond({"Bool": {"aws:SecureTransport": "true"}})]).allowed
    assert evaluate(req(), [cond({"BoolIfExists": {"aws:SecureTransport": "true"}})]).allowed
    assert not evaluate(
        req(**{"aws:SecureTransport": False}), [cond({"BoolIfExists": {"aws:SecureTransport": "true"}})]
    ).allowed


def test_tls_only_deny_denies_plain_http_and_lets_tls_through():
    p = policy(
        allow("s3:*", "*"), deny("s3:*", [UPLOADS, f"{UPLOADS}/*"], Condition={"Bool": {"aws:SecureTransport": False}})
    )
    assert evaluate(req(**{"aws:SecureTransport": False}), [p]).decision == "explicit-deny"
    assert evaluate(req(**{"aws:SecureTransport": True}), [p]).allowed


def test_string_equals_is_case_sensitive_and_ignore_case_is_not():
    assert not evaluate(
        req(**{"aws:PrincipalTag/team": "Data"}), [cond({"StringEquals": {"aws:PrincipalTag/team": "data"}})]
    ).allowed
    assert evaluate(
        req(**{"aws:PrincipalTag/team": "Data"}), [cond({"StringEqualsIgnoreCase": {"aws:PrincipalTag/team": "data"}})]
    ).allowed


def test_condition_keys_are_case_insensitive():
    assert evaluate(
        req(**{"AWS:PRINCIPALTAG/TEAM": "data"}), [cond({"StringEquals": {"aws:PrincipalTag/team": "data"}})]
    ).allowed


def test_multiple_values_are_or_and_multiple_keys_are_and():
    p = cond({"StringEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"], "aws:PrincipalTag/team": "data"}})
    assert evaluate(req(**{"aws:RequestedRegion": "eu-west-1", "aws:PrincipalTag/team": "data"}), [p]).allowed
    assert not evaluate(req(**{"aws:RequestedRegion": "eu-west-1", "aws:PrincipalTag/team": "web"}), [p]).allowed


def test_negated_operator_with_several_values_must_match_none():
    p = cond({"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}, effect=deny)
    both = [policy(allow()), p]
    assert evaluate(req(**{"aws:RequestedRegion": "ap-south-1"}), both).decision == "explicit-deny"
    assert evaluate(req(**{"aws:RequestedRegion": "eu-west-1"}), both).allowed


def test_negated_operator_on_missing_key_is_true():
    p = [policy(allow()), cond({"StringNotEquals": {"aws:PrincipalOrgID": "o-123"}}, effect=deny)]
    assert evaluate(req(), p).decision == "explicit-deny"


def test_string_like_wildcards():
    p = cond({"StringLike": {"s3:prefix": ["home/*", "shared/?"]}})
    assert evaluate(req(**{"s3:prefix": "home/alice/notes"}), [p]).allowed
    assert evaluate(req(**{"s3:prefix": "shared/a"}), [p]).allowed
    assert not evaluate(req(**{"s3:prefix": "shared/ab"}), [p]).allowed
    assert evaluate(req(**{"s3:prefix": "tmp"}), [cond({"StringNotLike": {"s3:prefix": "home/*"}})]).allowed


def test_arn_like_and_arn_equals():
    p = cond({"ArnLike": {"aws:SourceArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:*"}})
    assert evaluate(req(**{"aws:SourceArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts"}), [p]).allowed
    assert not evaluate(req(**{"aws:SourceArn": "arn:aws:sns:us-east-1:999999999999:alerts"}), [p]).allowed
    q = cond({"ArnEquals": {"aws:SourceArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts"}})
    assert evaluate(req(**{"aws:SourceArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts"}), [q]).allowed


@pytest.mark.parametrize(("operator", "value", "allowed"), [
    ("NumericLessThan", 5, True), ("NumericLessThan", 10, False), ("NumericLessThanEquals", 10, True),
    ("NumericGreaterThan", 11, True), ("NumericGreaterThanEquals", 9, False), ("NumericEquals", "10", True),
    ("NumericNotEquals", 10, False),
])  # fmt: skip
def test_numeric_conditions(operator, value, allowed):
    p = cond({operator: {"s3:max-keys": "10"}})
    assert evaluate(req(**{"s3:max-keys": value}), [p]).allowed is allowed


def test_date_conditions():
    p = cond({"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}})
    assert evaluate(req(**{"aws:CurrentTime": "2026-11-22T10:00:00Z"}), [p]).allowed
    assert not evaluate(req(**{"aws:CurrentTime": "2031-01-01T00:00:00Z"}), [p]).allowed


def test_ip_address_conditions():
    p = cond({"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}})
    assert evaluate(req(**{"aws:SourceIp": "203.0.113.7"}), [p]).allowed
    assert evaluate(req(**{"aws:SourceIp": "2001:db8::1"}), [p]).allowed
    assert not evaluate(req(**{"aws:SourceIp": "198.51.100.1"}), [p]).allowed
    q = cond({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}})
    assert evaluate(req(**{"aws:SourceIp": "198.51.100.1"}), [q]).allowed


def test_null_condition_tests_presence():
    mfa_absent = cond({"Null": {"aws:MultiFactorAuthAge": "true"}})
    assert evaluate(req(), [mfa_absent]).allowed
    assert not evaluate(req(**{"aws:MultiFactorAuthAge": 30}), [mfa_absent]).allowed
    mfa_present = cond({"Null": {"aws:MultiFactorAuthAge": False}})
    assert evaluate(req(**{"aws:MultiFactorAuthAge": 30}), [mfa_present]).allowed


def test_for_any_value_needs_one_matching_request_value():
    p = cond({"ForAnyValue:StringEquals": {"aws:TagKeys": ["env", "team"]}})
    assert evaluate(req(**{"aws:TagKeys": ["cost", "env"]}), [p]).allowed
    assert not evaluate(req(**{"aws:TagKeys": ["cost"]}), [p]).allowed
    assert not evaluate(req(), [p]).allowed  # missing key: no value matches


def test_for_all_values_needs_every_request_value_listed_and_holds_when_key_missing():
    p = cond({"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}})
    assert evaluate(req(**{"aws:TagKeys": ["env", "team"]}), [p]).allowed
    assert not evaluate(req(**{"aws:TagKeys": ["env", "cost"]}), [p]).allowed
    assert evaluate(req(), [p]).allowed


def test_unknown_condition_operator_makes_statement_not_apply_and_is_reported():
    decision = evaluate(req(), [cond({"StringSortOfEquals": {"aws:username": "x"}})])
    assert decision.decision == "implicit-deny"
    assert "StringSortOfEquals" in decision.notes[0] and "not one AWS defines" in decision.notes[0]


def test_operator_names_in_other_letter_case_are_understood():
    assert evaluate(req(**{"aws:SecureTransport": True}), [cond({"bool": {"aws:SecureTransport": "true"}})]).allowed


def test_policy_variables_are_resolved_from_the_request():
    p = policy(allow("s3:*", "arn:aws:s3:::home/${aws:username}/*"))
    alice = f"arn:aws:iam::{ACCOUNT}:user/alice"
    assert evaluate(req(resource="arn:aws:s3:::home/alice/notes.txt", principal=alice), [p]).allowed
    assert not evaluate(req(resource="arn:aws:s3:::home/bob/notes.txt", principal=alice), [p]).allowed
    assert not evaluate(req(resource="arn:aws:s3:::home/alice/notes.txt"), [p]).allowed  # no user: no match


def test_policy_variables_are_literal_in_old_policy_version():
    p = policy(allow("s3:*", "arn:aws:s3:::home/${aws:username}/*"), version="2008-10-17")
    assert not evaluate(
        req(resource="arn:aws:s3:::home/alice/x", principal=f"arn:aws:iam::{ACCOUNT}:user/alice"), [p]
    ).allowed


# ---------------------------------------------------------------- resource policies and trust policies


def test_resource_policy_principal_must_match_the_caller():
    bucket_policy = PolicyDocument(
        "uploads-bucket",
        {"Statement": [allow(Principal={"AWS": ROLE})]},
        "bucket policy of",
    )
    assert evaluate(req(principal=ROLE), [bucket_policy]).allowed
    assert evaluate(req(principal=f"arn:aws:sts::{ACCOUNT}:assumed-role/app/session-1"), [bucket_policy]).allowed
    assert not evaluate(req(principal=f"arn:aws:iam::{ACCOUNT}:role/other"), [bucket_policy]).allowed


def test_public_resource_policy_matches_anyone():
    p = policy(allow(Principal="*"))
    assert evaluate(req(), [p]).allowed and evaluate(req(principal=ROLE), [p]).allowed


def test_account_principal_matches_principals_of_that_account():
    p = policy(allow(Principal={"AWS": ACCOUNT}))
    assert evaluate(req(principal=ROLE), [p]).allowed
    assert not evaluate(req(principal="arn:aws:iam::999999999999:role/app"), [p]).allowed


def test_not_principal_deny_exempts_the_named_principal():
    p = policy(allow(Principal="*"), deny(NotPrincipal={"AWS": ROLE}))
    assert evaluate(req(principal=ROLE), [p]).allowed
    assert evaluate(req(principal=f"arn:aws:iam::{ACCOUNT}:role/other"), [p]).decision == "explicit-deny"


LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def test_trust_policy_lets_the_named_service_assume_the_role():
    assert can_assume(LAMBDA_TRUST, "lambda.amazonaws.com")
    assert not can_assume(LAMBDA_TRUST, "ec2.amazonaws.com")
    assert not can_assume(LAMBDA_TRUST, ROLE)


def test_trust_policy_accepts_service_lists_and_json_strings():
    import json

    doc = {
        "Statement": {
            "Effect": "Allow",
            "Principal": {"Service": ["ec2.amazonaws.com", "lambda.amazonaws.com"]},
            "Action": ["sts:AssumeRole"],
        }
    }
    assert can_assume(json.dumps(doc), "lambda.amazonaws.com")


def test_trust_policy_for_an_account_or_role():
    account_trust = {
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}
        ]
    }
    assert can_assume(account_trust, ROLE) and can_assume(account_trust, ACCOUNT)
    assert not can_assume(account_trust, "arn:aws:iam::999999999999:user/eve")


def test_trust_policy_conditions_and_other_actions():
    doc = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": "cognito-identity.amazonaws.com"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": "pool-1"}},
            }
        ]
    }
    ctx = {"cognito-identity.amazonaws.com:aud": "pool-1"}
    assert can_assume(doc, "cognito-identity.amazonaws.com", action="sts:AssumeRoleWithWebIdentity", context=ctx)
    assert not can_assume(doc, "cognito-identity.amazonaws.com", context=ctx)  # plain AssumeRole is not allowed
    assert not can_assume(doc, "cognito-identity.amazonaws.com", action="sts:AssumeRoleWithWebIdentity")


# ---------------------------------------------------------------- explanations


def test_explain_names_the_allowing_statement():
    text = explain(req(), [policy(dict(allow(), Sid="AllowRead"), name="read-uploads")])
    assert text.startswith("Allowed: inline policy read-uploads, statement Sid AllowRead (#1) allows s3:GetObject")


def test_explain_names_the_denying_statement_and_says_deny_wins():
    text = explain(req(), [policy(allow("*", "*"), name="admin"), policy(dict(deny(), Sid="NoReads"), name="guard")])
    assert "Denied explicitly: inline policy guard, statement Sid NoReads (#1) denies s3:GetObject" in text
    assert "overrides any Allow" in text


def test_explain_implicit_deny_points_at_the_closest_statement():
    text = explain(req(resource="arn:aws:s3:::other/x"), [policy(dict(allow(), Sid="AllowRead"), name="read-uploads")])
    assert text.startswith("Denied implicitly: no statement allows s3:GetObject on arn:aws:s3:::other/x")
    assert "Sid AllowRead (#1) covers the action but not this resource" in text


def test_explain_mentions_a_condition_that_does_not_hold_and_unknown_operators():
    text = explain(req(), [cond({"Bool": {"aws:SecureTransport": "true"}})])
    assert "Condition does not hold" in text
    text = explain(req(), [cond({"StringSortOfEquals": {"k": "v"}})])
    assert "Note:" in text and "StringSortOfEquals" in text
