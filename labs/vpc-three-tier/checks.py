"""Python checks for vpc-three-tier.

Everything is looked up by tag, CIDR block or group name (IDs are random), and routing is graded on the
EFFECTIVE route table of each subnet: its explicit association if it has one, else the VPC's main table.
"""

from tutor.grading import CheckFailed

VPC_NAME = "lab-vpc"
VPC_CIDR = "10.0.0.0/16"
TIERS = {
    "public": ("10.0.1.0/24", "10.0.2.0/24"),
    "app": ("10.0.10.0/24", "10.0.11.0/24"),
    "data": ("10.0.20.0/24", "10.0.21.0/24"),
}
DEFAULT_ROUTES = ("0.0.0.0/0", "::/0")


# ---------------------------------------------------------------- lookups


def _vpc(ctx):
    vpcs = ctx.call("ec2", "describe_vpcs", Filters=[{"Name": "tag:Name", "Values": [VPC_NAME]}])["Vpcs"]
    matching = [v for v in vpcs if v.get("CidrBlock") == VPC_CIDR]
    if not matching:
        if vpcs:
            raise CheckFailed(f"the VPC tagged Name={VPC_NAME} has CIDR {vpcs[0].get('CidrBlock')}, not {VPC_CIDR}")
        raise CheckFailed(f"there is no VPC tagged Name={VPC_NAME} yet")
    if len(matching) > 1:
        raise CheckFailed(f"{len(matching)} VPCs are tagged Name={VPC_NAME} with {VPC_CIDR}; delete the extra ones")
    return matching[0]


