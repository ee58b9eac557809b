"""Plant the incident: a public bucket, a database open to the world, and an admin user whose key leaked."""

import json
from pathlib import Path

BUCKET = "customer-exports"
USER = "ci-deployer"
ADMIN_AWS_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
RECORD = "fix-the-breach.json"

PUBLIC_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ShareExportsWithPartners",
            "Effect": "Allow",
            "Principal": "*",
            "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],
        }
    ],
}
ADMIN_DOCUMENT = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def _attach_admin(iam):
    """Attach AdministratorAccess. The sandbox does not load AWS managed policies by default, so when the
    AWS one is missing an identical customer managed copy stands in for it (same name, same document)."""
    try:
        iam.attach_user_policy(UserName=USER, PolicyArn=ADMIN_AWS_ARN)
        return ADMIN_AWS_ARN
    except iam.exceptions.NoSuchEntityException:
        arn = iam.create_policy(
            PolicyName="AdministratorAccess",
            PolicyDocument=json.dumps(ADMIN_DOCUMENT),
            Description="Provides full access to AWS services and resources.",
        )["Policy"]["Arn"]
        iam.attach_user_policy(UserName=USER, PolicyArn=arn)
        return arn


def record_paths(sandbox, workspace):
    """Where the id of the leaked key is kept: the sandbox's state folder (out of the learner's way) and the
    workspace, as a fallback. Checks read them in this order."""
    paths = []
    state_dir = getattr(sandbox, "state_dir", None)
    if state_dir is not None:
        paths.append(Path(state_dir) / "labs" / RECORD)
    paths.append(Path(workspace) / ".incident" / RECORD)
    return paths


def setup(ctx):
    s3 = ctx.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_public_access_block(
        Bucket=BUCKET,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": False,
            "IgnorePublicAcls": False,
            "BlockPublicPolicy": False,
            "RestrictPublicBuckets": False,
        },
    )
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(PUBLIC_POLICY))
    s3.put_object(Bucket=BUCKET, Key="2025-06/customers.csv", Body=b"id,name,email\n1,Ada,ada@example.com\n")

    ec2 = ctx.client("ec2")
    vpc = ec2.create_vpc(
        CidrBlock="10.40.0.0/16",
        TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "orders-vpc"}]}],
    )["Vpc"]["VpcId"]
    app = ec2.create_security_group(GroupName="app-sg", Description="Order service tasks", VpcId=vpc)["GroupId"]
    db = ec2.create_security_group(GroupName="db-sg", Description="Orders PostgreSQL", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=db,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 5432,
                "ToPort": 5432,
                "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "temporary debugging"}],
            }
        ],
    )

    iam = ctx.client("iam")
    iam.create_user(UserName=USER, Tags=[{"Key": "team", "Value": "platform"}])
    admin_arn = _attach_admin(iam)
    key = iam.create_access_key(UserName=USER)["AccessKey"]["AccessKeyId"]

    record = json.dumps({"leaked_key": key, "user": USER, "vpc": vpc, "app_sg": app, "db_sg": db})
    for path in record_paths(ctx.sandbox, ctx.workspace):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(record, encoding="utf-8")

    ctx.write("findings.md", FINDINGS.format(key=key, admin_arn=admin_arn, vpc=vpc, db=db, app=app))


FINDINGS = """\
# Incident NB-2291: audit findings (read-only copy)

Reported by the security team at 06:12 UTC. Account 123456789012, us-east-1.

| # | Resource | Finding | Severity |
|---|----------|---------|----------|
| F1 | S3 bucket `customer-exports` | Its bucket policy grants read and list to every principal, and all four Block Public Access settings are off. The bucket is readable by anyone on the internet. | critical |
| F2 | Security group `db-sg` ({db}) in VPC {vpc} | Inbound TCP 5432 is open to 0.0.0.0/0. The orders database should only be reached by the application tier, security group `app-sg` ({app}). | high |
| F3 | IAM user `ci-deployer` | The CI user has the managed policy `{admin_arn}` attached: full administrator rights. | high |
| F4 | Access key `{key}` of `ci-deployer` | The key was committed to a public Git repository 41 minutes ago and is still active. | critical |
"""
