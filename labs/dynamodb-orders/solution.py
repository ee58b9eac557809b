"""Reference solution for dynamodb-orders, with the AWS CLI as a learner would type it."""

import json

GSI = [
    {
        "IndexName": "CreatedAtIndex",
        "KeySchema": [
            {"AttributeName": "userId", "KeyType": "HASH"},
            {"AttributeName": "createdAt", "KeyType": "RANGE"},
        ],
        "Projection": {"ProjectionType": "ALL"},
    }
]

ORDERS = [
    ("order#1001", "2025-03-02T08:15:00Z", "shipped", "129.90"),
    ("order#1002", "2025-03-09T17:42:10Z", "delivered", "54.00"),
    ("order#1003", "2025-03-14T09:26:53Z", "pending", "312.45"),
]


def solve(ctx):
    ctx.write("gsi.json", json.dumps(GSI))
    ctx.aws(
        "dynamodb create-table --table-name Orders "
        "--attribute-definitions AttributeName=userId,AttributeType=S AttributeName=orderId,AttributeType=S "
        "AttributeName=createdAt,AttributeType=S "
        "--key-schema AttributeName=userId,KeyType=HASH AttributeName=orderId,KeyType=RANGE "
        "--billing-mode PAY_PER_REQUEST --global-secondary-indexes file://gsi.json"
    )
    for order_id, created, status, total in ORDERS:
        item = {
            "userId": {"S": "user#abc"},
            "orderId": {"S": order_id},
            "createdAt": {"S": created},
            "status": {"S": status},
            "total": {"N": total},
        }
        ctx.write("item.json", json.dumps(item))
        ctx.aws("dynamodb put-item --table-name Orders --item file://item.json")