def _subnets(ctx, vpc_id):
    """{cidr: subnet} for the subnets of the VPC."""
    found = ctx.call("ec2", "describe_subnets", Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    return {s["CidrBlock"]: s for s in found}


def _tier(ctx, tier):
    """The two subnets of a tier, or CheckFailed naming what is absent."""
    vpc = _vpc(ctx)
    by_cidr = _subnets(ctx, vpc["VpcId"])
    missing = [cidr for cidr in TIERS[tier] if cidr not in by_cidr]
    if missing:
        raise CheckFailed(
            f"the {tier} subnet{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"{'do' if len(missing) > 1 else 'does'} not exist in {VPC_NAME} yet"
        )
    return vpc, [by_cidr[c] for c in TIERS[tier]]


def _route_tables(ctx, vpc_id):
    return ctx.call("ec2", "describe_route_tables", Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["RouteTables"]


def _effective_table(ctx, vpc_id, subnet_id):
    """(route table, how it applies): the explicitly associated table, else the VPC's main table."""
    tables = _route_tables(ctx, vpc_id)
    for table in tables:
        for assoc in table.get("Associations", []):
            if assoc.get("SubnetId") == subnet_id and _assoc_live(assoc):
                return table, "explicitly associated"
    for table in tables:
        for assoc in table.get("Associations", []):
            if assoc.get("Main") and _assoc_live(assoc):
                return table, "the main table: no explicit association"
    raise CheckFailed(f"{VPC_NAME} has no main route table")


def _assoc_live(assoc):
    state = (assoc.get("AssociationState") or {}).get("State", "associated")
    return state in ("associated", "associating")


def _route_live(route):
    return route.get("State", "active") == "active"


def _default_route(table, cidr="0.0.0.0/0"):
    for route in table.get("Routes", []):
        if route.get("DestinationCidrBlock") == cidr and _route_live(route):
            return route
    return None


def _igw_ids(ctx, vpc_id):
    igws = ctx.call("ec2", "describe_internet_gateways", Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])[
        "InternetGateways"
    ]
    return {
        g["InternetGatewayId"]
        for g in igws
        if any(
            a.get("VpcId") == vpc_id and a.get("State") in ("available", "attached", None)
            for a in g.get("Attachments", [])
        )
    }


def _nat_gateways(ctx, vpc_id):
    nats = ctx.call("ec2", "describe_nat_gateways", Filter=[{"Name": "vpc-id", "Values": [vpc_id]}])["NatGateways"]
    return {n["NatGatewayId"]: n for n in nats if n.get("State") in ("available", "pending")}


def _public_nat(nat):
    return nat.get("ConnectivityType", "public") == "public" and any(
        a.get("AllocationId") or a.get("PublicIp") for a in nat.get("NatGatewayAddresses", [])
    )


def _describe_target(route):
    for key in (
        "GatewayId",
        "NatGatewayId",
        "EgressOnlyInternetGatewayId",
        "InstanceId",
        "NetworkInterfaceId",
        "TransitGatewayId",
        "VpcPeeringConnectionId",
    ):
        if route.get(key):
            return route[key]
    return "nothing"


# ---------------------------------------------------------------- subnets


def subnets_exist(ctx):
    vpc = _vpc(ctx)
    by_cidr = _subnets(ctx, vpc["VpcId"])
    missing = [f"{cidr} ({tier})" for tier, cidrs in TIERS.items() for cidr in cidrs if cidr not in by_cidr]
    if missing:
        return False, "missing in lab-vpc: " + ", ".join(missing)
    return True


def tiers_span_two_azs(ctx):
    vpc = _vpc(ctx)
    by_cidr = _subnets(ctx, vpc["VpcId"])
    problems = []
    for tier, cidrs in TIERS.items():
        pair = [by_cidr[c] for c in cidrs if c in by_cidr]
        if len(pair) < 2:
            problems.append(f"the {tier} tier does not have both its subnets yet")
            continue
        zones = {s["AvailabilityZone"] for s in pair}
        if len(zones) < 2:
            problems.append(f"both {tier} subnets are in {zones.pop()}")
    if problems:
        return False, "; ".join(problems)
    return True


# ---------------------------------------------------------------- the internet side


def igw_attached(ctx):
    vpc = _vpc(ctx)
    return _igw_ids(ctx, vpc["VpcId"])


def public_routes(ctx):
    vpc, pair = _tier(ctx, "public")
    igws = _igw_ids(ctx, vpc["VpcId"])
    problems = []
    for subnet in pair:
        table, how = _effective_table(ctx, vpc["VpcId"], subnet["SubnetId"])
        route = _default_route(table)
        where = f"{subnet['CidrBlock']} uses {table['RouteTableId']} ({how})"
        if route is None:
            problems.append(f"{where}, which has no 0.0.0.0/0 route")
        elif route.get("GatewayId") not in igws:
            problems.append(
                f"{where}, whose 0.0.0.0/0 route goes to {_describe_target(route)}, "
                "not to an internet gateway attached to lab-vpc"
            )
    if problems:
        return False, "; ".join(problems)
    return True


def public_auto_ip(ctx):
    _, pair = _tier(ctx, "public")
    off = [s["CidrBlock"] for s in pair if not s.get("MapPublicIpOnLaunch")]
    if off:
        return False, "not set on " + ", ".join(off)
    return True


def _nat_placement(ctx, vpc, nat):
    """None when the NAT gateway is usable for outbound internet access, else why not."""
    public_ids = {s["SubnetId"] for s in _subnets(ctx, vpc["VpcId"]).values() if s["CidrBlock"] in TIERS["public"]}
    if nat.get("SubnetId") not in public_ids:
        cidr = next(
            (s["CidrBlock"] for s in _subnets(ctx, vpc["VpcId"]).values() if s["SubnetId"] == nat.get("SubnetId")),
            nat.get("SubnetId"),
        )
        return f"NAT gateway {nat['NatGatewayId']} sits in {cidr}, which is not one of the public subnets"
    if not _public_nat(nat):
        return f"NAT gateway {nat['NatGatewayId']} is private or has no Elastic IP, so it cannot reach the internet"
    return None


def nat_in_public_subnet(ctx):
    vpc = _vpc(ctx)
    nats = _nat_gateways(ctx, vpc["VpcId"])
    if not nats:
        return False, "lab-vpc has no NAT gateway yet"
    problems = [p for p in (_nat_placement(ctx, vpc, n) for n in nats.values()) if p]
    if problems:
        return False, "; ".join(problems)
    return True


# ---------------------------------------------------------------- the app and data tiers


def app_routes(ctx):
    vpc, pair = _tier(ctx, "app")
    nats = _nat_gateways(ctx, vpc["VpcId"])
    problems = []
    for subnet in pair:
        table, how = _effective_table(ctx, vpc["VpcId"], subnet["SubnetId"])
        where = f"{subnet['CidrBlock']} uses {table['RouteTableId']} ({how})"
        route = _default_route(table)
        if route is None:
            problems.append(f"{where}, which has no 0.0.0.0/0 route")
            continue
        nat_id = route.get("NatGatewayId")
        if not nat_id:
            problems.append(f"{where}, whose 0.0.0.0/0 route goes to {_describe_target(route)}, not a NAT gateway")
            continue
        if nat_id not in nats:
            problems.append(f"{where}, whose NAT gateway {nat_id} is not available in lab-vpc")
            continue
        placement = _nat_placement(ctx, vpc, nats[nat_id])
        if placement:
            problems.append(f"{where}: {placement}")
            continue
        direct = [r for r in table.get("Routes", []) if str(r.get("GatewayId", "")).startswith("igw-")]
        if direct:
            problems.append(
                f"{where}, which also routes {direct[0].get('DestinationCidrBlock') or direct[0].get('DestinationIpv6CidrBlock')} "
                "straight to the internet gateway"
            )
    if problems:
        return False, "; ".join(problems)
    return True


def _internet_route(route):
    target = route.get("GatewayId") or ""
    if target.startswith("igw-") or route.get("NatGatewayId") or route.get("EgressOnlyInternetGatewayId"):
        return True
    destination = route.get("DestinationCidrBlock") or route.get("DestinationIpv6CidrBlock")
    # a default route to an instance or network interface is a NAT instance
    return destination in DEFAULT_ROUTES and bool(route.get("InstanceId") or route.get("NetworkInterfaceId"))


def data_isolated(ctx):
    vpc, pair = _tier(ctx, "data")
    problems = []
    for subnet in pair:
        table, how = _effective_table(ctx, vpc["VpcId"], subnet["SubnetId"])
        for route in table.get("Routes", []):
            if _internet_route(route):
                destination = route.get("DestinationCidrBlock") or route.get("DestinationIpv6CidrBlock")
                problems.append(
                    f"{subnet['CidrBlock']} uses {table['RouteTableId']} ({how}), which routes "
                    f"{destination} to {_describe_target(route)}"
                )
                break
    if problems:
        return False, "; ".join(problems)
    return True


# ---------------------------------------------------------------- security groups


def _group(ctx, vpc_id, name):
    groups = ctx.call("ec2", "describe_security_groups", Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])[
        "SecurityGroups"
    ]
    for group in groups:
        if group.get("GroupName") == name:
            return group
    raise CheckFailed(f"there is no security group named {name} in lab-vpc yet")


