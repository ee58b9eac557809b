"""Python checks for iam-least-privilege: grade the role's documents with the policy evaluator."""

from tutor.grading.access import describe_principals, others_who_can_assume
from tutor.grading.iam import Request, can_assume, evaluate, exact_permissions

ROLE = "thumbnail-lambda"
ACCOUNT = "123456789012"
BUCKET = "uploads-bucket"
LOG_GROUP = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lambda/thumbnail:*"
LOG_ACTIONS = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
# What Lambda really sends when it assumes an execution role (a trust policy may pin these).
LAMBDA_CONTEXT = {
    "aws:SourceAccount": ACCOUNT,
    "aws:SourceArn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:thumbnail",
}


def _role_exists(ctx):
    try:
        ctx.call("iam", "get_role", RoleName=ROLE)
        return True
    except Exception:  # noqa: BLE001 - NoSuchEntity
        return False


def _policies(ctx):
    return ctx.policy_evaluator.role_policies(ROLE)


def trust_lambda_only(ctx):
    if not _role_exists(ctx):
        return False, f"There is no role {ROLE} yet."
    trust = ctx.policy_evaluator.trust_policy(ROLE)
    if not can_assume(trust, "lambda.amazonaws.com", context=LAMBDA_CONTEXT):
        return False, "The Lambda service (lambda.amazonaws.com) cannot assume the role with this trust policy."
    others = others_who_can_assume(trust, "lambda.amazonaws.com", context=LAMBDA_CONTEXT)
    if others:
        return False, "The trust policy also lets these assume the role: " + describe_principals(others) + "."
    return True


def reads_uploads(ctx):
    if not _role_exists(ctx):
        return False, f"There is no role {ROLE} yet."
    policies = _policies(ctx)
    if not policies:
        return False, "The role has no permissions policy at all yet."
    request = Request(action="s3:GetObject", resource=f"arn:aws:s3:::{BUCKET}/photos/cat.jpg")
    if evaluate(request, policies).allowed:
        return True
    return False, ctx.policy_evaluator.explain(request, policies)


def writes_logs(ctx):
    if not _role_exists(ctx):
        return False, f"There is no role {ROLE} yet."
    policies = _policies(ctx)
    if not policies:
        return False, "The role has no permissions policy at all yet."
    group = LOG_GROUP[: -len(":*")]
    stream = f"{group}:log-stream:2025/01/01/[$LATEST]abc123"
    wanted = [("logs:CreateLogGroup", f"{group}:*"), ("logs:CreateLogStream", stream), ("logs:PutLogEvents", stream)]
    missing = [
        action
        for action, resource in wanted
        if not evaluate(Request(action=action, resource=resource), policies).allowed
    ]
    if missing:
        return False, "Not allowed yet on the function's log group: " + ", ".join(missing) + "."
    return True


def nothing_else(ctx):
    if not _role_exists(ctx):
        return False, f"There is no role {ROLE} yet."
    policies = _policies(ctx)
    if not policies:
        return False, "The role has no permissions policy at all yet."
    report = exact_permissions(
        policies,
        "s3:GetObject",
        f"arn:aws:s3:::{BUCKET}/*",
        also=[(action, LOG_GROUP) for action in LOG_ACTIONS],
    )
    if report.extra:
        more = f" (and {len(report.extra) - 3} more)" if len(report.extra) > 3 else ""
        return False, "The role also allows " + "; ".join(report.extra[:3]) + more + "."
    return True
