"""Reference solution for rds-multi-az, with the AWS CLI as a learner would type it."""


def _text(ctx, command):
    return ctx.aws(command + " --output text").stdout.strip()


def solve(ctx):
    private = _text(
        ctx,
        "ec2 describe-subnets --filters Name=tag:Name,Values=orders-private-a,orders-private-b "
        "--query Subnets[].SubnetId",
    )
    ctx.aws(
        "rds create-db-subnet-group --db-subnet-group-name orders-db-subnets "
        "--db-subnet-group-description 'Private subnets for the orders database' "
        f"--subnet-ids {private}"
    )
    sg = _text(
        ctx,
        "ec2 describe-security-groups --filters Name=group-name,Values=orders-db-sg --query SecurityGroups[0].GroupId",
    )
    ctx.aws(
        "rds create-db-instance --db-instance-identifier orders-db --engine postgres --engine-version 16.3 "
        "--db-instance-class db.t3.medium --allocated-storage 50 "
        "--master-username orders_admin --manage-master-user-password "
        "--db-subnet-group-name orders-db-subnets "
        f"--vpc-security-group-ids {sg} "
        "--multi-az --no-publicly-accessible --storage-encrypted "
        "--backup-retention-period 7 --deletion-protection"
    )
