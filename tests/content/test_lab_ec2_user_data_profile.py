"""ec2-user-data-profile graded against a real sandbox: other correct solutions pass, plausible mistakes fail
exactly the checks they should."""

import base64
import json

from fixtures.labs import failing

from tutor.content import load_catalog

LAB = "ec2-user-data-profile"
BUCKET_ARN = "arn:aws:s3:::shelfwise-web-assets"

EC2_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
PRECISE = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": BUCKET_ARN},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{BUCKET_ARN}/*"},
    ],
}
DNF_SCRIPT = "#!/bin/bash\ndnf install -y httpd\nsystemctl start httpd\n"


def ami(ec2):
    return ec2.describe_images(Owners=["self"])["Images"][0]["ImageId"]


def build(
    ctx,
    *,
    trust=EC2_TRUST,
    policy=PRECISE,
    managed_arn=None,
    user_data=DNF_SCRIPT,
    tokens="required",
    instance_type="t3.micro",
):
    """boto3 build with switches for the mistakes."""
    iam, ec2 = ctx.client("iam"), ctx.client("ec2")
    iam.create_role(RoleName="web-role", AssumeRolePolicyDocument=json.dumps(trust))
    if managed_arn:
        iam.attach_role_policy(RoleName="web-role", PolicyArn=managed_arn)
    else:
        iam.put_role_policy(RoleName="web-role", PolicyName="assets", PolicyDocument=json.dumps(policy))
    iam.create_instance_profile(InstanceProfileName="web-profile")
    iam.add_role_to_instance_profile(InstanceProfileName="web-profile", RoleName="web-role")
    ec2.run_instances(
        ImageId=ami(ec2),
        MinCount=1,
        MaxCount=1,
        InstanceType=instance_type,
        UserData=user_data,
        IamInstanceProfile={"Name": "web-profile"},
        MetadataOptions={"HttpTokens": tokens},
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "web-1"}]}],
    )


def test_boto3_managed_policy_associate_later_and_apt_passes(lab_session):
    """A customer managed policy with one merged statement, the profile and IMDSv2 applied after launch,
    and an apt-installed nginx (Debian starts it by itself)."""
    ctx = lab_session.solve_context()
    iam, ec2 = ctx.client("iam"), ctx.client("ec2")
    iam.create_instance_profile(InstanceProfileName="web-profile")
    iam.create_role(
        RoleName="web-role",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": {
                    "Effect": "Allow",
                    "Principal": {"Service": ["ec2.amazonaws.com"]},
                    "Action": ["sts:AssumeRole"],
                },
            }
        ),
    )
    arn = iam.create_policy(
        PolicyName="web-assets-read",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["s3:GetObject", "s3:ListBucket"],
                        "Resource": [BUCKET_ARN, f"{BUCKET_ARN}/*"],
                    }
                ],
            }
        ),
    )["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="web-role", PolicyArn=arn)
    iam.add_role_to_instance_profile(InstanceProfileName="web-profile", RoleName="web-role")
    script = "#!/usr/bin/env bash\nset -e\napt-get update\napt-get install -y \\\n  nginx\n"
    instance = ec2.run_instances(ImageId=ami(ec2), MinCount=1, MaxCount=1, InstanceType="t3.micro", UserData=script)[
        "Instances"
    ][0]["InstanceId"]
    ec2.create_tags(Resources=[instance], Tags=[{"Key": "Name", "Value": "web-1"}])
    ec2.associate_iam_instance_profile(InstanceId=instance, IamInstanceProfile={"Name": "web-profile"})
    ec2.modify_instance_metadata_options(InstanceId=instance, HttpTokens="required", HttpEndpoint="enabled")
    assert failing(lab_session) == set()


def test_cli_cloud_config_and_profile_arn_passes(lab_session):
    ctx = lab_session.solve_context()
    ctx.write("trust.json", json.dumps(EC2_TRUST))
    ctx.aws("iam create-role --role-name web-role --assume-role-policy-document file://trust.json")
    ctx.write("p.json", json.dumps(PRECISE))
    ctx.aws("iam put-role-policy --role-name web-role --policy-name read --policy-document file://p.json")
    profile_arn = ctx.aws(
        "iam create-instance-profile --instance-profile-name web-profile --query InstanceProfile.Arn --output text"
    ).stdout.strip()
    ctx.aws("iam add-role-to-instance-profile --instance-profile-name web-profile --role-name web-role")
    ctx.write("cloud.yaml", "#cloud-config\npackages:\n  - httpd\nruncmd:\n  - [systemctl, enable, --now, httpd]\n")
    image = ami(ctx.client("ec2"))
    ctx.aws(
        f"ec2 run-instances --image-id {image} --instance-type t3.micro "
        f"--iam-instance-profile Arn={profile_arn} --metadata-options HttpTokens=required "
        "--user-data file://cloud.yaml "
        "--tag-specifications ResourceType=instance,Tags=[{Key=Name,Value=web-1}]"
    )
    assert failing(lab_session) == set()


def test_copy_of_s3_read_only_access_reads_every_bucket(lab_session):
    """The sandbox does not load AWS managed policies (attaching AmazonS3ReadOnlyAccess answers NoSuchEntity),
    so the mistake is its document as a customer managed policy: s3:Get* and s3:List* on every bucket."""
    ctx = lab_session.solve_context()
    arn = ctx.client("iam").create_policy(
        PolicyName="AmazonS3ReadOnlyAccessCopy",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"}],
            }
        ),
    )["Policy"]["Arn"]
    build(ctx, managed_arn=arn)
    assert failing(lab_session) == {"role-s3-read"}


