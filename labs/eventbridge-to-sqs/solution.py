"""Reference solution for eventbridge-to-sqs, with the AWS CLI as a learner would type it."""

import json

ACCOUNT = "123456789012"
QUEUE_ARN = f"arn:aws:sqs:us-east-1:{ACCOUNT}:express-shipping"

PATTERN = {
    "source": ["com.acme.orders"],
    "detail-type": ["OrderPlaced"],
    "detail": {"amount": [{"numeric": [">", 100]}]},
}


def solve(ctx):
    ctx.aws("events create-event-bus --name acme-orders")
    url = ctx.aws_json("sqs create-queue --queue-name express-shipping")["QueueUrl"]
    ctx.write("pattern.json", json.dumps(PATTERN))
    rule_arn = ctx.aws_json(
        "events put-rule --name express-shipping-orders --event-bus-name acme-orders "
        "--event-pattern file://pattern.json"
    )["RuleArn"]
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AllowExpressShippingRule",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": QUEUE_ARN,
                "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}},
            }
        ],
    }
    ctx.write("queue-attributes.json", json.dumps({"Policy": json.dumps(policy)}))
    ctx.aws(f"sqs set-queue-attributes --queue-url {url} --attributes file://queue-attributes.json")
    ctx.aws(
        "events put-targets --rule express-shipping-orders --event-bus-name acme-orders "
        f"--targets Id=express-shipping-queue,Arn={QUEUE_ARN}"
    )
