"""ecs-fargate-service: independent correct variants pass every check, plausible mistakes fail exactly theirs."""

import copy
import json

from fixtures.labs import failing, message

LAB = "ecs-fargate-service"
ACCOUNT = "123456789012"
URI = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/web"
KEEP_10 = {
    "rulePriority": 2,
    "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 10},
    "action": {"type": "expire"},
}
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": ["ecs-tasks.amazonaws.com"]}, "Action": ["sts:AssumeRole"]}
    ],
}
PULL_AND_LOG = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "ecr:GetAuthorizationToken",
                "ecr:BatchGetImage",
                "ecr:GetDownloadUrlForLayer",
                "ecr:BatchCheckLayerAvailability",
                "logs:CreateLogStream",
                "logs:PutLogEvents",
                "logs:CreateLogGroup",
            ],
            "Resource": "*",
        }
    ],
}
CONTAINER = {
    "name": "frontend",
    "image": f"{URI}@sha256:" + "ab" * 32,
    "essential": True,
    "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
    "logConfiguration": {
        "logDriver": "awslogs",
        "options": {
            "awslogs-group": "/trailhead/web",
            "awslogs-region": "us-east-1",
            "awslogs-stream-prefix": "ecs",
            "awslogs-create-group": "true",
        },
    },
}


def network(session, *names):
    ec2 = session.sandbox.client("ec2")
    subnets = ec2.describe_subnets(
        Filters=[{"Name": "tag:Name", "Values": list(names or ["web-private-a", "web-private-b"])}]
    )
    group = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["web-tasks"]}])["SecurityGroups"][0]
    return [s["SubnetId"] for s in subnets["Subnets"]], group["GroupId"]


