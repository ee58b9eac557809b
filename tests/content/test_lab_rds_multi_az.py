"""rds-multi-az graded against a real sandbox: other correct solutions pass, plausible mistakes fail
exactly the checks they should."""

from fixtures.labs import failing

LAB = "rds-multi-az"


def subnet_ids(ec2, *names):
    found = ec2.describe_subnets(Filters=[{"Name": "tag:Name", "Values": list(names)}])["Subnets"]
    return [s["SubnetId"] for s in found]


def build(ctx, *, subnets=("orders-private-a", "orders-private-b"), **overrides):
    rds = ctx.client("rds")
    rds.create_db_subnet_group(
        DBSubnetGroupName="orders-db-subnets",
        DBSubnetGroupDescription="orders",
        SubnetIds=subnet_ids(ctx.client("ec2"), *subnets),
    )
    params = {
        "DBInstanceIdentifier": "orders-db",
        "Engine": "postgres",
        "DBInstanceClass": "db.m6g.large",
        "AllocatedStorage": 100,
        "MasterUsername": "orders",
        "MasterUserPassword": "not-a-real-one-42",
        "DBSubnetGroupName": "orders-db-subnets",
        "MultiAZ": True,
        "PubliclyAccessible": False,
        "StorageEncrypted": True,
        "BackupRetentionPeriod": 7,
        "DeletionProtection": True,
    }
    params.update(overrides)
    params = {k: v for k, v in params.items() if v is not None}
    rds.create_db_instance(**params)


def test_boto3_create_then_modify_passes(lab_session):
    """Created with little, then Multi-AZ, a 14-day retention and deletion protection switched on later."""
    ctx = lab_session.solve_context()
    build(
        ctx,
        subnets=("orders-private-b", "orders-private-a"),
        MultiAZ=None,
        BackupRetentionPeriod=1,
        DeletionProtection=None,
    )
    ctx.client("rds").modify_db_instance(
        DBInstanceIdentifier="orders-db",
        MultiAZ=True,
        BackupRetentionPeriod=14,
        DeletionProtection=True,
        ApplyImmediately=True,
    )
    assert failing(lab_session) == set()


def test_cli_with_kms_alias_and_long_retention_passes(lab_session):
    ctx = lab_session.solve_context()
    ids = " ".join(subnet_ids(ctx.client("ec2"), "orders-private-a", "orders-private-b"))
    ctx.aws(
        f"rds create-db-subnet-group --db-subnet-group-name orders-db-subnets "
        f"--db-subnet-group-description private --subnet-ids {ids}"
    )
    ctx.aws(
        "rds create-db-instance --db-instance-identifier orders-db --engine postgres "
        "--db-instance-class db.r6g.large --allocated-storage 100 --master-username app "
        "--master-user-password throwaway-pass-1 --db-subnet-group-name orders-db-subnets "
        "--storage-encrypted --no-publicly-accessible --multi-az --kms-key-id alias/aws/rds "
        "--backup-retention-period 35 --deletion-protection"
    )
    assert failing(lab_session) == set()


def test_public_subnets_in_the_group(lab_session):
    build(lab_session.solve_context(), subnets=("orders-public-a", "orders-public-b"))
    assert failing(lab_session) == {"subnet-group"}


def test_one_public_one_private_subnet(lab_session):
    build(lab_session.solve_context(), subnets=("orders-public-b", "orders-private-a"))
    assert failing(lab_session) == {"subnet-group"}


def test_public_access_left_to_the_default(lab_session):
    build(lab_session.solve_context(), PubliclyAccessible=None)
    assert failing(lab_session) == {"not-public"}


def test_single_az(lab_session):
    build(lab_session.solve_context(), MultiAZ=False)
    assert failing(lab_session) == {"multi-az"}


def test_backups_for_one_day(lab_session):
    build(lab_session.solve_context(), BackupRetentionPeriod=1)
    assert failing(lab_session) == {"backups"}


def test_unencrypted_storage(lab_session):
    build(lab_session.solve_context(), StorageEncrypted=False)
    assert failing(lab_session) == {"encrypted"}


def test_mysql_instead_of_postgres(lab_session):
    build(lab_session.solve_context(), Engine="mysql")
    assert failing(lab_session) == {"engine"}
