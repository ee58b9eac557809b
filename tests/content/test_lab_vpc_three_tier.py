"""vpc-three-tier graded against a real sandbox: other correct solutions pass, plausible mistakes fail
exactly the checks they should."""

import json

from fixtures.labs import failing

LAB = "vpc-three-tier"


def build(
    ec2,
    *,
    igw_in_main=False,
    app_to_igw=False,
    nat_in_app=False,
    data_same_az=False,
    app_sg_cidr=False,
    db_sg_extra_cidr=False,
    public_ip=True,
):
    """A boto3 build with switches for the mistakes. Correct by default: NAT route in the MAIN table
    (app subnets unassociated), explicit tables for public and data, SGs created before the subnets."""
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": "lab-vpc"}])
    sg = {
        n: ec2.create_security_group(GroupName=n, Description=n, VpcId=vpc)["GroupId"]
        for n in ("db-sg", "app-sg", "alb-sg")
    }
    ec2.authorize_security_group_ingress(
        GroupId=sg["alb-sg"],
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
            }
        ],
    )
    app_source = (
        {"IpRanges": [{"CidrIp": "10.0.0.0/16"}]} if app_sg_cidr else {"UserIdGroupPairs": [{"GroupId": sg["alb-sg"]}]}
    )
    ec2.authorize_security_group_ingress(
        GroupId=sg["app-sg"], IpPermissions=[{"IpProtocol": "6", "FromPort": 8080, "ToPort": 8080, **app_source}]
    )
    db_rule = {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": sg["app-sg"]}]}
    if db_sg_extra_cidr:
        db_rule["IpRanges"] = [{"CidrIp": "0.0.0.0/0"}]
    ec2.authorize_security_group_ingress(GroupId=sg["db-sg"], IpPermissions=[db_rule])

    zones = {
        "10.0.1.0/24": "us-east-1b",
        "10.0.2.0/24": "us-east-1c",
        "10.0.10.0/24": "us-east-1b",
        "10.0.11.0/24": "us-east-1c",
        "10.0.20.0/24": "us-east-1b",
        "10.0.21.0/24": "us-east-1b" if data_same_az else "us-east-1c",
    }
    sub = {
        cidr: ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=az)["Subnet"]["SubnetId"]
        for cidr, az in zones.items()
    }
    public, app, data = (
        [sub["10.0.1.0/24"], sub["10.0.2.0/24"]],
        [sub["10.0.10.0/24"], sub["10.0.11.0/24"]],
        [sub["10.0.20.0/24"], sub["10.0.21.0/24"]],
    )
    if public_ip:
        for s in public:
            ec2.modify_subnet_attribute(SubnetId=s, MapPublicIpOnLaunch={"Value": True})

    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    main = ec2.describe_route_tables(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "association.main", "Values": ["true"]}]
    )
    main_rt = main["RouteTables"][0]["RouteTableId"]
    alloc = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=app[0] if nat_in_app else public[0], AllocationId=alloc)["NatGateway"][
        "NatGatewayId"
    ]

    if igw_in_main:
        # the classic mistake: the internet route goes into the main table, public subnets stay unassociated
        ec2.create_route(RouteTableId=main_rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
        app_rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
        ec2.create_route(RouteTableId=app_rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
        for s in app:
            ec2.associate_route_table(RouteTableId=app_rt, SubnetId=s)
        return sg
    public_rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=public_rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    for s in public:
        ec2.associate_route_table(RouteTableId=public_rt, SubnetId=s)
    data_rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    for s in data:
        ec2.associate_route_table(RouteTableId=data_rt, SubnetId=s)
    if app_to_igw:
        ec2.create_route(RouteTableId=main_rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    else:
        ec2.create_route(RouteTableId=main_rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    return sg


def test_boto3_variant_with_nat_route_in_main_table_passes(lab_session):
    build(lab_session.solve_context().client("ec2"))
    assert failing(lab_session) == set()


def test_cli_variant_nat_per_az_and_json_rules_passes(lab_session):
    """Per-AZ NAT gateways and app tables, data subnets left on the untouched main table, tags added
    afterwards, rules given as --ip-permissions JSON."""
    ctx = lab_session.solve_context()

    def text(cmd):
        return ctx.aws(cmd + " --output text").stdout.strip()

    vpc = text("ec2 create-vpc --cidr-block 10.0.0.0/16 --query Vpc.VpcId")
    ctx.aws(f"ec2 create-tags --resources {vpc} --tags Key=Name,Value=lab-vpc")
    igw = text("ec2 create-internet-gateway --query InternetGateway.InternetGatewayId")
    ctx.aws(f"ec2 attach-internet-gateway --internet-gateway-id {igw} --vpc-id {vpc}")
    public_rt = text(f"ec2 create-route-table --vpc-id {vpc} --query RouteTable.RouteTableId")
    ctx.aws(f"ec2 create-route --route-table-id {public_rt} --destination-cidr-block 0.0.0.0/0 --gateway-id {igw}")
    for az, (pub, app, data) in {
        "us-east-1a": ("10.0.2.0/24", "10.0.11.0/24", "10.0.21.0/24"),
        "us-east-1d": ("10.0.1.0/24", "10.0.10.0/24", "10.0.20.0/24"),
    }.items():
        ids = [
            text(f"ec2 create-subnet --vpc-id {vpc} --cidr-block {c} --availability-zone {az} --query Subnet.SubnetId")
            for c in (pub, app, data)
        ]
        ctx.aws(f"ec2 associate-route-table --route-table-id {public_rt} --subnet-id {ids[0]}")
        ctx.aws(f"ec2 modify-subnet-attribute --subnet-id {ids[0]} --map-public-ip-on-launch '{{\"Value\":true}}'")
        eip = text("ec2 allocate-address --domain vpc --query AllocationId")
        nat = text(f"ec2 create-nat-gateway --subnet-id {ids[0]} --allocation-id {eip} --query NatGateway.NatGatewayId")
        app_rt = text(f"ec2 create-route-table --vpc-id {vpc} --query RouteTable.RouteTableId")
        ctx.aws(f"ec2 create-route --route-table-id {app_rt} --destination-cidr-block 0.0.0.0/0 --nat-gateway-id {nat}")
        ctx.aws(f"ec2 associate-route-table --route-table-id {app_rt} --subnet-id {ids[1]}")
    groups = {}
    for name in ("alb-sg", "app-sg", "db-sg"):
        groups[name] = text(
            f"ec2 create-security-group --group-name {name} --description {name} --vpc-id {vpc} --query GroupId"
        )
    rules = {
        "alb-sg": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
        "app-sg": [
            {
                "IpProtocol": "tcp",
                "FromPort": 8080,
                "ToPort": 8080,
                "UserIdGroupPairs": [{"GroupId": groups["alb-sg"], "Description": "from the ALB"}],
            }
        ],
        "db-sg": [
            {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": groups["app-sg"]}]}
        ],
    }
    for name, perms in rules.items():
        ctx.write(f"{name}.json", json.dumps(perms))
        ctx.aws(f"ec2 authorize-security-group-ingress --group-id {groups[name]} --ip-permissions file://{name}.json")
    assert failing(lab_session) == set()


def test_internet_route_in_main_table_exposes_data_tier(lab_session):
    build(lab_session.solve_context().client("ec2"), igw_in_main=True)
    assert failing(lab_session) == {"data-isolated"}


def test_app_routes_to_igw_instead_of_nat(lab_session):
    build(lab_session.solve_context().client("ec2"), app_to_igw=True)
    assert failing(lab_session) == {"app-routes"}


def test_nat_gateway_in_a_private_subnet(lab_session):
    build(lab_session.solve_context().client("ec2"), nat_in_app=True)
    assert failing(lab_session) == {"nat-gateway", "app-routes"}


def test_data_subnets_in_one_az(lab_session):
    build(lab_session.solve_context().client("ec2"), data_same_az=True)
    assert failing(lab_session) == {"multi-az"}


def test_app_sg_opened_to_a_cidr_instead_of_alb_sg(lab_session):
    build(lab_session.solve_context().client("ec2"), app_sg_cidr=True)
    assert failing(lab_session) == {"app-sg"}


def test_db_sg_with_an_extra_cidr_source(lab_session):
    build(lab_session.solve_context().client("ec2"), db_sg_extra_cidr=True)
    assert failing(lab_session) == {"db-sg"}


def test_public_subnets_without_auto_public_ip(lab_session):
    build(lab_session.solve_context().client("ec2"), public_ip=False)
    assert failing(lab_session) == {"public-ip"}
