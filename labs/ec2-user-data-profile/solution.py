"""Reference solution for ec2-user-data-profile, with the AWS CLI as a learner would type it."""

import json

TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}

READ_ASSETS = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ListTheBucket",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": "arn:aws:s3:::shelfwise-web-assets",
        },
        {
            "Sid": "ReadObjects",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::shelfwise-web-assets/*",
        },
    ],
}

USER_DATA = """#!/bin/bash
# runs once, as root, on first boot
set -euo pipefail
dnf install -y httpd
echo "<h1>Shelfwise web-1</h1>" > /var/www/html/index.html
systemctl enable --now httpd
"""


def solve(ctx):
    ctx.write("trust.json", json.dumps(TRUST))
    ctx.aws("iam create-role --role-name web-role --assume-role-policy-document file://trust.json")
    ctx.write("read-assets.json", json.dumps(READ_ASSETS))
    ctx.aws(
        "iam put-role-policy --role-name web-role --policy-name read-web-assets "
        "--policy-document file://read-assets.json"
    )
    ctx.aws("iam create-instance-profile --instance-profile-name web-profile")
    ctx.aws("iam add-role-to-instance-profile --instance-profile-name web-profile --role-name web-role")

    ami = ctx.aws(
        "ec2 describe-images --owners self --filters Name=name,Values=shelfwise-al2023-base "
        "--query Images[0].ImageId --output text"
    ).stdout.strip()
    ctx.write("web.sh", USER_DATA)
    ctx.aws(
        f"ec2 run-instances --image-id {ami} --instance-type t3.micro --count 1 "
        "--iam-instance-profile Name=web-profile "
        "--metadata-options HttpTokens=required,HttpEndpoint=enabled "
        "--user-data file://web.sh "
        "--tag-specifications 'ResourceType=instance,Tags=[{Key=Name,Value=web-1}]'"
    )
