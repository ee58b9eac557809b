"""autoscaling-group graded against a real sandbox: other correct solutions pass, plausible mistakes fail
exactly the checks they should."""

from fixtures.labs import failing

LAB = "autoscaling-group"
CPU50 = {"PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"}, "TargetValue": 50.0}


def golden(ec2):
    return ec2.describe_images(Owners=["self"], Filters=[{"Name": "name", "Values": ["shelfwise-web-golden"]}])[
        "Images"
    ][0]["ImageId"]


def subnets(ec2, tier):
    found = ec2.describe_subnets(Filters=[{"Name": "tag:Tier", "Values": [tier]}])["Subnets"]
    return {s["AvailabilityZone"]: s["SubnetId"] for s in found}


def build(ctx, *, instance_type="t3.micro", tier="app", one_subnet=False, max_size=6, policy=None):
    ec2, asg = ctx.client("ec2"), ctx.client("autoscaling")
    ec2.create_launch_template(
        LaunchTemplateName="web-lt", LaunchTemplateData={"ImageId": golden(ec2), "InstanceType": instance_type}
    )
    chosen = sorted(subnets(ec2, tier).values())
    if one_subnet:
        chosen = chosen[:1]
    asg.create_auto_scaling_group(
        AutoScalingGroupName="web-asg",
        MinSize=2,
        DesiredCapacity=2,
        MaxSize=max_size,
        LaunchTemplate={"LaunchTemplateName": "web-lt", "Version": "$Latest"},
        VPCZoneIdentifier=",".join(chosen),
    )
    asg.put_scaling_policy(
        AutoScalingGroupName="web-asg",
        PolicyName="scale",
        **(policy or {"PolicyType": "TargetTrackingScaling", "TargetTrackingConfiguration": CPU50}),
    )


def test_boto3_second_template_version_custom_metric_passes(lab_session):
    """A first wrong template version fixed by a second one made default, the group referencing the template
    by id and $Default, and the CPU metric spelled out as a customized metric."""
    ctx = lab_session.solve_context()
    ec2, asg = ctx.client("ec2"), ctx.client("autoscaling")
    lt = ec2.create_launch_template(
        LaunchTemplateName="web-lt", LaunchTemplateData={"ImageId": golden(ec2), "InstanceType": "t2.micro"}
    )["LaunchTemplate"]["LaunchTemplateId"]
    ec2.create_launch_template_version(
        LaunchTemplateId=lt, SourceVersion="1", LaunchTemplateData={"InstanceType": "t3.micro", "ImageId": golden(ec2)}
    )
    ec2.modify_launch_template(LaunchTemplateId=lt, DefaultVersion="2")
    app = subnets(ec2, "app")
    asg.create_auto_scaling_group(
        AutoScalingGroupName="web-asg",
        MinSize=1,
        MaxSize=3,
        LaunchTemplate={"LaunchTemplateId": lt, "Version": "$Default"},
        VPCZoneIdentifier=",".join([app["us-east-1b"], app["us-east-1a"]]),
    )
    asg.update_auto_scaling_group(AutoScalingGroupName="web-asg", MinSize=2, DesiredCapacity=2, MaxSize=6)
    asg.put_scaling_policy(
        AutoScalingGroupName="web-asg",
        PolicyName="cpu",
        PolicyType="TargetTrackingScaling",
        TargetTrackingConfiguration={
            "CustomizedMetricSpecification": {
                "MetricName": "CPUUtilization",
                "Namespace": "AWS/EC2",
                "Statistic": "Average",
                "Dimensions": [{"Name": "AutoScalingGroupName", "Value": "web-asg"}],
            },
            "TargetValue": 50,
            "DisableScaleIn": False,
        },
    )
    assert failing(lab_session) == set()


def test_cli_mixed_instances_policy_passes(lab_session):
    ctx = lab_session.solve_context()
    ami = golden(ctx.client("ec2"))
    ctx.aws(
        f"ec2 create-launch-template --launch-template-name web-lt "
        f"--launch-template-data ImageId={ami},InstanceType=t3.micro"
    )
    app = " ".join(subnets(ctx.client("ec2"), "app").values())
    ctx.write(
        "mixed.json",
        '{"LaunchTemplate": {"LaunchTemplateSpecification": {"LaunchTemplateName": "web-lt", "Version": "1"}}}',
    )
    ctx.aws(
        "autoscaling create-auto-scaling-group --auto-scaling-group-name web-asg "
        "--mixed-instances-policy file://mixed.json --min-size 2 --max-size 6 --desired-capacity 2 "
        f"--vpc-zone-identifier {','.join(app.split())}"
    )
    ctx.aws(
        "autoscaling put-scaling-policy --auto-scaling-group-name web-asg --policy-name keep-cpu-50 "
        "--policy-type TargetTrackingScaling --target-tracking-configuration "
        '\'{"TargetValue": 50, "PredefinedMetricSpecification": '
        '{"PredefinedMetricType": "ASGAverageCPUUtilization"}}\''
    )
    assert failing(lab_session) == set()


def test_simple_scaling_instead_of_target_tracking(lab_session):
    build(
        lab_session.solve_context(),
        policy={"PolicyType": "SimpleScaling", "AdjustmentType": "ChangeInCapacity", "ScalingAdjustment": 1},
    )
    assert failing(lab_session) == {"scaling-policy"}


def test_target_of_70_percent(lab_session):
    build(
        lab_session.solve_context(),
        policy={"PolicyType": "TargetTrackingScaling", "TargetTrackingConfiguration": {**CPU50, "TargetValue": 70.0}},
    )
    assert failing(lab_session) == {"scaling-policy"}


def test_tracking_network_instead_of_cpu(lab_session):
    build(
        lab_session.solve_context(),
        policy={
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingConfiguration": {
                "PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageNetworkIn"},
                "TargetValue": 50.0,
            },
        },
    )
    assert failing(lab_session) == {"scaling-policy"}


def test_group_in_the_public_subnets(lab_session):
    build(lab_session.solve_context(), tier="public")
    assert failing(lab_session) == {"asg-subnets"}


def test_group_in_one_subnet(lab_session):
    build(lab_session.solve_context(), one_subnet=True)
    assert failing(lab_session) == {"asg-subnets"}


def test_maximum_of_four(lab_session):
    build(lab_session.solve_context(), max_size=4)
    assert failing(lab_session) == {"asg-capacity"}


def test_template_with_the_wrong_instance_type(lab_session):
    build(lab_session.solve_context(), instance_type="t2.micro")
    assert failing(lab_session) == {"launch-template"}


def test_group_given_availability_zones_only(lab_session):
    ctx = lab_session.solve_context()
    ec2, asg = ctx.client("ec2"), ctx.client("autoscaling")
    ec2.create_launch_template(
        LaunchTemplateName="web-lt", LaunchTemplateData={"ImageId": golden(ec2), "InstanceType": "t3.micro"}
    )
    asg.create_auto_scaling_group(
        AutoScalingGroupName="web-asg",
        MinSize=2,
        DesiredCapacity=2,
        MaxSize=6,
        LaunchTemplate={"LaunchTemplateName": "web-lt"},
        AvailabilityZones=["us-east-1a", "us-east-1b"],
    )
    asg.put_scaling_policy(
        AutoScalingGroupName="web-asg",
        PolicyName="cpu",
        PolicyType="TargetTrackingScaling",
        TargetTrackingConfiguration=CPU50,
    )
    assert failing(lab_session) == {"asg-subnets"}
