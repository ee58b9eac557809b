"""Reference solution for secrets-kms, with the AWS CLI as a learner would type it."""

import json

TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def solve(ctx):
    key = ctx.aws_json("kms create-key --description 'Orders service secrets'")["KeyMetadata"]
    ctx.aws(f"kms create-alias --alias-name alias/app-secrets --target-key-id {key['KeyId']}")
    ctx.aws(f"kms enable-key-rotation --key-id {key['KeyId']}")

    ctx.write("db.json", json.dumps({"username": "orders_app", "password": "c0rrect-h0rse-battery"}))
    secret = ctx.aws_json(
        "secretsmanager create-secret --name prod/orders/db --kms-key-id alias/app-secrets "
        "--secret-string file://db.json "
        "--tags Key=environment,Value=prod Key=team,Value=orders"
    )

    ctx.write("trust.json", json.dumps(TRUST))
    ctx.aws("iam create-role --role-name orders-task-execution --assume-role-policy-document file://trust.json")
    ctx.write(
        "read-secret.json",
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "ReadOrdersDbSecret",
                        "Effect": "Allow",
                        "Action": "secretsmanager:GetSecretValue",
                        "Resource": secret["ARN"],
                    },
                    {
                        "Sid": "DecryptWithAppSecretsKey",
                        "Effect": "Allow",
                        "Action": "kms:Decrypt",
                        "Resource": key["Arn"],
                    },
                ],
            }
        ),
    )
    ctx.aws(
        "iam put-role-policy --role-name orders-task-execution --policy-name read-orders-db-secret "
        "--policy-document file://read-secret.json"
    )
