"""Python checks for org-scp-region-guardrail: find the OU and its SCPs, grade the documents with the evaluator.

SCP semantics, modelled at the OU level: a request is permitted when the SCPs attached to the OU allow it and
none denies it (explicit deny > allow > implicit deny). When the learner's SCP is not attached yet, its document
is graded together with FullAWSAccess, so the document checks and the attachment check fail independently.
"""

from tutor.grading.access import universe
from tutor.grading.iam import PolicyDocument, Request, evaluate
from tutor.grading.policy import parse_policy

OU_NAME = "workloads"
APPROVED = ("us-east-1", "eu-west-1")
REGIONAL = ("ec2:RunInstances", "s3:PutObject", "lambda:CreateFunction", "dynamodb:PutItem", "rds:CreateDBInstance")
OTHER_REGIONS = ("ap-south-1", "us-west-2", "eu-central-1")
GLOBAL = (
    "iam:CreateUser",
    "iam:PassRole",
    "sts:AssumeRole",
    "organizations:ListAccounts",
    "route53:ChangeResourceRecordSets",
    "cloudfront:CreateInvalidation",
)
# Services whose endpoints are global (signed for us-east-1 wherever the caller is): exempting them is right.
GLOBAL_SERVICES = {
    "iam",
    "sts",
    "organizations",
    "route53",
    "route53domains",
    "cloudfront",
    "support",
    "budgets",
    "ce",
    "cur",
    "aws-portal",
    "billing",
    "account",
    "health",
    "trustedadvisor",
    "globalaccelerator",
    "shield",
    "waf",
    "pricing",
    "importexport",
}
FULL_ACCESS = PolicyDocument(
    "FullAWSAccess",
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
    "SCP",
)


def _workloads(ctx):
    """The workloads OU directly under the root, or None."""
    try:
        roots = ctx.call("organizations", "list_roots")["Roots"]
    except Exception:  # noqa: BLE001 - no organization
        return None
    for root in roots:
        ous = ctx.call("organizations", "list_organizational_units_for_parent", ParentId=root["Id"])
        for ou in ous["OrganizationalUnits"]:
            if ou["Name"] == OU_NAME:
                return ou
    return None


def _document(ctx, policy_id, name):
    content = ctx.call("organizations", "describe_policy", PolicyId=policy_id)["Policy"]["Content"]
    return PolicyDocument(name, parse_policy(content), "SCP")


def _attached(ctx, target_id, *, own_only=False):
    """The SCPs attached to a target (own_only: without AWS managed ones such as FullAWSAccess)."""
    policies = ctx.call(
        "organizations", "list_policies_for_target", TargetId=target_id, Filter="SERVICE_CONTROL_POLICY"
    )["Policies"]
    return [_document(ctx, p["Id"], p["Name"]) for p in policies if not (own_only and p.get("AwsManaged"))]


def _customer_scps(ctx):
    policies = ctx.call("organizations", "list_policies", Filter="SERVICE_CONTROL_POLICY")["Policies"]
    return [_document(ctx, p["Id"], p["Name"]) for p in policies if not p.get("AwsManaged")]


def _effective(ctx):
    """(documents to grade, None) or (None, why not)."""
    try:
        ctx.call("organizations", "describe_organization")
    except Exception:  # noqa: BLE001 - AWSOrganizationsNotInUseException
        return None, "There is no organization yet."
    ou = _workloads(ctx)
    if ou is not None and _attached(ctx, ou["Id"], own_only=True):
        return _attached(ctx, ou["Id"]), None
    scps = _customer_scps(ctx)
    if not scps:
        return None, "There is no service control policy of your own yet."
    return [FULL_ACCESS, *scps], None


def _request(action, region):
    return Request(action=action, resource="*", context={"aws:RequestedRegion": region})


def ou_workloads(ctx):
    return _workloads(ctx) is not None


def denies_other_regions(ctx):
    """Every action any statement names (and any other action of any service), in every Region the documents
    name and in a Region none names, is denied outside the approved Regions; only global services may pass."""
    docs, why = _effective(ctx)
    if docs is None:
        return False, why
    space = universe(docs, actions=REGIONAL, context={"aws:RequestedRegion": [*OTHER_REGIONS, *APPROVED]})
    leaks = []
    for request, _, action, _, context in space.requests():
        region = context.get("aws:requestedregion")
        if region is None or region.value is None or region.value.lower() in APPROVED:
            continue
        service = request.action.split(":", 1)[0].lower()
        if service in GLOBAL_SERVICES or evaluate(request, docs).decision == "explicit-deny":
            continue
        where = region.value if region.value in OTHER_REGIONS else "a Region the policy does not name"
        leaks.append((where not in OTHER_REGIONS, f"{action.shown} in {where}"))
    if leaks:
        leaks.sort()
        first = leaks[0][1]
        return False, (
            f"{first} is not denied. Only global services (IAM, STS, Organizations, Route 53, "
            "CloudFront, Support, ...) may be exempted; every other service is regional."
        )
    return True


def allows_approved_regions(ctx):
    docs, why = _effective(ctx)
    if docs is None:
        return False, why
    for region in APPROVED:
        for action in REGIONAL:
            decision = evaluate(_request(action, region), docs)
            if not decision.allowed:
                by = f" by {decision.deciding[0]}" if decision.deciding else " (nothing allows it)"
                return False, f"{action} in {region} is denied{by}."
    return True


def global_services_exempt(ctx):
    docs, why = _effective(ctx)
    if docs is None:
        return False, why
    blocked = []
    for action in GLOBAL:
        for region in ("ap-south-1", "us-east-1", "eu-west-1"):
            if not evaluate(_request(action, region), docs).allowed:
                blocked.append(f"{action} ({region})")
                break
    if blocked:
        return False, "Denied: " + ", ".join(blocked) + "."
    return True


def attached_to_workloads(ctx):
    ou = _workloads(ctx)
    if ou is None:
        return False, "There is no OU named workloads under the root yet."
    attached = _attached(ctx, ou["Id"], own_only=True)
    if not attached:
        return False, "Only AWS managed policies (FullAWSAccess) are attached to workloads."
    return True, "Attached to workloads: " + ", ".join(d.name for d in attached) + "."
