"""Checkout service, release 1: cards only."""

import json

RELEASE = "1"
PAYMENT_METHODS = ["card"]


def handler(event, context):
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"release": RELEASE, "paymentMethods": PAYMENT_METHODS}),
    }
