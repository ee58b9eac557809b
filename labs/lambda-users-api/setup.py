"""Setup for lambda-users-api: the Users table with a few accounts, the grader's copy of it, and the
execution role the learner deploys the function with."""

import json

TABLE = "Users"
COPY = "users-api-grading-copy"  # the grader runs the handler with TABLE_NAME pointing here
ROLE = "users-api-role"

USERS = [
    {"userId": "u-1001", "name": "Ada Okafor", "email": "ada@lumenbooks.example", "plan": "pro"},
    {"userId": "u-1002", "name": "Bruno Lindqvist", "email": "bruno@lumenbooks.example", "plan": "free"},
    {"userId": "u-1003", "name": "Chen Wei", "email": "chen@lumenbooks.example", "plan": "team"},
]
COPY_ONLY = {"userId": "u-9001", "name": "Grader Probe", "email": "probe@lumenbooks.example", "plan": "free"}

TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def _item(user):
    return {key: {"S": value} for key, value in user.items()}


def setup(ctx):
    ddb = ctx.client("dynamodb")
    for name, users in ((TABLE, USERS), (COPY, [COPY_ONLY])):
        ddb.create_table(
            TableName=name,
            AttributeDefinitions=[{"AttributeName": "userId", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "userId", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
        for user in users:
            ddb.put_item(TableName=name, Item=_item(user))
    iam = ctx.client("iam")
    iam.create_role(
        RoleName=ROLE,
        AssumeRolePolicyDocument=json.dumps(TRUST),
        Description="Execution role of the users-api function",
    )
    iam.put_role_policy(
        RoleName=ROLE,
        PolicyName="read-users",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "dynamodb:GetItem",
                        "Resource": [
                            f"arn:aws:dynamodb:{ctx.region}:{ctx.account_id}:table/{TABLE}",
                            f"arn:aws:dynamodb:{ctx.region}:{ctx.account_id}:table/{COPY}",
                        ],
                    },
                    {
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                        "Resource": "*",
                    },
                ],
            }
        ),
    )