def _protocol(permission):
    return {"6": "tcp", "17": "udp", "1": "icmp", "all": "-1"}.get(
        str(permission.get("IpProtocol")).lower(), str(permission.get("IpProtocol")).lower()
    )


def _ports(permission):
    if _protocol(permission) == "-1":
        return "all traffic"
    return f"{_protocol(permission)} {permission.get('FromPort')}-{permission.get('ToPort')}"


def _is_port(permission, port):
    return _protocol(permission) == "tcp" and permission.get("FromPort") == port and permission.get("ToPort") == port


def _cidr_sources(permission):
    return (
        [r.get("CidrIp") for r in permission.get("IpRanges", [])]
        + [r.get("CidrIpv6") for r in permission.get("Ipv6Ranges", [])]
        + [p.get("PrefixListId") for p in permission.get("PrefixListIds", [])]
    )


def _chained_group(ctx, name, port, source_name):
    vpc = _vpc(ctx)
    group = _group(ctx, vpc["VpcId"], name)
    source = _group(ctx, vpc["VpcId"], source_name)
    permissions = group.get("IpPermissions", [])
    if not permissions:
        return False, f"{name} has no inbound rules"
    problems = []
    allowed = False
    for permission in permissions:
        if not _is_port(permission, port):
            problems.append(f"{name} also allows {_ports(permission)}")
            continue
        cidrs = _cidr_sources(permission)
        if cidrs:
            problems.append(f"{name} allows TCP {port} from {', '.join(cidrs)}: use only the {source_name} reference")
        groups = {p.get("GroupId") for p in permission.get("UserIdGroupPairs", [])}
        others = groups - {source["GroupId"]}
        if others:
            problems.append(f"{name} allows TCP {port} from the group(s) {', '.join(sorted(others))} too")
        if source["GroupId"] in groups:
            allowed = True
    if not allowed:
        problems.insert(0, f"{name} does not allow TCP {port} from {source_name}")
    if problems:
        return False, "; ".join(problems)
    return True


def alb_sg(ctx):
    vpc = _vpc(ctx)
    group = _group(ctx, vpc["VpcId"], "alb-sg")
    permissions = group.get("IpPermissions", [])
    problems = [f"alb-sg also allows {_ports(p)}" for p in permissions if not _is_port(p, 443)]
    from_anywhere = any(_is_port(p, 443) and "0.0.0.0/0" in _cidr_sources(p) for p in permissions)
    if not from_anywhere:
        problems.insert(0, "alb-sg does not allow TCP 443 from 0.0.0.0/0")
    if problems:
        return False, "; ".join(problems)
    return True


def app_sg(ctx):
    return _chained_group(ctx, "app-sg", 8080, "alb-sg")


def db_sg(ctx):
    return _chained_group(ctx, "db-sg", 5432, "app-sg")
