"""Reference solution for ecs-fargate-service, with the AWS CLI as a learner would type it."""

import json

ACCOUNT = "123456789012"
IMAGE = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/web:1.0.0"

LIFECYCLE = {
    "rules": [
        {
            "rulePriority": 1,
            "description": "keep the last 10 images",
            "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 10},
            "action": {"type": "expire"},
        }
    ]
}

TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}

EXECUTION = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
            "Resource": f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/web",
        },
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/ecs/web:*",
        },
    ],
}

CONTAINERS = [
    {
        "name": "web",
        "image": IMAGE,
        "essential": True,
        "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {"awslogs-group": "/ecs/web", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "web"},
        },
    }
]


def solve(ctx):
    ctx.aws("ecr create-repository --repository-name web --image-scanning-configuration scanOnPush=true")
    ctx.write("lifecycle.json", json.dumps(LIFECYCLE))
    ctx.aws("ecr put-lifecycle-policy --repository-name web --lifecycle-policy-text file://lifecycle.json")
    ctx.aws("ecs create-cluster --cluster-name prod")

    ctx.write("trust.json", json.dumps(TRUST))
    ctx.aws("iam create-role --role-name web-task-execution --assume-role-policy-document file://trust.json")
    ctx.write("execution.json", json.dumps(EXECUTION))
    ctx.aws(
        "iam put-role-policy --role-name web-task-execution --policy-name pull-and-log "
        "--policy-document file://execution.json"
    )
    ctx.aws("logs create-log-group --log-group-name /ecs/web")

    ctx.write("containers.json", json.dumps(CONTAINERS))
    ctx.aws(
        "ecs register-task-definition --family web --network-mode awsvpc --requires-compatibilities FARGATE "
        f"--cpu 256 --memory 512 --execution-role-arn arn:aws:iam::{ACCOUNT}:role/web-task-execution "
        "--container-definitions file://containers.json"
    )

    subnets = ctx.aws_json(
        "ec2 describe-subnets --filters Name=tag:Name,Values=web-private-a,web-private-b --query Subnets[].SubnetId"
    )
    group = ctx.aws_json(
        "ec2 describe-security-groups --filters Name=group-name,Values=web-tasks --query SecurityGroups[0].GroupId"
    )
    ctx.aws(
        "ecs create-service --cluster prod --service-name web --task-definition web --desired-count 2 "
        "--launch-type FARGATE --network-configuration "
        f"'awsvpcConfiguration={{subnets=[{subnets[0]},{subnets[1]}],securityGroups=[{group}],assignPublicIp=DISABLED}}'"
    )
