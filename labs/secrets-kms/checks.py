"""Python checks for secrets-kms. moto stores a secret's KmsKeyId as given (key id, key ARN, alias or alias
ARN), so it is resolved through kms.describe_key before comparing; rotation status needs the key id."""

import json

from tutor.grading.iam import Request, can_assume, evaluate
from tutor.grading.policy import action_matches, as_list, statements

ALIAS = "alias/app-secrets"
SECRET = "prod/orders/db"
ROLE = "orders-task-execution"
ACCOUNT = "123456789012"
REGION = "us-east-1"
OTHER_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0f0f0f0f-1111-2222-3333-444455556666"
OTHER_SECRETS = [
    f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:prod/payments/db-Pq81Zx",
    f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:prod/orders/db-replica-Kd93Lm",
    f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:staging/orders/db-Ab12Cd",
]
SECRET_WRITES = ["secretsmanager:PutSecretValue", "secretsmanager:UpdateSecret", "secretsmanager:DeleteSecret",
                 "secretsmanager:PutResourcePolicy", "secretsmanager:RotateSecret", "secretsmanager:TagResource"]
KEY_ADMIN = ["kms:Encrypt", "kms:GenerateDataKey", "kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy",
             "kms:CreateGrant"]
EXPECTED = ("secretsmanager:GetSecretValue", "kms:Decrypt")


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
    if not can_assume(trust, "ecs-tasks.amazonaws.com", context={"aws:SourceAccount": ACCOUNT}):
        return False, "ecs-tasks.amazonaws.com cannot assume the role."
    for other in ("lambda.amazonaws.com", "ec2.amazonaws.com", f"arn:aws:iam::{ACCOUNT}:root",
                  "arn:aws:iam::999988887777:root"):
        if can_assume(trust, other):
            return False, f"{other} can assume it too."
    return True


def _targets(ctx):
    """(secret ARN, key ARN, request context for decrypting), or None when either is missing."""
    secret, key = _secret(ctx), _key(ctx)
    if secret is None or key is None:
        return None
    context = {"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com",
               "kms:EncryptionContext:SecretARN": secret["ARN"], "aws:SourceAccount": ACCOUNT}
    return secret["ARN"], key["Arn"], context


def reader_can_read(ctx):
    policies = _role_policies(ctx)
    if policies is None:
        return False, f"There is no role {ROLE} yet."
    targets = _targets(ctx)
    if targets is None:
        return False, "Create the key and the secret first."
    secret_arn, key_arn, context = targets
    missing = [f"{action} on {resource}" for action, resource in
               (("secretsmanager:GetSecretValue", secret_arn), ("kms:Decrypt", key_arn))
               if not evaluate(Request(action=action, resource=resource, context=context), policies).allowed]
    if missing:
        return False, "Not allowed: " + "; ".join(missing) + "."
    return True


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
    probes = [("secretsmanager:GetSecretValue", arn) for arn in OTHER_SECRETS]
    probes += [(action, secret_arn) for action in SECRET_WRITES]
    probes += [("secretsmanager:ListSecrets", "*"), ("secretsmanager:CreateSecret", OTHER_SECRETS[0])]
    probes += [("kms:Decrypt", OTHER_KEY)] + [(action, key_arn) for action in KEY_ADMIN]
    probes += [("s3:GetObject", "arn:aws:s3:::tutorprobe/key"), ("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/x"),
               ("tutorprobe:Tutorprobe", "tutorprobe")]
    # every action pattern the learner wrote (secretsmanager:Get*, kms:*, ...), on the secret and on the key
    for policy in policies:
        for statement in statements(policy.document):
            for pattern in as_list(statement.get("Action")):
                action = str(pattern).replace("*", "Tutorprobe").replace("?", "x")
                if not any(action_matches(action, e) or action_matches(e, action) for e in EXPECTED):
                    probes += [(action, secret_arn), (action, key_arn)]
    for action, resource in probes:
        decision = evaluate(Request(action=action, resource=resource, context=context), policies)
        if decision.allowed:
            return False, f"It also allows {action} on {resource} (via {decision.deciding[0]})."
    return True
