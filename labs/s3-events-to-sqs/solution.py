"""Reference solution for s3-events-to-sqs, with the AWS CLI as a learner would type it."""

import json

ACCOUNT = "123456789012"
BUCKET = "acme-photo-uploads"
QUEUE_ARN = f"arn:aws:sqs:us-east-1:{ACCOUNT}:thumbnail-jobs"

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AllowPhotoUploadsBucket",
            "Effect": "Allow",
            "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": QUEUE_ARN,
            "Condition": {
                "ArnEquals": {"aws:SourceArn": f"arn:aws:s3:::{BUCKET}"},
                "StringEquals": {"aws:SourceAccount": ACCOUNT},
            },
        }
    ],
}

NOTIFICATION = {
    "QueueConfigurations": [
        {
            "Id": "new-jpg-uploads",
            "QueueArn": QUEUE_ARN,
            "Events": ["s3:ObjectCreated:*"],
            "Filter": {
                "Key": {
                    "FilterRules": [
                        {"Name": "prefix", "Value": "uploads/"},
                        {"Name": "suffix", "Value": ".jpg"},
                    ]
                }
            },
        }
    ]
}


def solve(ctx):
    ctx.aws(f"s3 mb s3://{BUCKET}")
    url = ctx.aws_json("sqs create-queue --queue-name thumbnail-jobs")["QueueUrl"]
    ctx.write("queue-attributes.json", json.dumps({"Policy": json.dumps(POLICY)}))
    ctx.aws(f"sqs set-queue-attributes --queue-url {url} --attributes file://queue-attributes.json")
    ctx.write("notification.json", json.dumps(NOTIFICATION, indent=2))
    ctx.aws(
        f"s3api put-bucket-notification-configuration --bucket {BUCKET} "
        "--notification-configuration file://notification.json"
    )
