"""Python checks for secrets-kms. moto stores a secret's KmsKeyId as given (key id, key ARN, alias or alias
ARN), so it is resolved through kms.describe_key before comparing; rotation status needs the key id."""

import json

from tutor.grading.access import describe_principals, others_who_can_assume
from tutor.grading.iam import Request, can_assume, evaluate, exact_permissions

ALIAS = "alias/app-secrets"
SECRET = "prod/orders/db"
ROLE = "orders-task-execution"
ACCOUNT = "123456789012"
REGION = "us-east-1"
EXPECTED = ("secretsmanager:GetSecretValue", "kms:Decrypt")
TASKS = "ecs-tasks.amazonaws.com"


def _key(ctx):
    """KeyMetadata of the key behind the alias, or None."""
    try:
        return ctx.call("kms", "describe_key", KeyId=ALIAS)["KeyMetadata"]
    except Exception:  # noqa: BLE001 - NotFoundException
        return None


def _secret(ctx):
    try:
        return ctx.call("secretsmanager", "describe_secret", SecretId=SECRET)
    except Exception:  # noqa: BLE001 - ResourceNotFoundException
        return None


def key_rotation(ctx):
    key = _key(ctx)
    if key is None:
        return False, f"There is no {ALIAS} yet."
    return bool(ctx.call("kms", "get_key_rotation_status", KeyId=key["KeyId"]).get("KeyRotationEnabled"))


def secret_uses_key(ctx):
    secret, key = _secret(ctx), _key(ctx)
    if secret is None:
        return False, f"There is no secret {SECRET} yet."
    if key is None:
        return False, f"There is no {ALIAS} yet."
    stored = secret.get("KmsKeyId")
    if not stored:
        return False, "The secret uses the default aws/secretsmanager key."
    try:
        used = ctx.call("kms", "describe_key", KeyId=stored)["KeyMetadata"]["KeyId"]
    except Exception:  # noqa: BLE001 - a key that does not exist
        return False, f"The secret names a KMS key ({stored}) that does not exist."
    if used != key["KeyId"]:
        return False, f"The secret is encrypted with another key ({stored})."
    return True


def secret_value(ctx):
    try:
        text = ctx.call("secretsmanager", "get_secret_value", SecretId=SECRET).get("SecretString")
    except Exception:  # noqa: BLE001
        return False, f"The secret {SECRET} does not exist or has no value yet."
    try:
        value = json.loads(text or "")
    except ValueError:
        return False, "The value is not JSON."
    if not isinstance(value, dict):
        return False, "The value is JSON, but not an object with keys."
    missing = [k for k in ("username", "password") if not (isinstance(value.get(k), str) and value.get(k))]
    if missing:
        return False, "Missing or empty: " + ", ".join(missing) + "."
    return True


def _role_policies(ctx):
    try:
        ctx.call("iam", "get_role", RoleName=ROLE)
    except Exception:  # noqa: BLE001 - NoSuchEntity
        return None
    return ctx.policy_evaluator.role_policies(ROLE)


def reader_trust(ctx):
    if _role_policies(ctx) is None:
        return False, f"There is no role {ROLE} yet."
    trust = ctx.policy_evaluator.trust_policy(ROLE)
    if not can_assume(trust, TASKS, context={"aws:SourceAccount": ACCOUNT}):
        return False, f"{TASKS} cannot assume the role."
    others = others_who_can_assume(trust, TASKS, context={"aws:SourceAccount": ACCOUNT})
    if others:
        return False, "Others can assume it too: " + describe_principals(others) + "."
    return True


def _targets(ctx):
    """(secret ARN, key ARN, request context for decrypting), or None when either is missing."""
    secret, key = _secret(ctx), _key(ctx)
    if secret is None or key is None:
        return None
    context = {
        "kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com",
        "kms:EncryptionContext:SecretARN": secret["ARN"],
        "aws:SourceAccount": ACCOUNT,
    }
    return secret["ARN"], key["Arn"], context


def reader_can_read(ctx):
    policies = _role_policies(ctx)
    if policies is None:
        return False, f"There is no role {ROLE} yet."
    targets = _targets(ctx)
    if targets is None:
        return False, "Create the key and the secret first."
    secret_arn, key_arn, context = targets
    missing = [
        f"{action} on {resource}"
        for action, resource in (("secretsmanager:GetSecretValue", secret_arn), ("kms:Decrypt", key_arn))
        if not evaluate(Request(action=action, resource=resource, context=context), policies).allowed
    ]
    if missing:
        return False, "Not allowed: " + "; ".join(missing) + "."
    return True


def _account_resources(ctx):
    """Every secret and key of the account: a grant on any of them (by name, ARN or wildcard) is found."""
    secrets = [s["ARN"] for s in ctx.call("secretsmanager", "list_secrets").get("SecretList", [])]
    keys = [k["KeyArn"] for k in ctx.call("kms", "list_keys").get("Keys", [])]
    return secrets + keys


def reader_least_privilege(ctx):
    policies = _role_policies(ctx)
    if policies is None:
        return False, f"There is no role {ROLE} yet."
    if not policies:
        return False, "The role has no permissions policy yet."
    targets = _targets(ctx)
    if targets is None:
        return False, "Create the key and the secret first."
    secret_arn, key_arn, context = targets
    # the secret by its ARN, or by its name and the six characters Secrets Manager appends
    secret_spellings = [secret_arn, f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{SECRET}-??????"]
    report = exact_permissions(
        policies,
        [],
        [],
        also=[(EXPECTED[0], s) for s in secret_spellings] + [(EXPECTED[1], key_arn)],
        context=context,
        existing=_account_resources(ctx),
    )
    if report.extra:
        more = f" (and {len(report.extra) - 3} more)" if len(report.extra) > 3 else ""
        return False, "It also allows " + "; ".join(report.extra[:3]) + more + "."
    return True