def build(
    session,
    *,
    rules=None,
    trust=TRUST,
    permissions=PULL_AND_LOG,
    container=None,
    task=None,
    service=None,
    subnets=None,
    public_ip="DISABLED",
    execution_role=True,
):
    """Everything with boto3, in a different style from the reference: customer managed policy, digest image,
    a second lifecycle rule, sizes in vCPU/GB, a log group created by the awslogs driver."""
    client = session.sandbox.client
    client("ecr").create_repository(
        repositoryName="web", imageScanningConfiguration={"scanOnPush": True}, imageTagMutability="IMMUTABLE"
    )
    untagged = {
        "rulePriority": 1,
        "description": "untagged after a day",
        "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 1},
        "action": {"type": "expire"},
    }
    client("ecr").put_lifecycle_policy(
        repositoryName="web",
        lifecyclePolicyText=json.dumps({"rules": rules if rules is not None else [untagged, KEEP_10]}),
    )
    client("ecs").create_cluster(clusterName="prod")
    iam = client("iam")
    role_arn = iam.create_role(RoleName="trailhead-web-exec", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    policy = iam.create_policy(PolicyName="trailhead-pull-and-log", PolicyDocument=json.dumps(permissions))["Policy"][
        "Arn"
    ]
    iam.attach_role_policy(RoleName="trailhead-web-exec", PolicyArn=policy)
    params = {
        "family": "web",
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": ".25 vCPU",
        "memory": "0.5GB",
        "containerDefinitions": [container or CONTAINER],
    }
    if execution_role:
        params["executionRoleArn"] = role_arn
    params.update(task or {})
    client("ecs").register_task_definition(**params)
    ids, group = network(session)
    svc = {
        "cluster": "prod",
        "serviceName": "web",
        "taskDefinition": "web",
        "desiredCount": 2,
        "launchType": "FARGATE",
        "networkConfiguration": {
            "awsvpcConfiguration": {"subnets": subnets or ids, "securityGroups": [group], "assignPublicIp": public_ip}
        },
    }
    svc.update(service or {})
    client("ecs").create_service(**svc)


def test_reference_solution_passes(lab_session):
    from tutor.grading.session import apply_solution

    apply_solution(lab_session)
    assert failing(lab_session) == set()


def test_boto3_variant_passes(lab_session):
    build(lab_session)
    assert failing(lab_session) == set()


def test_service_updated_to_a_fixed_revision_passes(lab_session):
    """A first revision with the wrong port, the service on it, then a fixed revision rolled out."""
    wrong = copy.deepcopy(CONTAINER)
    wrong["portMappings"] = [{"containerPort": 80}]
    build(lab_session, container=wrong)
    assert failing(lab_session) == {"task-container"}
    ecs = lab_session.sandbox.client("ecs")
    current = ecs.describe_task_definition(taskDefinition="web")["taskDefinition"]
    ecs.register_task_definition(
        family="web",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        executionRoleArn=current["executionRoleArn"],
        containerDefinitions=[CONTAINER],
    )
    assert failing(lab_session) == {"task-container", "service"}
    assert "latest revision of web is 2" in message(lab_session, "service")
    ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")
    assert failing(lab_session) == set()


def test_lifecycle_for_untagged_only_fails_only_ecr_lifecycle(lab_session):
    rule = copy.deepcopy(KEEP_10)
    rule["selection"]["tagStatus"] = "untagged"
    build(lab_session, rules=[rule])
    assert failing(lab_session) == {"ecr-lifecycle"}


def test_lifecycle_by_age_fails_only_ecr_lifecycle(lab_session):
    build(
        lab_session,
        rules=[
            {
                "rulePriority": 1,
                "selection": {
                    "tagStatus": "any",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": 10,
                },
                "action": {"type": "expire"},
            }
        ],
    )
    assert failing(lab_session) == {"ecr-lifecycle"}
    assert "sinceImagePushed" in message(lab_session, "ecr-lifecycle")


def test_too_much_memory_fails_only_task_size(lab_session):
    build(lab_session, task={"memory": "1024"})
    assert failing(lab_session) == {"task-size"}


def test_docker_hub_image_fails_only_task_container(lab_session):
    other = copy.deepcopy(CONTAINER)
    other["image"] = "nginx:1.27"
    build(lab_session, container=other)
    assert failing(lab_session) == {"task-container"}


def test_no_log_configuration_fails_only_task_logging(lab_session):
    quiet = copy.deepcopy(CONTAINER)
    del quiet["logConfiguration"]
    build(lab_session, container=quiet)
    assert failing(lab_session) == {"task-logging"}


def test_missing_log_group_fails_only_task_logging(lab_session):
    container = copy.deepcopy(CONTAINER)
    del container["logConfiguration"]["options"]["awslogs-create-group"]
    build(lab_session, container=container)
    assert failing(lab_session) == {"task-logging"}
    assert "/trailhead/web" in message(lab_session, "task-logging")


def test_no_execution_role_fails_both_role_checks(lab_session):
    build(lab_session, execution_role=False)
    assert failing(lab_session) == {"execution-role-trust", "execution-role-permissions"}


def test_role_trusted_by_ec2_fails_only_trust(lab_session):
    trust = copy.deepcopy(TRUST)
    trust["Statement"][0]["Principal"]["Service"] = ["ec2.amazonaws.com"]
    build(lab_session, trust=trust)
    assert failing(lab_session) == {"execution-role-trust"}


def test_role_without_log_permissions_fails_only_permissions(lab_session):
    permissions = copy.deepcopy(PULL_AND_LOG)
    permissions["Statement"][0]["Action"] = [
        a for a in permissions["Statement"][0]["Action"] if not a.startswith("logs:")
    ]
    build(lab_session, permissions=permissions)
    assert failing(lab_session) == {"execution-role-permissions"}
    assert "logs:PutLogEvents" in message(lab_session, "execution-role-permissions")


def test_public_subnets_with_public_ip_fails_only_service_network(lab_session):
    public, _ = network(lab_session, "web-public-a", "web-public-b")
    build(lab_session, subnets=public, public_ip="ENABLED")
    assert failing(lab_session) == {"service-network"}


def test_one_subnet_fails_only_service_network(lab_session):
    one, _ = network(lab_session, "web-private-a")
    build(lab_session, subnets=one)
    assert failing(lab_session) == {"service-network"}


def test_one_task_fails_only_service(lab_session):
    build(lab_session, service={"desiredCount": 1})
    assert failing(lab_session) == {"service"}


def test_untouched_fails_everything(lab_session):
    assert failing(lab_session) == {c.id for c in lab_session.lab.checks}
