"""Reference solution for sqs-dead-letter, with the AWS CLI as a learner would type it."""

import json

DLQ_ARN = "arn:aws:sqs:us-east-1:123456789012:orders-dlq"


def solve(ctx):
    ctx.aws("sqs create-queue --queue-name orders-dlq --attributes MessageRetentionPeriod=1209600")
    attributes = {
        "VisibilityTimeout": "60",
        "MessageRetentionPeriod": "345600",
        "ReceiveMessageWaitTimeSeconds": "20",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": DLQ_ARN, "maxReceiveCount": "3"}),
    }
    ctx.write("orders-attributes.json", json.dumps(attributes, indent=2))
    ctx.aws("sqs create-queue --queue-name orders --attributes file://orders-attributes.json")
