"""Python checks for dynamodb-orders: read the items back with a Query and parse the timestamps for real."""

from datetime import datetime

TABLE = "Orders"
USER = "user#abc"


def _orders(ctx):
    """user#abc's items whose orderId begins with order#, read with a Query (every page)."""
    dynamodb = ctx.client("dynamodb")
    items, start = [], None
    while True:
        params = {
            "TableName": TABLE,
            "KeyConditionExpression": "#u = :u AND begins_with(#o, :p)",
            "ExpressionAttributeNames": {"#u": "userId", "#o": "orderId"},
            "ExpressionAttributeValues": {":u": {"S": USER}, ":p": {"S": "order#"}},
        }
        if start:
            params["ExclusiveStartKey"] = start
        page = dynamodb.query(**params)
        items += page.get("Items", [])
        start = page.get("LastEvaluatedKey")
        if not start:
            return items


def iso_8601(value):
    """The parsed datetime, or None when ``value`` is not an ISO-8601 date or date-time string."""
    if not isinstance(value, str) or not value[:4].isdigit():
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _read(ctx):
    try:
        return _orders(ctx), None
    except Exception as exc:  # noqa: BLE001 - no table, or userId/orderId are not its key
        code = getattr(exc, "response", {}).get("Error", {}).get("Code", type(exc).__name__)
        if code == "ResourceNotFoundException":
            return None, "The table Orders does not exist yet."
        return None, f"A Query on userId and orderId failed ({code}): are they the table's key?"


def orders_items(ctx):
    items, problem = _read(ctx)
    if problem:
        return False, problem
    good, bad = [], []
    for item in items:
        created = item.get("createdAt", {})
        if "S" in created and iso_8601(created["S"]):
            good.append(item)
        else:
            shown = next(iter(created.values()), None) if created else None
            bad.append(f"{item['orderId'].get('S')} has createdAt {shown!r}")
    if len(good) >= 3:
        return True, f"{len(good)} orders found for {USER}."
    message = f"The Query found {len(items)} order# item(s) for {USER}, {len(good)} with a valid createdAt."
    if bad:
        message += " Not ISO-8601 strings: " + "; ".join(bad[:3]) + "."
    return False, message


def pending_order(ctx):
    items, problem = _read(ctx)
    if problem:
        return False, problem
    statuses = [item.get("status", {}).get("S") for item in items]
    if "pending" in statuses:
        return True
    found = sorted({s for s in statuses if s})
    return False, (
        "Statuses found: " + ", ".join(repr(s) for s in found) + "."
        if found
        else f"None of {USER}'s order# items has a string status attribute."
    )


def table_keys(ctx):
    try:
        table = ctx.call("dynamodb", "describe_table", TableName=TABLE)["Table"]
    except Exception:  # noqa: BLE001 - ResourceNotFoundException
        return False, "The table Orders does not exist yet."
    keys = {k["KeyType"]: k["AttributeName"] for k in table.get("KeySchema", [])}
    if keys.get("HASH") != "userId" or keys.get("RANGE") != "orderId":
        return False, f"Its key is partition {keys.get('HASH')!r}, sort {keys.get('RANGE')!r}."
    # moto's UpdateTable replaces AttributeDefinitions instead of merging them, so a key attribute may be missing
    # from the list after a later update-table; judge the types that are there.
    types = {a["AttributeName"]: a["AttributeType"] for a in table.get("AttributeDefinitions", [])}
    wrong = [f"{name} is {types[name]}" for name in ("userId", "orderId") if types.get(name, "S") != "S"]
    if wrong:
        return False, "Key types: " + ", ".join(wrong) + " (N is a number, B binary; S is a string)."
    return True


def created_at_index(ctx):
    try:
        table = ctx.call("dynamodb", "describe_table", TableName=TABLE)["Table"]
    except Exception:  # noqa: BLE001 - ResourceNotFoundException
        return False, "The table Orders does not exist yet."
    index = next((i for i in table.get("GlobalSecondaryIndexes") or [] if i.get("IndexName") == "CreatedAtIndex"), None)
    if index is None:
        if any(i.get("IndexName") == "CreatedAtIndex" for i in table.get("LocalSecondaryIndexes") or []):
            return False, (
                "CreatedAtIndex is a local secondary index; a global one has its own capacity and can "
                "be added or removed at any time."
            )
        names = [i.get("IndexName") for i in table.get("GlobalSecondaryIndexes") or []]
        return False, (
            "The table's global secondary indexes are: " + ", ".join(names) + "."
            if names
            else "The table has no global secondary index yet."
        )
    keys = {k["KeyType"]: k["AttributeName"] for k in index.get("KeySchema", [])}
    if keys.get("HASH") != "userId" or keys.get("RANGE") != "createdAt":
        return False, f"CreatedAtIndex has partition key {keys.get('HASH')!r} and sort key {keys.get('RANGE')!r}."
    projection = index.get("Projection", {}).get("ProjectionType")
    if projection != "ALL":
        return False, f"CreatedAtIndex projects {projection}, so a Query on it would not return whole orders."
    types = {a["AttributeName"]: a["AttributeType"] for a in table.get("AttributeDefinitions", [])}
    if types.get("createdAt", "S") != "S":
        return False, f"createdAt is defined as type {types['createdAt']}; ISO-8601 timestamps are strings (S)."
    return True
