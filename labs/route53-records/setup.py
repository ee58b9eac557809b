"""Setup for route53-records: the storefront's internet-facing Application Load Balancer, shop-alb."""


def setup(ctx):
    ec2, elbv2 = ctx.client("ec2"), ctx.client("elbv2")
    vpc = ec2.create_vpc(CidrBlock="10.3.0.0/16")["Vpc"]["VpcId"]
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": "shop-vpc"}])
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]
        for cidr, zone in (("10.3.1.0/24", "us-east-1a"), ("10.3.2.0/24", "us-east-1b"))
    ]
    sg = ec2.create_security_group(GroupName="shop-alb-sg", Description="HTTPS from anywhere", VpcId=vpc)["GroupId"]
    elbv2.create_load_balancer(
        Name="shop-alb", Subnets=subnets, SecurityGroups=[sg], Scheme="internet-facing", Type="application"
    )