def test_get_object_on_every_bucket(lab_session):
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": BUCKET_ARN},
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
        ],
    }
    build(lab_session.solve_context(), policy=policy)
    assert failing(lab_session) == {"role-s3-read"}


def test_role_trusted_by_lambda(lab_session):
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    build(lab_session.solve_context(), trust=trust)
    assert failing(lab_session) == {"role-trust"}


def test_imdsv1_still_allowed(lab_session):
    build(lab_session.solve_context(), tokens="optional")
    assert failing(lab_session) == {"imdsv2"}


def test_user_data_enables_but_never_starts(lab_session):
    build(lab_session.solve_context(), user_data="#!/bin/bash\nyum -y install httpd\nsystemctl enable httpd\n")
    assert failing(lab_session) == {"user-data"}


def test_user_data_encoded_twice(lab_session):
    build(lab_session.solve_context(), user_data=base64.b64encode(DNF_SCRIPT.encode()).decode())
    assert failing(lab_session) == {"user-data"}


def test_user_data_without_shebang(lab_session):
    build(lab_session.solve_context(), user_data="dnf install -y nginx\nsystemctl start nginx\n")
    assert failing(lab_session) == {"user-data"}


def test_wrong_instance_type(lab_session):
    build(lab_session.solve_context(), instance_type="t2.micro")
    assert failing(lab_session) == {"instance"}


def test_user_data_checker_reads_common_spellings():
    """Unit-level: the user-data reader accepts the usual spellings and refuses near misses."""
    from tutor.grading.checks import load_python_check

    lab = load_catalog().labs[LAB]
    module = __import__("sys").modules[load_python_check(lab.folder, "checks:user_data_web_server").__module__]

    def verdict(text):
        if text.startswith("#cloud-config"):
            installed, started, auto = module._cloud_config(text)
        else:
            installed, started, auto = module._analyse_commands(module._script_lines(text))
        return bool(installed & (started | auto))

    assert verdict("#!/bin/bash\nyum install -y httpd && systemctl start httpd.service\n")
    assert verdict("#!/bin/sh\nsudo dnf -y install nginx\nsudo systemctl --now enable nginx\n")
    assert verdict("#!/bin/bash\namazon-linux-extras install -y nginx1\nservice nginx start\n")
    assert verdict("#!/bin/bash\napt install -y apache2\n")
    assert not verdict("#!/bin/bash\n# dnf install -y httpd\n# systemctl start httpd\n")
    assert not verdict("#!/bin/bash\ndnf install -y httpd\nsystemctl start nginx\n")
    assert not verdict("#!/bin/bash\ndnf install -y httpd-tools\nsystemctl start httpd\n")
