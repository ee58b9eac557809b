"""Reference solution for lambda-users-api: write the handler, zip it, deploy it with the CLI."""

import zipfile

HANDLER = """\
import json
import os

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
HEADERS = {"Content-Type": "application/json"}


def respond(status_code, payload):
    return {"statusCode": status_code, "headers": HEADERS, "body": json.dumps(payload)}


def lambda_handler(event, context):
    if event.get("httpMethod") != "GET":
        return respond(405, {"message": "method not allowed"})
    user_id = (event.get("pathParameters") or {}).get("userId")
    if not user_id:
        return respond(400, {"message": "userId is required"})
    item = TABLE.get_item(Key={"userId": user_id}).get("Item")
    if item is None:
        return respond(404, {"message": f"user {user_id} not found"})
    return respond(200, item)
"""


def solve(ctx):
    ctx.write("handler.py", HANDLER)
    with zipfile.ZipFile(ctx.workspace / "function.zip", "w") as archive:  # zip function.zip handler.py
        archive.write(ctx.workspace / "handler.py", "handler.py")
    ctx.aws(
        "lambda create-function --function-name users-api --runtime python3.12 "
        "--handler handler.lambda_handler --role arn:aws:iam::123456789012:role/users-api-role "
        "--timeout 30 --memory-size 512 --environment Variables={TABLE_NAME=Users} "
        "--zip-file fileb://function.zip"
    )
