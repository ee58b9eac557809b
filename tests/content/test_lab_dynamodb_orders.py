"""dynamodb-orders: independent correct variants pass every check; plausible mistakes fail exactly their checks."""

import json

from fixtures.labs import failing, report

LAB = "dynamodb-orders"
HASH_RANGE = [{"AttributeName": "userId", "KeyType": "HASH"}, {"AttributeName": "orderId", "KeyType": "RANGE"}]
INDEX_KEYS = [{"AttributeName": "userId", "KeyType": "HASH"}, {"AttributeName": "createdAt", "KeyType": "RANGE"}]


def attrs(created_type="S"):
    return [
        {"AttributeName": "userId", "AttributeType": "S"},
        {"AttributeName": "orderId", "AttributeType": "S"},
        {"AttributeName": "createdAt", "AttributeType": created_type},
    ]


def create(ctx, *, keys=HASH_RANGE, billing="PAY_PER_REQUEST", projection="ALL", created_type="S", lsi=False):
    params = {
        "TableName": "Orders",
        "AttributeDefinitions": attrs(created_type),
        "KeySchema": keys,
        "BillingMode": billing,
    }
    index = {"IndexName": "CreatedAtIndex", "KeySchema": INDEX_KEYS, "Projection": {"ProjectionType": projection}}
    if billing == "PROVISIONED":
        params["ProvisionedThroughput"] = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
        index["ProvisionedThroughput"] = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    if lsi:
        index.pop("ProvisionedThroughput", None)
        params["LocalSecondaryIndexes"] = [index]
    else:
        params["GlobalSecondaryIndexes"] = [index]
    ctx.client("dynamodb").create_table(**params)


def put_orders(
    ctx,
    created=("2025-03-02T08:15:00Z", "2025-03-09T17:42:10Z", "2025-03-14T09:26:53Z"),
    pending="pending",
    created_type="S",
):
    for n, when in enumerate(created):
        item = {
            "userId": {"S": "user#abc"},
            "orderId": {"S": f"order#{1001 + n}"},
            "createdAt": {created_type: when},
            "status": {"S": pending if n == len(created) - 1 else "shipped"},
        }
        ctx.client("dynamodb").put_item(TableName="Orders", Item=item)


def test_untouched_fails_everything(lab_session):
    assert failing(lab_session) == {c.id for c in lab_session.lab.checks}


def test_boto3_resource_api_with_other_users_and_offsets_passes(lab_session):
    ctx = lab_session.solve_context()
    create(ctx)
    import boto3

    table = boto3.resource(
        "dynamodb",
        endpoint_url=lab_session.sandbox.endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    ).Table("Orders")
    with table.batch_writer() as batch:
        batch.put_item(
            Item={
                "userId": "user#abc",
                "orderId": "order#A1",
                "createdAt": "2025-01-05T10:00:00+01:00",
                "status": "delivered",
                "total": 12,
            }
        )
        batch.put_item(
            Item={
                "userId": "user#abc",
                "orderId": "order#A2",
                "createdAt": "2025-02-11T23:59:59.250Z",
                "status": "pending",
            }
        )
        batch.put_item(Item={"userId": "user#abc", "orderId": "order#A3", "createdAt": "2025-02-12"})
        batch.put_item(Item={"userId": "user#abc", "orderId": "cart#1", "createdAt": "2025-02-12T00:00:00Z"})
        batch.put_item(Item={"userId": "user#xyz", "orderId": "order#Z1", "createdAt": "2025-02-12T00:00:00Z"})
    assert failing(lab_session) == set()


