"""Reference solution for sns-fanout, with the AWS CLI as a learner would type it."""

import json

ACCOUNT = "123456789012"
TOPIC_ARN = f"arn:aws:sns:us-east-1:{ACCOUNT}:order-events"
QUEUES = ["order-fulfillment", "order-email", "order-analytics"]


def queue_policy(queue_arn):
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AllowOrderEventsTopic",
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": TOPIC_ARN}},
            }
        ],
    }


def solve(ctx):
    ctx.aws("sns create-topic --name order-events")
    for name in QUEUES:
        url = ctx.aws_json(f"sqs create-queue --queue-name {name}")["QueueUrl"]
        queue_arn = f"arn:aws:sqs:us-east-1:{ACCOUNT}:{name}"
        ctx.write(f"{name}-policy.json", json.dumps({"Policy": json.dumps(queue_policy(queue_arn))}))
        ctx.aws(f"sqs set-queue-attributes --queue-url {url} --attributes file://{name}-policy.json")
        raw = " --attributes RawMessageDelivery=true" if name == "order-analytics" else ""
        ctx.aws(f"sns subscribe --topic-arn {TOPIC_ARN} --protocol sqs --notification-endpoint {queue_arn}{raw}")
