"""Independent fixes and plausible mistakes for the fix-the-breach lab, graded in a real sandbox."""

import json

from fixtures.labs import failing

LAB = "fix-the-breach"
BUCKET = "customer-exports"
USER = "ci-deployer"
ALL = {
    "bucket-not-public",
    "bucket-public-access-block",
    "db-not-world-open",
    "db-from-app",
    "user-not-admin",
    "leaked-key-disabled",
}


# ------------------------------------------------------------------ one boto3 fix per finding


def groups(session):
    ec2 = session.sandbox.client("ec2")
    found = {g["GroupName"]: g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"]}
    return found["db-sg"], found["app-sg"]


def fix_bucket_policy(session):
    session.sandbox.client("s3").delete_bucket_policy(Bucket=BUCKET)


def fix_public_access_block(session):
    session.sandbox.client("s3").put_public_access_block(
        Bucket=BUCKET,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )


def revoke_world(session):
    db, _ = groups(session)
    session.sandbox.client("ec2").revoke_security_group_ingress(
        GroupId=db,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )


def allow_app(session, protocol="tcp", from_port=5432, to_port=5432):
    db, app = groups(session)
    session.sandbox.client("ec2").authorize_security_group_ingress(
        GroupId=db,
        IpPermissions=[
            {"IpProtocol": protocol, "FromPort": from_port, "ToPort": to_port, "UserIdGroupPairs": [{"GroupId": app}]}
        ],
    )


def detach_admin(session):
    iam = session.sandbox.client("iam")
    for policy in iam.list_attached_user_policies(UserName=USER)["AttachedPolicies"]:
        iam.detach_user_policy(UserName=USER, PolicyArn=policy["PolicyArn"])


def leaked_key(session):
    return session.sandbox.client("iam").list_access_keys(UserName=USER)["AccessKeyMetadata"][0]["AccessKeyId"]


def deactivate_key(session):
    session.sandbox.client("iam").update_access_key(UserName=USER, AccessKeyId=leaked_key(session), Status="Inactive")


FIXES = {
    "bucket-not-public": fix_bucket_policy,
    "bucket-public-access-block": fix_public_access_block,
    "db-not-world-open": revoke_world,
    "db-from-app": allow_app,
    "user-not-admin": detach_admin,
    "leaked-key-disabled": deactivate_key,
}


def fix_all_but(session, *skip):
    for check, fix in FIXES.items():
        if check not in skip:
            fix(session)


# ------------------------------------------------------------------ correct variants


def test_untouched_fails_everything(lab_session):
    assert failing(lab_session) == ALL
    assert (lab_session.workspace / "findings.md").read_text().count(leaked_key(lab_session)) == 1


def test_boto3_fixes_pass(lab_session):
    fix_all_but(lab_session)
    assert failing(lab_session) == set()


def test_cli_rewrite_policy_delete_key_and_rotate(lab_session):
    """Keep a non-public policy, delete (not deactivate) the key, issue a fresh one, use a rule id to revoke."""
    ctx = lab_session.solve_context()
    key = leaked_key(lab_session)
    ctx.aws(f"iam delete-access-key --user-name {USER} --access-key-id {key}")
    ctx.aws(f"iam create-access-key --user-name {USER}")  # the pipeline gets a new key: fine
    arn = ctx.aws_json(f"iam list-attached-user-policies --user-name {USER} --query AttachedPolicies[0].PolicyArn")
    ctx.aws(f"iam detach-user-policy --user-name {USER} --policy-arn {arn}")
    ctx.write(
        "scoped.json",
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["s3:PutObject", "s3:GetObject"],
                        "Resource": "arn:aws:s3:::artifacts/*",
                    }
                ],
            }
        ),
    )
    ctx.aws(
        f"iam put-user-policy --user-name {USER} --policy-name deploy-artifacts --policy-document file://scoped.json"
    )
    ctx.write(
        "bucket.json",
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "TlsOnly",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    },
                    {
                        "Sid": "Partner",
                        "Effect": "Allow",
                        "Principal": {"AWS": "arn:aws:iam::444455556666:role/importer"},
                        "Action": "s3:GetObject",
                        "Resource": f"arn:aws:s3:::{BUCKET}/*",
                    },
                ],
            }
        ),
    )
    ctx.aws(f"s3api put-bucket-policy --bucket {BUCKET} --policy file://bucket.json")
    ctx.aws(
        f"s3api put-public-access-block --bucket {BUCKET} --public-access-block-configuration "
        '\'{"BlockPublicAcls":true,"IgnorePublicAcls":true,"BlockPublicPolicy":true,"RestrictPublicBuckets":true}\''
    )
    db, app = groups(lab_session)
    ctx.aws(
        f"ec2 authorize-security-group-ingress --group-id {db} --ip-permissions "
        f"IpProtocol=tcp,FromPort=5432,ToPort=5432,UserIdGroupPairs=[{{GroupId={app}}}]"
    )
    rules = ctx.aws_json(f"ec2 describe-security-group-rules --filters Name=group-id,Values={db}")
    world = [
        r["SecurityGroupRuleId"]
        for r in rules["SecurityGroupRules"]
        if r.get("CidrIpv4") == "0.0.0.0/0" and not r.get("IsEgress")
    ]
    assert len(world) == 1
    ctx.aws(f"ec2 revoke-security-group-ingress --group-id {db} --security-group-rule-ids {world[0]}")
    assert failing(lab_session) == set()


