"""Reference solution for org-scp-region-guardrail, with the AWS CLI as a learner would type it."""

import json

GUARDRAIL = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "OnlyApprovedRegions",
            "Effect": "Deny",
            "NotAction": ["iam:*", "organizations:*", "sts:*", "route53:*", "cloudfront:*", "support:*"],
            "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}},
        }
    ],
}


def solve(ctx):
    ctx.aws("organizations create-organization --feature-set ALL")
    root = ctx.aws_json("organizations list-roots --query Roots[0].Id")
    ou = ctx.aws_json(f"organizations create-organizational-unit --parent-id {root} --name workloads")
    ctx.write("region-guardrail.json", json.dumps(GUARDRAIL))
    policy = ctx.aws_json(
        "organizations create-policy --name region-guardrail --type SERVICE_CONTROL_POLICY "
        "--description 'Deny all Regions except us-east-1 and eu-west-1' "
        "--content file://region-guardrail.json"
    )
    ctx.aws(
        f"organizations attach-policy --policy-id {policy['Policy']['PolicySummary']['Id']} "
        f"--target-id {ou['OrganizationalUnit']['Id']}"
    )
