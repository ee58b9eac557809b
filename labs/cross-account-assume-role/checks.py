"""Python checks for cross-account-assume-role: the trust policy with can_assume, permissions with the evaluator."""

from tutor.grading.iam import Request, can_assume, evaluate, exact_permissions
from tutor.grading.policy import find_statements

ROLE = "audit-readonly"
BUCKET = "audit-evidence"
AUDITOR = "arn:aws:iam::111122223333:role/ledgerline-auditor"
EXTERNAL_ID = "LL-7731-nimbus"
WITH_ID = {"sts:ExternalId": EXTERNAL_ID}
# principal -> words, each tried with the right external ID
OTHERS = {
    "arn:aws:iam::111122223333:role/ledgerline-intern": "another role of account 111122223333",
    "arn:aws:iam::111122223333:user/admin": "a user of account 111122223333",
    "arn:aws:iam::444455556666:role/ledgerline-auditor": "a role of the same name in another account",
    "arn:aws:iam::123456789012:role/developer": "a role of this account",
    "arn:aws:iam::123456789012:root": "this account",
    "ec2.amazonaws.com": "an AWS service",
}


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
    for principal in (AUDITOR, "arn:aws:iam::111122223333:root"):
        if can_assume(trust, principal):
            return False, "A caller that sends no external ID can assume the role."
        if can_assume(trust, principal, context={"sts:ExternalId": "LL-0000-other"}):
            return False, "A caller that sends a different external ID can assume the role."
    return True


def nobody_else(ctx):
    trust = _trust(ctx)
    if trust is None:
        return False, f"There is no role {ROLE} yet."
    let_in = [who for principal, who in OTHERS.items() if can_assume(trust, principal, context=WITH_ID)]
    if let_in:
        return False, "These can assume it too: " + "; ".join(let_in) + "."
    return True


def _policies(ctx):
    if _trust(ctx) is None:
        return None
    return ctx.policy_evaluator.role_policies(ROLE)


def reads_evidence(ctx):
    policies = _policies(ctx)
    if policies is None:
        return False, f"There is no role {ROLE} yet."
    wanted = [("s3:ListBucket", f"arn:aws:s3:::{BUCKET}"),
              ("s3:GetObject", f"arn:aws:s3:::{BUCKET}/2025/q2/access-review.csv")]
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
    report = exact_permissions(policies, ["s3:ListBucket", "s3:GetObject"],
                               [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"])
    if report.extra:
        more = f" (and {len(report.extra) - 3} more)" if len(report.extra) > 3 else ""
        return False, "The role also allows " + "; ".join(report.extra[:3]) + more + "."
    return True
