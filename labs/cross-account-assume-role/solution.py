"""Reference solution for cross-account-assume-role, with the AWS CLI as a learner would type it."""

import json

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "LedgerlineAuditorOnly",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:role/ledgerline-auditor"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "LL-7731-nimbus"}},
        }
    ],
}

READ_EVIDENCE = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ListEvidence",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": "arn:aws:s3:::audit-evidence",
        },
        {
            "Sid": "ReadEvidence",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::audit-evidence/*",
        },
    ],
}


def solve(ctx):
    ctx.write("trust.json", json.dumps(TRUST))
    ctx.aws("iam create-role --role-name audit-readonly --assume-role-policy-document file://trust.json")
    ctx.write("read-evidence.json", json.dumps(READ_EVIDENCE))
    ctx.aws(
        "iam put-role-policy --role-name audit-readonly --policy-name read-evidence "
        "--policy-document file://read-evidence.json"
    )
