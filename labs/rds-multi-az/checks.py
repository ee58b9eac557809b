"""Python checks for rds-multi-az.

"Private" is decided by routing, not by name: a subnet is private when the route table it really uses
(its explicit association, else the VPC's main table) has no route to an internet gateway.
"""

GROUP = "orders-db-subnets"
VPC_NAME = "orders-vpc"


def _effective_routes(ctx, vpc_id, subnet_id):
    tables = ctx.call("ec2", "describe_route_tables", Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["RouteTables"]
    for table in tables:
        if any(a.get("SubnetId") == subnet_id for a in table.get("Associations", [])):
            return table.get("Routes", [])
    for table in tables:
        if any(a.get("Main") for a in table.get("Associations", [])):
            return table.get("Routes", [])
    return []


def _public(routes):
    return any(str(r.get("GatewayId", "")).startswith("igw-") for r in routes)


def private_subnet_group(ctx):
    rds = ctx.client("rds")
    try:
        group = ctx.call("rds", "describe_db_subnet_groups", DBSubnetGroupName=GROUP)["DBSubnetGroups"][0]
    except rds.exceptions.DBSubnetGroupNotFoundFault:
        return False, "there is no DB subnet group orders-db-subnets yet"
    vpcs = ctx.call("ec2", "describe_vpcs", Filters=[{"Name": "tag:Name", "Values": [VPC_NAME]}])["Vpcs"]
    if group.get("VpcId") not in {v["VpcId"] for v in vpcs}:
        return False, "its subnets are not in orders-vpc"
    ids = [s["SubnetIdentifier"] for s in group.get("Subnets", [])]
    subnets = ctx.call("ec2", "describe_subnets", SubnetIds=ids)["Subnets"] if ids else []
    problems = []
    for subnet in subnets:
        name = next((t["Value"] for t in subnet.get("Tags", []) if t["Key"] == "Name"), subnet["SubnetId"])
        if _public(_effective_routes(ctx, subnet["VpcId"], subnet["SubnetId"])):
            problems.append(f"{name} routes to an internet gateway, so it is a public subnet")
    zones = {s["AvailabilityZone"] for s in subnets}
    if len(zones) < 2:
        problems.append(f"its subnets cover only one Availability Zone ({', '.join(sorted(zones)) or 'none'})")
    if problems:
        return False, "; ".join(problems)
    return True
