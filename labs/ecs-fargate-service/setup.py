"""Setup for ecs-fargate-service: the network the service runs in (a VPC with two public and two private
subnets in two Availability Zones) and the tasks' security group."""


def setup(ctx):
    ec2 = ctx.client("ec2")

    def tags(kind, name):
        return [{"ResourceType": kind, "Tags": [{"Key": "Name", "Value": name}]}]

    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16", TagSpecifications=tags("vpc", "web-vpc"))["Vpc"]["VpcId"]
    for name, cidr, zone in (
        ("web-public-a", "10.20.0.0/24", "us-east-1a"),
        ("web-public-b", "10.20.1.0/24", "us-east-1b"),
        ("web-private-a", "10.20.10.0/24", "us-east-1a"),
        ("web-private-b", "10.20.11.0/24", "us-east-1b"),
    ):
        ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone, TagSpecifications=tags("subnet", name))
    group = ec2.create_security_group(GroupName="web-tasks", Description="Tasks of the web service", VpcId=vpc)[
        "GroupId"
    ]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "IpRanges": [{"CidrIp": "10.20.0.0/16"}]}
        ],
    )
