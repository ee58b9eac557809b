"""Python checks for fix-the-breach: read the state after the learner's fixes, accept every correct fix."""

import json
from pathlib import Path

from tutor.grading.iam import Request, evaluate
from tutor.grading.policy import action_matches, as_list, statements

BUCKET = "customer-exports"
USER = "ci-deployer"
PORT = 5432
RECORD = "fix-the-breach.json"
OUTSIDERS = {None: "anonymous callers", "arn:aws:iam::210987654321:user/stranger": "any other AWS account"}
PUBLIC_PROBES = [
    ("s3:GetObject", f"arn:aws:s3:::{BUCKET}/2025-06/customers.csv"),
    ("s3:ListBucket", f"arn:aws:s3:::{BUCKET}"),
    ("s3:PutObject", f"arn:aws:s3:::{BUCKET}/upload.csv"),
    ("s3:DeleteObject", f"arn:aws:s3:::{BUCKET}/2025-06/customers.csv"),
    ("s3:PutBucketPolicy", f"arn:aws:s3:::{BUCKET}"),
]
_ALL_ACTIONS_PROBE = "tutorprobe:Tutorprobe"


# ---------------------------------------------------------------- the incident record


def _record(ctx):
    """What setup recorded (the leaked key id, the VPC and group ids), or None."""
    paths = []
    sandbox = getattr(ctx, "sandbox", None)
    if sandbox is not None and getattr(sandbox, "state_dir", None) is not None:
        paths.append(Path(sandbox.state_dir) / "labs" / RECORD)
    paths.append(Path(ctx.workspace) / ".incident" / RECORD)
    for path in paths:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
    return None


# ---------------------------------------------------------------- S3


def bucket_not_public(ctx):
    policy = ctx.policy_evaluator.bucket_policy(BUCKET)
    if policy is None:
        return True, "The bucket has no bucket policy."
    for principal, who in OUTSIDERS.items():
        for action, resource in PUBLIC_PROBES:
            decision = evaluate(Request(action=action, resource=resource, principal=principal), [policy])
            if decision.allowed:
                return False, f"{decision.deciding[0]} still allows {action} to {who}."
    return True


# ---------------------------------------------------------------- security groups


def _group(ctx, name, record):
    groups = ctx.call("ec2", "describe_security_groups", Filters=[{"Name": "group-name", "Values": [name]}])[
        "SecurityGroups"
    ]
    if record and len(groups) > 1:
        groups = [g for g in groups if g.get("VpcId") == record.get("vpc")] or groups
    return groups[0] if groups else None


def _covers_port(rule):
    protocol = str(rule.get("IpProtocol", "")).lower()
    if protocol in ("-1", "all"):
        return True
    if protocol not in ("tcp", "6"):
        return False
    return rule.get("FromPort", -1) <= PORT <= rule.get("ToPort", -1)


def _exactly_port(rule):
    return str(rule.get("IpProtocol", "")).lower() in ("tcp", "6") and rule.get("FromPort") == PORT == rule.get(
        "ToPort"
    )


def _ranges(rule):
    return (
        [r.get("CidrIp") for r in rule.get("IpRanges", [])]
        + [r.get("CidrIpv6") for r in rule.get("Ipv6Ranges", [])]
        + [p.get("PrefixListId") for p in rule.get("PrefixListIds", [])]
    )


def _groups(rule):
    return [pair.get("GroupId") or pair.get("GroupName") for pair in rule.get("UserIdGroupPairs", [])]


def db_not_world_open(ctx):
    record = _record(ctx)
    db = _group(ctx, "db-sg", record)
    if db is None:
        return False, "There is no security group named db-sg any more; the database needs it."
    for rule in db.get("IpPermissions", []):
        for source in _ranges(rule):
            if source in ("0.0.0.0/0", "::/0"):
                return False, f"A rule still admits {source}."
            if _covers_port(rule):
                return False, f"A rule admits {source} on port {PORT}; only app-sg should reach the database."
    return True


def db_from_app_only(ctx):
    record = _record(ctx)
    db, app = _group(ctx, "db-sg", record), _group(ctx, "app-sg", record)
    if db is None or app is None:
        return False, "The security groups db-sg and app-sg must both still exist."
    app_refs = {app["GroupId"], app["GroupName"]}
    found = False
    for rule in db.get("IpPermissions", []):
        for source in _groups(rule):
            if source in app_refs:
                if not _exactly_port(rule):
                    return False, (
                        "The rule from app-sg opens more than TCP 5432 "
                        f"(protocol {rule.get('IpProtocol')}, ports {rule.get('FromPort')}-{rule.get('ToPort')})."
                    )
                found = True
            elif _covers_port(rule):
                return False, f"Another security group ({source}) can also reach port {PORT}."
    if not found:
        return False, "No inbound rule of db-sg has app-sg as its source."
    return True


# ---------------------------------------------------------------- IAM


def _allows_every_action(statement):
    if str(statement.get("Effect", "")).capitalize() != "Allow":
        return False
    if "NotAction" in statement:
        return True
    return any(action_matches(p, _ALL_ACTIONS_PROBE) for p in as_list(statement.get("Action")))


def _probe_resource(statement):
    resources = as_list(statement.get("Resource")) or ["*"]
    return str(resources[0]).replace("*", "tutorprobe").replace("?", "x")


def user_not_admin(ctx):
    iam = ctx.client("iam")
    try:
        ctx.call("iam", "get_user", UserName=USER)
    except iam.exceptions.NoSuchEntityException:
        return False, "The user ci-deployer is gone. Keep it: the investigation needs its history."
    policies = ctx.policy_evaluator.user_policies(USER)
    for policy in policies:
        if policy.name.split(" of group ")[0] == "AdministratorAccess":
            where = "through a group" if " of group " in policy.name else "directly"
            return False, f"AdministratorAccess is still attached {where}."
    for policy in policies:
        for statement in statements(policy.document):
            if not _allows_every_action(statement):
                continue
            request = Request(action=_ALL_ACTIONS_PROBE, resource=_probe_resource(statement))
            if evaluate(request, policies).allowed:
                return False, f"The {policy.label} allows every action (*)."
    return True


def leaked_key_disabled(ctx):
    record = _record(ctx)
    if not record or not record.get("leaked_key"):
        return False, (
            "The lab lost track of which key leaked (its record is missing). "
            "Reset the lab with `tutor lab reset fix-the-breach`."
        )
    key_id = record["leaked_key"]
    iam = ctx.client("iam")
    try:
        keys = ctx.call("iam", "list_access_keys", UserName=USER)["AccessKeyMetadata"]
    except iam.exceptions.NoSuchEntityException:
        return True, "The user and its keys are gone."
    for key in keys:
        if key["AccessKeyId"] == key_id and key.get("Status") == "Active":
            return False, f"Key {key_id} is still Active."
    return True
