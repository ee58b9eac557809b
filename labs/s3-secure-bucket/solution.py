"""Reference solution for s3-secure-bucket, with the AWS CLI as a learner would type it."""

import json

BUCKET = "tutor-assets"

LIFECYCLE = {
    "Rules": [
        {
            "ID": "archive-logs",
            "Status": "Enabled",
            "Filter": {"Prefix": "logs/"},
            "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}, {"Days": 90, "StorageClass": "GLACIER"}],
            "Expiration": {"Days": 365},
        }
    ]
}

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ],
}


def solve(ctx):
    ctx.aws(f"s3 mb s3://{BUCKET}")
    ctx.aws(f"s3api put-bucket-versioning --bucket {BUCKET} --versioning-configuration Status=Enabled")
    ctx.aws(
        f"s3api put-public-access-block --bucket {BUCKET} --public-access-block-configuration "
        "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true"
    )
    ctx.aws(
        f"s3api put-bucket-encryption --bucket {BUCKET} --server-side-encryption-configuration "
        '\'{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]}\''
    )
    ctx.write("lifecycle.json", json.dumps(LIFECYCLE))
    ctx.aws(
        f"s3api put-bucket-lifecycle-configuration --bucket {BUCKET} --lifecycle-configuration file://lifecycle.json"
    )
    ctx.write("policy.json", json.dumps(POLICY))
    ctx.aws(f"s3api put-bucket-policy --bucket {BUCKET} --policy file://policy.json")
