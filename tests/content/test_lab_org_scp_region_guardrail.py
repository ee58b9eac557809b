"""Independent solutions and plausible mistakes for the org-scp-region-guardrail lab, graded in a real sandbox."""

import json

import pytest
from fixtures.labs import failing, message

LAB = "org-scp-region-guardrail"
GLOBAL = ["iam:*", "sts:*", "organizations:*", "route53:*", "cloudfront:*"]


def deny(not_action=GLOBAL, regions=("us-east-1", "eu-west-1"), operator="StringNotEquals", action=None):
    statement = {"Effect": "Deny", "Resource": "*", "Condition": {operator: {"aws:RequestedRegion": list(regions)}}}
    if action:
        statement["Action"] = action
    else:
        statement["NotAction"] = not_action
    return statement


def build(session, statements, *, attach_to="ou", parent_ou=None):
    """boto3: organization, OU workloads, an SCP of these statements attached to `attach_to`."""
    org = session.sandbox.client("organizations")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    parent = root
    if parent_ou:
        parent = org.create_organizational_unit(ParentId=root, Name=parent_ou)["OrganizationalUnit"]["Id"]
    ou = org.create_organizational_unit(ParentId=parent, Name="workloads")["OrganizationalUnit"]["Id"]
    policy = org.create_policy(
        Name="region-guardrail",
        Type="SERVICE_CONTROL_POLICY",
        Description="guardrail",
        Content=json.dumps({"Version": "2012-10-17", "Statement": statements}),
    )
    org.attach_policy(PolicyId=policy["Policy"]["PolicySummary"]["Id"], TargetId=root if attach_to == "root" else ou)
    return org, root, ou


# ------------------------------------------------------------------ correct variants


def test_untouched_fails_everything(lab_session):
    assert failing(lab_session) == {
        "organization",
        "ou-workloads",
        "denies-other-regions",
        "allows-approved-regions",
        "global-services-exempt",
        "attached-to-workloads",
    }


def test_boto3_with_extra_guardrail_and_reordered_regions(lab_session):
    build(
        lab_session,
        [
            deny(regions=("eu-west-1", "us-east-1")),
            {"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"},
        ],
    )
    assert failing(lab_session) == set()


def test_cli_policy_first_then_ou_string_values(lab_session):
    ctx = lab_session.solve_context()
    ctx.aws("organizations create-organization --feature-set ALL")
    ctx.write(
        "scp.json",
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "Regions",
                        "Effect": "Deny",
                        "NotAction": GLOBAL + ["support:*", "budgets:*"],
                        "Resource": ["*"],
                        "Condition": {"StringNotEqualsIgnoreCase": {"aws:RequestedRegion": ["US-EAST-1", "eu-west-1"]}},
                    }
                ],
            }
        ),
    )
    policy = ctx.aws_json(
        "organizations create-policy --name region-guardrail --type SERVICE_CONTROL_POLICY "
        "--description guard --content file://scp.json"
    )["Policy"]["PolicySummary"]["Id"]
    root = ctx.aws_json("organizations list-roots")["Roots"][0]["Id"]
    ou = ctx.aws_json(f"organizations create-organizational-unit --parent-id {root} --name workloads")
    ctx.aws(f"organizations attach-policy --policy-id {policy} --target-id {ou['OrganizationalUnit']['Id']}")
    assert failing(lab_session) == set()


# ------------------------------------------------------------------ mistakes


def test_naive_deny_blocks_global_services(lab_session):
    build(lab_session, [deny(action="*")])
    assert failing(lab_session) == {"global-services-exempt"}


def test_only_one_region_approved(lab_session):
    build(lab_session, [deny(regions=("us-east-1",))])
    assert failing(lab_session) == {"allows-approved-regions"}


def test_inverted_condition(lab_session):
    build(lab_session, [deny(operator="StringEquals")])
    assert failing(lab_session) == {"denies-other-regions", "allows-approved-regions"}


def test_s3_exempted_too(lab_session):
    build(lab_session, [deny(not_action=GLOBAL + ["s3:*"])])
    assert failing(lab_session) == {"denies-other-regions"}


def test_attached_to_root_instead_of_ou(lab_session):
    build(lab_session, [deny()], attach_to="root")
    assert failing(lab_session) == {"attached-to-workloads"}


def test_ou_nested_under_another_ou(lab_session):
    build(lab_session, [deny()], parent_ou="prod")
    assert failing(lab_session) == {"ou-workloads", "attached-to-workloads"}


def test_full_aws_access_detached(lab_session):
    org, _, ou = build(lab_session, [deny()])
    org.detach_policy(PolicyId="p-FullAWSAccess", TargetId=ou)
    assert failing(lab_session) == {"allows-approved-regions", "global-services-exempt"}


# Exemptions the old fixed probes (five actions) never named: every action the SCP names is decided.
@pytest.mark.parametrize("exempted", [["kms:*"], ["config:*"], ["acm:*"], ["ec2:Describe*"], ["secretsmanager:*"]])
def test_exempting_a_regional_service_fails_only_denies_other_regions(lab_session, exempted):
    build(lab_session, [deny(not_action=GLOBAL + exempted)])
    assert failing(lab_session) == {"denies-other-regions"}
    assert exempted[0] in message(lab_session, "denies-other-regions")


def test_deny_list_of_some_services_misses_the_others(lab_session):
    build(lab_session, [deny(action=["ec2:*", "s3:*", "lambda:*", "dynamodb:*", "rds:*"])])
    assert failing(lab_session) == {"denies-other-regions"}


def test_allow_back_statement_does_not_undo_a_deny(lab_session):
    build(lab_session, [deny(), {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}])
    assert failing(lab_session) == set()
