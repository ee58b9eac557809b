"""Setup for ec2-user-data-profile: the company's golden AMI.

The sandbox does not load moto's public AMIs, so the lab registers its own image for the learner to find
with `aws ec2 describe-images --owners self`.
"""


def setup(ctx):
    ec2 = ctx.client("ec2")
    image = ec2.register_image(
        Name="shelfwise-al2023-base",
        Description="Shelfwise golden image: Amazon Linux 2023, hardened",
        Architecture="x86_64",
        RootDeviceName="/dev/xvda",
        VirtualizationType="hvm",
    )["ImageId"]
    ec2.create_tags(Resources=[image], Tags=[{"Key": "Name", "Value": "shelfwise-al2023-base"}])
