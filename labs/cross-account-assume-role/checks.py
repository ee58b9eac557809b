"""Python checks for cross-account-assume-role: the trust policy and the permissions are graded over the
documents (every principal, action and condition value they name, see tutor.grading.access), not samples."""

from tutor.grading.access import describe_principals, grants, others_who_can_assume
from tutor.grading.iam import Request, can_assume, evaluate, exact_permissions
from tutor.grading.policy import find_statements

ROLE = "audit-readonly"
BUCKET = "audit-evidence"
AUDITOR = "arn:aws:iam::111122223333:role/ledgerline-auditor"
EXTERNAL_ID = "LL-7731-nimbus"
WITH_ID = {"sts:ExternalId": EXTERNAL_ID}


def _trust_grants(trust):
    """Every representative (principal, action, external ID) the trust policy lets in."""
    return grants(trust, principals=[AUDITOR], actions=["sts:AssumeRole"], context={"sts:ExternalId": EXTERNAL_ID})


def _trust(ctx):
    try:
        ctx.call("iam", "get_role", RoleName=ROLE)
    except Exception:  # noqa: BLE001 - NoSuchEntity
        return None
    return ctx.policy_evaluator.trust_policy(ROLE)


def partner_can_assume(ctx):
    trust = _trust(ctx)
    if trust is None:
        return False, f"There is no role {ROLE} yet."
    return can_assume(trust, AUDITOR, context=WITH_ID)


def external_id_required(ctx):
    trust = _trust(ctx)
    if trust is None:
        return False, f"There is no role {ROLE} yet."
    if not find_statements(trust.document, effect="Allow", condition=("sts:ExternalId", EXTERNAL_ID)):
        return False, f"No Allow statement of the trust policy has a condition on sts:ExternalId = {EXTERNAL_ID}."
    for grant in (g for g in _trust_grants(trust) if g.principal.value == AUDITOR):
        sent = grant.request.context.get("sts:externalid")
        if sent is None:
            return False, f"A caller that sends no external ID can assume the role (via {grant.via})."
        if sent != EXTERNAL_ID:
            return False, f"A caller that sends a different external ID can assume the role (via {grant.via})."
    return True


def nobody_else(ctx):
    trust = _trust(ctx)
    if trust is None:
        return False, f"There is no role {ROLE} yet."
    outsiders = others_who_can_assume(trust, AUDITOR, context=WITH_ID)
    if outsiders:
        return False, "Others can assume it too: " + describe_principals(outsiders) + "."
    return True


def _policies(ctx):
    if _trust(ctx) is None:
        return None
    return ctx.policy_evaluator.role_policies(ROLE)


def reads_evidence(ctx):
    policies = _policies(ctx)
    if policies is None:
        return False, f"There is no role {ROLE} yet."
    wanted = [
        ("s3:ListBucket", f"arn:aws:s3:::{BUCKET}"),
        ("s3:GetObject", f"arn:aws:s3:::{BUCKET}/2025/q2/access-review.csv"),
    ]
    missing = [f"{a} on {r}" for a, r in wanted if not evaluate(Request(action=a, resource=r), policies).allowed]
    if missing:
        return False, "Not allowed: " + "; ".join(missing) + "."
    return True


def nothing_else(ctx):
    policies = _policies(ctx)
    if policies is None:
        return False, f"There is no role {ROLE} yet."
    if not policies:
        return False, "The role has no permissions policy yet."
    # One merged statement (both actions on both ARNs) is a common, harmless spelling: s3:GetObject on the
    # bucket ARN and s3:ListBucket on object ARNs grant nothing in AWS. They count as expected here, and only
    # the extra grants of the report are used (read-evidence says what is missing).
    report = exact_permissions(
        policies, ["s3:ListBucket", "s3:GetObject"], [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"]
    )
    if report.extra:
        more = f" (and {len(report.extra) - 3} more)" if len(report.extra) > 3 else ""
        return False, "The role also allows " + "; ".join(report.extra[:3]) + more + "."
    return True
