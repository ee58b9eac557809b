"""Reference solution for fix-the-breach, with the AWS CLI as a responder would type it."""


def solve(ctx):
    # F4 first: the leaked key is being used right now. Deactivate it (keep it for the investigation).
    key_id = ctx.aws_json(
        "iam list-access-keys --user-name ci-deployer --query \"AccessKeyMetadata[?Status=='Active'].AccessKeyId\""
    )[0]
    ctx.aws(f"iam update-access-key --user-name ci-deployer --access-key-id {key_id} --status Inactive")

    # F3: take the administrator policy away from the CI user (detach, whatever its ARN).
    arns = ctx.aws_json(
        "iam list-attached-user-policies --user-name ci-deployer "
        "--query \"AttachedPolicies[?PolicyName=='AdministratorAccess'].PolicyArn\""
    )
    for arn in arns:
        ctx.aws(f"iam detach-user-policy --user-name ci-deployer --policy-arn {arn}")

    # F1: block public access on the bucket and remove the public policy.
    ctx.aws(
        "s3api put-public-access-block --bucket customer-exports --public-access-block-configuration "
        "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true"
    )
    ctx.aws("s3api delete-bucket-policy --bucket customer-exports")

    # F2: the database port only from the application tier.
    db = ctx.aws_json(
        "ec2 describe-security-groups --filters Name=group-name,Values=db-sg --query SecurityGroups[0].GroupId"
    )
    app = ctx.aws_json(
        "ec2 describe-security-groups --filters Name=group-name,Values=app-sg --query SecurityGroups[0].GroupId"
    )
    ctx.aws(f"ec2 revoke-security-group-ingress --group-id {db} --protocol tcp --port 5432 --cidr 0.0.0.0/0")
    ctx.aws(f"ec2 authorize-security-group-ingress --group-id {db} --protocol tcp --port 5432 --source-group {app}")
