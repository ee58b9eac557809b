"""Reference solution for iam-least-privilege, with the AWS CLI as a learner would type it."""

import json

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}

PERMISSIONS = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ReadUploads",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::uploads-bucket/*",
        },
        {
            "Sid": "OwnLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/thumbnail:*",
        },
    ],
}


def solve(ctx):
    ctx.write("trust.json", json.dumps(TRUST))
    ctx.aws("iam create-role --role-name thumbnail-lambda --assume-role-policy-document file://trust.json")
    ctx.write("permissions.json", json.dumps(PERMISSIONS))
    ctx.aws(
        "iam put-role-policy --role-name thumbnail-lambda --policy-name thumbnail-permissions "
        "--policy-document file://permissions.json"
    )