def test_cli_provisioned_then_switched_and_gsi_added_later_passes(lab_session):
    ctx = lab_session.solve_context()
    ctx.aws(
        "dynamodb create-table --table-name Orders "
        "--attribute-definitions AttributeName=orderId,AttributeType=S AttributeName=userId,AttributeType=S "
        "--key-schema AttributeName=userId,KeyType=HASH AttributeName=orderId,KeyType=RANGE "
        "--provisioned-throughput ReadCapacityUnits=1,WriteCapacityUnits=1"
    )
    ctx.aws("dynamodb update-table --table-name Orders --billing-mode PAY_PER_REQUEST")
    ctx.write(
        "gsi-update.json",
        json.dumps(
            [
                {
                    "Create": {
                        "IndexName": "CreatedAtIndex",
                        "KeySchema": INDEX_KEYS,
                        "Projection": {"ProjectionType": "ALL"},
                    }
                }
            ]
        ),
    )
    ctx.aws(
        "dynamodb update-table --table-name Orders "
        "--attribute-definitions AttributeName=createdAt,AttributeType=S "
        "--global-secondary-index-updates file://gsi-update.json"
    )
    ctx.write(
        "batch.json",
        json.dumps(
            {
                "Orders": [
                    {
                        "PutRequest": {
                            "Item": {
                                "userId": {"S": "user#abc"},
                                "orderId": {"S": f"order#{n}"},
                                "createdAt": {"S": f"2025-04-0{n}T12:00:00Z"},
                                "status": {"S": "pending" if n == 2 else "paid"},
                            }
                        }
                    }
                    for n in (1, 2, 3)
                ]
            }
        ),
    )
    ctx.aws("dynamodb batch-write-item --request-items file://batch.json")
    assert failing(lab_session) == set()


def test_provisioned_billing_fails_only_billing(lab_session):
    ctx = lab_session.solve_context()
    create(ctx, billing="PROVISIONED")
    put_orders(ctx)
    assert failing(lab_session) == {"billing"}


def test_keys_only_projection_fails_only_gsi(lab_session):
    ctx = lab_session.solve_context()
    create(ctx, projection="KEYS_ONLY")
    put_orders(ctx)
    assert failing(lab_session) == {"gsi"}


def test_local_index_instead_of_global_fails_only_gsi(lab_session):
    ctx = lab_session.solve_context()
    create(ctx, lsi=True)
    put_orders(ctx)
    graded = report(lab_session)
    failed = {c.id: c.message for c in graded.checks if not c.passed}
    assert set(failed) == {"gsi"}
    assert "local secondary index" in failed["gsi"]


def test_epoch_numbers_fail_gsi_and_items(lab_session):
    ctx = lab_session.solve_context()
    create(ctx, created_type="N")
    put_orders(ctx, created=("1740903300", "1741542130", "1741944413"), created_type="N")
    assert failing(lab_session) == {"gsi", "orders-items"}


def test_us_dates_fail_only_items(lab_session):
    ctx = lab_session.solve_context()
    create(ctx)
    put_orders(ctx, created=("03/02/2025", "2025-03-09T17:42:10Z", "2025-13-14T09:26:53Z"))
    graded = report(lab_session)
    failed = {c.id: c.message for c in graded.checks if not c.passed}
    assert set(failed) == {"orders-items"}
    assert "03/02/2025" in failed["orders-items"] and "2025-13-14" in failed["orders-items"]


def test_two_orders_only_fail_only_items(lab_session):
    ctx = lab_session.solve_context()
    create(ctx)
    put_orders(ctx, created=("2025-03-02T08:15:00Z", "2025-03-09T17:42:10Z"))
    assert failing(lab_session) == {"orders-items"}


def test_capitalised_status_fails_only_pending(lab_session):
    ctx = lab_session.solve_context()
    create(ctx)
    put_orders(ctx, pending="Pending")
    assert failing(lab_session) == {"pending-order"}


def test_swapped_keys_fail_keys_and_the_item_queries(lab_session):
    ctx = lab_session.solve_context()
    create(ctx, keys=[{"AttributeName": "orderId", "KeyType": "HASH"}, {"AttributeName": "userId", "KeyType": "RANGE"}])
    put_orders(ctx)
    graded = report(lab_session)
    failed = {c.id: c.message for c in graded.checks if not c.passed}
    assert set(failed) == {"table-keys", "orders-items", "pending-order"}
    assert "are they the table's key" in failed["orders-items"]


def test_numeric_user_id_fails_keys_and_items(lab_session):
    ctx = lab_session.solve_context()
    ctx.client("dynamodb").create_table(
        TableName="Orders",
        BillingMode="PAY_PER_REQUEST",
        KeySchema=HASH_RANGE,
        AttributeDefinitions=[
            {"AttributeName": "userId", "AttributeType": "N"},
            {"AttributeName": "orderId", "AttributeType": "S"},
            {"AttributeName": "createdAt", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {"IndexName": "CreatedAtIndex", "KeySchema": INDEX_KEYS, "Projection": {"ProjectionType": "ALL"}}
        ],
    )
    graded = report(lab_session)
    failed = {c.id: c.message for c in graded.checks if not c.passed}
    assert set(failed) == {"table-keys", "orders-items", "pending-order"}
    assert "userId is N" in failed["table-keys"]
