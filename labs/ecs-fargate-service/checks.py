"""Python checks for ecs-fargate-service: the repository's lifecycle rules, the task definition the service
runs, its execution role's documents, and the service's network placement."""

from __future__ import annotations

import json

REPOSITORY = "web"
CLUSTER = "prod"
FAMILY = "web"
SERVICE = "web"
PORT = 8080
ACCOUNT = "123456789012"
REGION = "us-east-1"
REPO_URI = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{REPOSITORY}"
REPO_ARN = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{REPOSITORY}"


# ---------------------------------------------------------------- ECR


def ecr_lifecycle(ctx):
    from botocore.exceptions import ClientError

    try:
        text = ctx.call("ecr", "get_lifecycle_policy", repositoryName=REPOSITORY)["lifecyclePolicyText"]
    except ClientError:
        return False, "The repository web has no lifecycle policy (or does not exist)."
    try:
        rules = json.loads(text).get("rules") or []
    except (ValueError, AttributeError):
        return False, "The lifecycle policy is not valid JSON."
    keep = None
    for rule in sorted(rules, key=lambda r: r.get("rulePriority", 0)):
        selection = rule.get("selection") or {}
        expires = (rule.get("action") or {}).get("type") == "expire"
        status = selection.get("tagStatus")
        if not expires:
            continue
        if (
            status == "any"
            and selection.get("countType") == "imageCountMoreThan"
            and selection.get("countNumber") == 10
        ):
            keep = rule
            continue
        if status in ("any", "tagged"):
            return False, (
                f"Rule {rule.get('rulePriority')} also expires {status} images "
                f"({selection.get('countType')} {selection.get('countNumber')}), so fewer than the last 10 "
                "could be kept."
            )
    if keep:
        return True
    described = (
        "; ".join(
            f"priority {r.get('rulePriority')}: {(r.get('selection') or {}).get('tagStatus')} images, "
            f"{(r.get('selection') or {}).get('countType')} {(r.get('selection') or {}).get('countNumber')}"
            for r in rules
        )
        or "no rules"
    )
    return False, f"No rule expires every image (tagged or not) beyond a count of 10. The policy has: {described}."


# ---------------------------------------------------------------- the task definition


def _task_definition(ctx):
    """The revision the service runs if there is one, else the latest ACTIVE revision of the family."""
    from botocore.exceptions import ClientError

    service = _service(ctx)
    wanted = service["taskDefinition"] if service else FAMILY
    try:
        definition = ctx.call("ecs", "describe_task_definition", taskDefinition=wanted)["taskDefinition"]
    except ClientError:
        return None
    return definition if definition.get("family") == FAMILY else None


def _size(value, unit_words):
    """Task-level cpu/memory as ECS stores them: '256', '0.25 vCPU', '512', '0.5GB'."""
    if value is None:
        return None
    text = str(value).strip().lower().replace(" ", "")
    for word, factor in unit_words:
        if text.endswith(word):
            try:
                return round(float(text[: -len(word)]) * factor)
            except ValueError:
                return None
    try:
        return int(float(text))
    except ValueError:
        return None


def task_size(ctx):
    td = _task_definition(ctx)
    if td is None:
        return False, "There is no task definition in the family web yet."
    where = f"web:{td.get('revision')}"
    if td.get("networkMode") != "awsvpc":
        return False, f"{where} uses network mode {td.get('networkMode')!r}; Fargate tasks need awsvpc."
    if "FARGATE" not in (td.get("requiresCompatibilities") or []):
        return False, f"{where} does not require FARGATE compatibility, so ECS does not validate it for Fargate."
    cpu = _size(td.get("cpu"), [("vcpu", 1024)])
    memory = _size(td.get("memory"), [("gb", 1024), ("mb", 1), ("mib", 1)])
    if (cpu, memory) != (256, 512):
        return False, f"{where} is sized cpu={td.get('cpu')!r}, memory={td.get('memory')!r} at task level."
    return True


def _container(td):
    containers = td.get("containerDefinitions") or []
    for container in containers:
        image = str(container.get("image", ""))
        if image == REPO_URI or image.startswith((REPO_URI + ":", REPO_URI + "@")):
            return container
    return None


def task_container(ctx):
    td = _task_definition(ctx)
    if td is None:
        return False, "There is no task definition in the family web yet."
    container = _container(td)
    if container is None:
        images = [c.get("image") for c in td.get("containerDefinitions") or []]
        return (
            False,
            f"No container of web:{td.get('revision')} runs an image of the ECR repository web (images: {images}).",
        )
    if container.get("essential") is False:
        return False, f"The container {container.get('name')} is not essential."
    ports = [(p.get("containerPort"), p.get("protocol", "tcp")) for p in container.get("portMappings") or []]
    if (PORT, "tcp") not in ports:
        return False, f"The container {container.get('name')} maps the ports {ports}."
    return True


def _log_options(td):
    container = _container(td) or (td.get("containerDefinitions") or [{}])[0]
    return container, (container.get("logConfiguration") or {})


def task_logging(ctx):
    td = _task_definition(ctx)
    if td is None:
        return False, "There is no task definition in the family web yet."
    container, config = _log_options(td)
    if config.get("logDriver") != "awslogs":
        return False, f"The container {container.get('name')} logs with {config.get('logDriver')!r}."
    options = config.get("options") or {}
    missing = [k for k in ("awslogs-group", "awslogs-region", "awslogs-stream-prefix") if not options.get(k)]
    if missing:
        return False, f"The awslogs options lack {', '.join(missing)} (Fargate requires a stream prefix)."
    if options["awslogs-region"] != REGION:
        return False, f"awslogs-region is {options['awslogs-region']!r}; the service runs in {REGION}."
    group = options["awslogs-group"]
    if str(options.get("awslogs-create-group", "")).lower() == "true":
        return True
    groups = ctx.call("logs", "describe_log_groups", logGroupNamePrefix=group).get("logGroups", [])
    if not any(g.get("logGroupName") == group for g in groups):
        return False, f"The log group {group} does not exist, so the tasks could not start."
    return True


