"""Checkout service, release 2: cards and gift cards.

This is the code of the new release. Deploy it to the function checkout (zip it first), then publish it
as a new version. Do not change the handler name: the function's handler setting is app.handler.
"""

import json

RELEASE = "2"
PAYMENT_METHODS = ["card", "gift-card"]


def handler(event, context):
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"release": RELEASE, "paymentMethods": PAYMENT_METHODS}),
    }