# ------------------------------------------------------------------ mistakes


def test_public_access_block_alone_leaves_policy_public(lab_session):
    fix_all_but(lab_session, "bucket-not-public")
    assert failing(lab_session) == {"bucket-not-public"}


def test_policy_deleted_but_blocks_still_off(lab_session):
    fix_all_but(lab_session, "bucket-public-access-block")
    assert failing(lab_session) == {"bucket-public-access-block"}


def test_only_three_blocks_on(lab_session):
    fix_all_but(lab_session, "bucket-public-access-block")
    lab_session.sandbox.client("s3").put_public_access_block(
        Bucket=BUCKET,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": False,
        },
    )
    assert failing(lab_session) == {"bucket-public-access-block"}


def test_policy_public_with_principal_aws_star(lab_session):
    fix_all_but(lab_session, "bucket-not-public")
    lab_session.sandbox.client("s3").put_bucket_policy(
        Bucket=BUCKET,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": ["*"]},
                        "Action": "s3:GetObject",
                        "Resource": f"arn:aws:s3:::{BUCKET}/*",
                    }
                ],
            }
        ),
    )
    assert failing(lab_session) == {"bucket-not-public"}


def test_app_rule_added_but_world_rule_left(lab_session):
    fix_all_but(lab_session, "db-not-world-open")
    assert failing(lab_session) == {"db-not-world-open"}


def test_ipv6_world_rule_added(lab_session):
    fix_all_but(lab_session)
    db, _ = groups(lab_session)
    lab_session.sandbox.client("ec2").authorize_security_group_ingress(
        GroupId=db,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}],
    )
    assert failing(lab_session) == {"db-not-world-open"}


def test_vpc_cidr_instead_of_app_sg(lab_session):
    fix_all_but(lab_session, "db-from-app")
    db, _ = groups(lab_session)
    lab_session.sandbox.client("ec2").authorize_security_group_ingress(
        GroupId=db, IpProtocol="tcp", FromPort=5432, ToPort=5432, CidrIp="10.40.0.0/16"
    )
    assert failing(lab_session) == {"db-not-world-open", "db-from-app"}


def test_all_traffic_from_app_sg(lab_session):
    fix_all_but(lab_session, "db-from-app")
    allow_app(lab_session, protocol="-1", from_port=-1, to_port=-1)
    assert failing(lab_session) == {"db-from-app"}


def test_admin_swapped_for_inline_star(lab_session):
    fix_all_but(lab_session)
    lab_session.sandbox.client("iam").put_user_policy(
        UserName=USER,
        PolicyName="deploy",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
        ),
    )
    assert failing(lab_session) == {"user-not-admin"}


def test_admin_moved_to_a_group(lab_session):
    fix_all_but(lab_session)
    iam = lab_session.sandbox.client("iam")
    iam.create_group(GroupName="deployers")
    arn = iam.list_policies(Scope="Local")["Policies"]
    admin = next(p["Arn"] for p in arn if p["PolicyName"] == "AdministratorAccess")
    iam.attach_group_policy(GroupName="deployers", PolicyArn=admin)
    iam.add_user_to_group(GroupName="deployers", UserName=USER)
    assert failing(lab_session) == {"user-not-admin"}


def test_wrong_key_deactivated(lab_session):
    fix_all_but(lab_session, "leaked-key-disabled")
    iam = lab_session.sandbox.client("iam")
    fresh = iam.create_access_key(UserName=USER)["AccessKey"]["AccessKeyId"]
    iam.update_access_key(UserName=USER, AccessKeyId=fresh, Status="Inactive")
    assert failing(lab_session) == {"leaked-key-disabled"}


def test_deleting_the_user_is_not_containment(lab_session):
    fix_all_but(lab_session, "leaked-key-disabled")
    iam = lab_session.sandbox.client("iam")
    iam.delete_access_key(UserName=USER, AccessKeyId=leaked_key(lab_session))
    iam.delete_user(UserName=USER)
    assert failing(lab_session) == {"user-not-admin"}