# ---------------------------------------------------------------- the execution role


def _execution_role(ctx):
    td = _task_definition(ctx)
    if td is None:
        return None, None, "There is no task definition in the family web yet."
    arn = td.get("executionRoleArn")
    if not arn:
        return td, None, f"web:{td.get('revision')} has no execution role."
    name = arn.rsplit("/", 1)[-1]
    from botocore.exceptions import ClientError

    try:
        ctx.call("iam", "get_role", RoleName=name)
    except ClientError:
        return td, None, f"The execution role {arn} does not exist."
    return td, name, None


def execution_role_trust(ctx):
    from tutor.grading.iam import can_assume

    _, name, problem = _execution_role(ctx)
    if problem:
        return False, problem
    if can_assume(ctx.policy_evaluator.trust_policy(name), "ecs-tasks.amazonaws.com"):
        return True
    return False, f"The trust policy of {name} does not let ecs-tasks.amazonaws.com assume it."


def execution_role_permissions(ctx):
    from tutor.grading.iam import Request, evaluate

    td, name, problem = _execution_role(ctx)
    if problem:
        return False, problem
    policies = ctx.policy_evaluator.role_policies(name)
    if not policies:
        return False, f"The execution role {name} has no permission policy at all."
    _, config = _log_options(td)
    group = (config.get("options") or {}).get("awslogs-group", "/ecs/web")
    stream = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group}:log-stream:web/web/0123456789abcdef"
    needed = [
        ("ecr:GetAuthorizationToken", "*", "log in to ECR"),
        ("ecr:BatchGetImage", REPO_ARN, "pull the image's manifest from web"),
        ("ecr:GetDownloadUrlForLayer", REPO_ARN, "download the image's layers from web"),
        ("logs:CreateLogStream", stream, f"create log streams in {group}"),
        ("logs:PutLogEvents", stream, f"write log events to {group}"),
    ]
    missing = [
        f"{action} ({why})"
        for action, resource, why in needed
        if not evaluate(Request(action=action, resource=resource), policies).allowed
    ]
    if missing:
        return False, f"The execution role {name} cannot: " + "; ".join(missing) + "."
    return True


# ---------------------------------------------------------------- the service


def _service(ctx):
    try:
        services = ctx.call("ecs", "describe_services", cluster=CLUSTER, services=[SERVICE]).get("services", [])
    except Exception:  # noqa: BLE001 - ClusterNotFoundException
        return None
    return next((s for s in services if s.get("status") == "ACTIVE"), None)


def service(ctx):
    svc = _service(ctx)
    if svc is None:
        return False, "There is no active service web in the cluster prod."
    if svc.get("desiredCount") != 2:
        return False, f"The service's desired count is {svc.get('desiredCount')}."
    strategy = svc.get("capacityProviderStrategy") or []
    on_fargate = svc.get("launchType") == "FARGATE" or (
        strategy and all(s.get("capacityProvider") == "FARGATE" for s in strategy)
    )
    if not on_fargate:
        return False, f"The service runs on {svc.get('launchType') or strategy!r}, not Fargate."
    from botocore.exceptions import ClientError

    try:
        latest = ctx.call("ecs", "describe_task_definition", taskDefinition=FAMILY)["taskDefinition"]
    except ClientError:
        return False, "There is no task definition in the family web."
    # moto keeps update-service's --task-definition as typed (web:2, or just web), so resolve it to an ARN
    try:
        running = ctx.call("ecs", "describe_task_definition", taskDefinition=svc.get("taskDefinition", ""))[
            "taskDefinition"
        ]
    except ClientError:
        return False, f"The service runs the task definition {svc.get('taskDefinition')!r}, which does not exist."
    if running.get("taskDefinitionArn") != latest.get("taskDefinitionArn"):
        return False, (
            f"The service runs {running.get('family')}:{running.get('revision')}, but the latest revision "
            f"of web is {latest.get('revision')}; update the service to roll it out."
        )
    return True


def _subnets_by_name(ctx):
    subnets = ctx.call("ec2", "describe_subnets").get("Subnets", [])
    named = {}
    for subnet in subnets:
        name = next((t["Value"] for t in subnet.get("Tags") or [] if t["Key"] == "Name"), None)
        named[subnet["SubnetId"]] = name
    return named


def service_network(ctx):
    svc = _service(ctx)
    if svc is None:
        return False, "There is no active service web in the cluster prod."
    network = (svc.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}
    names = _subnets_by_name(ctx)
    chosen = sorted(names.get(s, s) or s for s in network.get("subnets") or [])
    if chosen != ["web-private-a", "web-private-b"]:
        return False, f"The service's tasks are placed in {chosen or 'no subnets'}."
    groups = ctx.call("ec2", "describe_security_groups", Filters=[{"Name": "group-name", "Values": ["web-tasks"]}]).get(
        "SecurityGroups", []
    )
    wanted = {g["GroupId"] for g in groups}
    if not wanted & set(network.get("securityGroups") or []):
        return False, "The service's tasks do not use the security group web-tasks."
    if network.get("assignPublicIp", "DISABLED") != "DISABLED":
        return False, "The tasks get public IP addresses; in private subnets they need none."
    return True
