"""Setup for autoscaling-group: the shop VPC (public and app subnets in two AZs) and the golden AMI."""

SUBNETS = [
    ("public-a", "10.1.1.0/24", "us-east-1a", "public"),
    ("public-b", "10.1.2.0/24", "us-east-1b", "public"),
    ("app-a", "10.1.10.0/24", "us-east-1a", "app"),
    ("app-b", "10.1.11.0/24", "us-east-1b", "app"),
]


def setup(ctx):
    ec2 = ctx.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": "shop-vpc"}])
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    public_rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=public_rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
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
        if tier == "public":
            ec2.associate_route_table(RouteTableId=public_rt, SubnetId=subnet)
    image = ec2.register_image(
        Name="shelfwise-web-golden",
        Description="Shelfwise web server image: nginx and the storefront baked in",
        Architecture="x86_64",
        RootDeviceName="/dev/xvda",
        VirtualizationType="hvm",
    )["ImageId"]
    ec2.create_tags(Resources=[image], Tags=[{"Key": "Name", "Value": "shelfwise-web-golden"}])
