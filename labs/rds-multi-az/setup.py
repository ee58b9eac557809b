"""Setup for rds-multi-az: the orders VPC, with public subnets (routed to an internet gateway) and private
subnets (local route only) in two AZs."""

SUBNETS = [
    ("orders-public-a", "10.2.1.0/24", "us-east-1a", "public"),
    ("orders-public-b", "10.2.2.0/24", "us-east-1b", "public"),
    ("orders-private-a", "10.2.20.0/24", "us-east-1a", "private"),
    ("orders-private-b", "10.2.21.0/24", "us-east-1b", "private"),
]


def setup(ctx):
    ec2 = ctx.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": "orders-vpc"}])
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    tables = {}
    for tier in ("public", "private"):
        tables[tier] = ec2.create_route_table(
            VpcId=vpc,
            TagSpecifications=[{"ResourceType": "route-table", "Tags": [{"Key": "Name", "Value": f"orders-{tier}"}]}],
        )["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=tables["public"], DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    for name, cidr, zone, tier in SUBNETS:
        subnet = ec2.create_subnet(
            VpcId=vpc,
            CidrBlock=cidr,
            AvailabilityZone=zone,
            TagSpecifications=[
                {
                    "ResourceType": "subnet",
                    "Tags": [{"Key": "Name", "Value": name}, {"Key": "Tier", "Value": tier}],
                }
            ],
        )["Subnet"]["SubnetId"]
        ec2.associate_route_table(RouteTableId=tables[tier], SubnetId=subnet)
    ec2.create_security_group(GroupName="orders-db-sg", Description="PostgreSQL from the orders service", VpcId=vpc)
