"""Reference solution for vpc-three-tier, with the AWS CLI as a learner would type it.

Three route tables (public, app, data), each explicitly associated with its two subnets; the main
route table is left with its local route only, so an unassociated subnet can never reach the internet.
"""

SUBNETS = [
    ("public-a", "10.0.1.0/24", "us-east-1a"),
    ("public-b", "10.0.2.0/24", "us-east-1b"),
    ("app-a", "10.0.10.0/24", "us-east-1a"),
    ("app-b", "10.0.11.0/24", "us-east-1b"),
    ("data-a", "10.0.20.0/24", "us-east-1a"),
    ("data-b", "10.0.21.0/24", "us-east-1b"),
]


def _text(ctx, command):
    return ctx.aws(command + " --output text").stdout.strip()


def solve(ctx):
    vpc = _text(
        ctx,
        "ec2 create-vpc --cidr-block 10.0.0.0/16 "
        "--tag-specifications 'ResourceType=vpc,Tags=[{Key=Name,Value=lab-vpc}]' "
        "--query Vpc.VpcId",
    )
    subnet = {}
    for name, cidr, zone in SUBNETS:
        subnet[name] = _text(
            ctx,
            f"ec2 create-subnet --vpc-id {vpc} --cidr-block {cidr} --availability-zone {zone} "
            f"--tag-specifications 'ResourceType=subnet,Tags=[{{Key=Name,Value={name}}}]' "
            "--query Subnet.SubnetId",
        )

    # the internet side
    igw = _text(ctx, "ec2 create-internet-gateway --query InternetGateway.InternetGatewayId")
    ctx.aws(f"ec2 attach-internet-gateway --internet-gateway-id {igw} --vpc-id {vpc}")
    public_rt = _text(ctx, f"ec2 create-route-table --vpc-id {vpc} --query RouteTable.RouteTableId")
    ctx.aws(f"ec2 create-route --route-table-id {public_rt} --destination-cidr-block 0.0.0.0/0 --gateway-id {igw}")
    for name in ("public-a", "public-b"):
        ctx.aws(f"ec2 associate-route-table --route-table-id {public_rt} --subnet-id {subnet[name]}")
        ctx.aws(f"ec2 modify-subnet-attribute --subnet-id {subnet[name]} --map-public-ip-on-launch")

    # outbound only for the app tier
    eip = _text(ctx, "ec2 allocate-address --domain vpc --query AllocationId")
    nat = _text(
        ctx,
        f"ec2 create-nat-gateway --subnet-id {subnet['public-a']} --allocation-id {eip} "
        "--query NatGateway.NatGatewayId",
    )
    ctx.aws(f"ec2 wait nat-gateway-available --nat-gateway-ids {nat}")
    app_rt = _text(ctx, f"ec2 create-route-table --vpc-id {vpc} --query RouteTable.RouteTableId")
    ctx.aws(f"ec2 create-route --route-table-id {app_rt} --destination-cidr-block 0.0.0.0/0 --nat-gateway-id {nat}")
    for name in ("app-a", "app-b"):
        ctx.aws(f"ec2 associate-route-table --route-table-id {app_rt} --subnet-id {subnet[name]}")

    # nothing for the data tier but the local route
    data_rt = _text(ctx, f"ec2 create-route-table --vpc-id {vpc} --query RouteTable.RouteTableId")
    for name in ("data-a", "data-b"):
        ctx.aws(f"ec2 associate-route-table --route-table-id {data_rt} --subnet-id {subnet[name]}")

    # security groups chained ALB -> app -> DB
    alb_sg = _text(
        ctx,
        f"ec2 create-security-group --group-name alb-sg --description 'Load balancer' --vpc-id {vpc} --query GroupId",
    )
    app_sg = _text(
        ctx, f"ec2 create-security-group --group-name app-sg --description 'App servers' --vpc-id {vpc} --query GroupId"
    )
    db_sg = _text(
        ctx, f"ec2 create-security-group --group-name db-sg --description 'Database' --vpc-id {vpc} --query GroupId"
    )
    ctx.aws(f"ec2 authorize-security-group-ingress --group-id {alb_sg} --protocol tcp --port 443 --cidr 0.0.0.0/0")
    ctx.aws(
        f"ec2 authorize-security-group-ingress --group-id {app_sg} --protocol tcp --port 8080 --source-group {alb_sg}"
    )
    ctx.aws(
        f"ec2 authorize-security-group-ingress --group-id {db_sg} --protocol tcp --port 5432 --source-group {app_sg}"
    )
