"""Python checks for autoscaling-group: templates, versions and subnets are looked up, never assumed."""

from tutor.grading import CheckFailed

TEMPLATE = "web-lt"
GROUP = "web-asg"
IMAGE_NAME = "shelfwise-web-golden"
INSTANCE_TYPE = "t3.micro"


def _group(ctx):
    groups = ctx.call("autoscaling", "describe_auto_scaling_groups", AutoScalingGroupNames=[GROUP])
    if not groups["AutoScalingGroups"]:
        raise CheckFailed("there is no Auto Scaling group web-asg yet")
    return groups["AutoScalingGroups"][0]


def _template_spec(group):
    """The launch template specification the group uses, whichever way it was given."""
    if group.get("LaunchTemplate"):
        return group["LaunchTemplate"]
    mixed = (group.get("MixedInstancesPolicy") or {}).get("LaunchTemplate") or {}
    return mixed.get("LaunchTemplateSpecification")


def _template(ctx):
    try:
        found = ctx.call("ec2", "describe_launch_templates", LaunchTemplateNames=[TEMPLATE])["LaunchTemplates"]
    except Exception:  # noqa: BLE001 - InvalidLaunchTemplateName.NotFoundException
        found = []
    if not found:
        raise CheckFailed("there is no launch template web-lt yet")
    return found[0]


def _version(ctx, template, wanted):
    wanted = str(wanted or "$Default")
    versions = ctx.call(
        "ec2", "describe_launch_template_versions", LaunchTemplateId=template["LaunchTemplateId"], Versions=[wanted]
    )["LaunchTemplateVersions"]
    if not versions:
        raise CheckFailed(f"web-lt has no version {wanted}")
    return versions[0]


def _golden_image(ctx):
    images = ctx.call("ec2", "describe_images", Owners=["self"], Filters=[{"Name": "name", "Values": [IMAGE_NAME]}])[
        "Images"
    ]
    return images[0]["ImageId"] if images else None


def launch_template(ctx):
    template = _template(ctx)
    # grade the version the group really launches; without a group yet, the default version
    wanted, which = "$Default", "default version"
    try:
        spec = _template_spec(_group(ctx))
    except CheckFailed:
        spec = None
    if spec and (
        spec.get("LaunchTemplateId") == template["LaunchTemplateId"] or spec.get("LaunchTemplateName") == TEMPLATE
    ):
        wanted = spec.get("Version") or "$Default"
        which = f"version {wanted} (the one web-asg uses)"
    data = _version(ctx, template, wanted).get("LaunchTemplateData", {})
    problems = []
    golden = _golden_image(ctx)
    if data.get("ImageId") != golden:
        problems.append(f"its image is {data.get('ImageId') or 'not set'}, not the golden AMI {IMAGE_NAME} ({golden})")
    if data.get("InstanceType") != INSTANCE_TYPE:
        problems.append(f"its instance type is {data.get('InstanceType') or 'not set'}")
    if problems:
        return False, f"in web-lt's {which}, " + " and ".join(problems)
    return True


def asg_uses_template(ctx):
    group = _group(ctx)
    spec = _template_spec(group)
    if not spec:
        if group.get("LaunchConfigurationName"):
            return False, f"web-asg uses the launch configuration {group['LaunchConfigurationName']}"
        return False, "web-asg names no launch template"
    template = _template(ctx)
    if spec.get("LaunchTemplateId") != template["LaunchTemplateId"] and spec.get("LaunchTemplateName") != TEMPLATE:
        return (
            False,
            f"web-asg uses the launch template {spec.get('LaunchTemplateName') or spec.get('LaunchTemplateId')}",
        )
    return True


def asg_subnets(ctx):
    group = _group(ctx)
    ids = [s.strip() for s in (group.get("VPCZoneIdentifier") or "").split(",") if s.strip()]
    if not ids:
        return False, (
            "web-asg was given Availability Zones but no subnets, so it launches into the default VPC; "
            "give it the app subnets instead"
        )
    subnets = ctx.call("ec2", "describe_subnets", SubnetIds=ids)["Subnets"]
    vpcs = ctx.call("ec2", "describe_vpcs", Filters=[{"Name": "tag:Name", "Values": ["shop-vpc"]}])["Vpcs"]
    shop = {v["VpcId"] for v in vpcs}
    problems = []
    for subnet in subnets:
        tags = {t["Key"]: t["Value"] for t in subnet.get("Tags", [])}
        label = tags.get("Name", subnet["SubnetId"])
        if subnet["VpcId"] not in shop:
            problems.append(f"{label} is not in shop-vpc")
        elif tags.get("Tier") != "app":
            problems.append(f"{label} is a {tags.get('Tier', 'untagged')} subnet, not an app subnet")
    zones = {s["AvailabilityZone"] for s in subnets}
    if len(zones) < 2:
        problems.append(f"all its subnets are in {', '.join(sorted(zones))}")
    if problems:
        return False, "; ".join(problems)
    return True


def _tracks_average_cpu(config):
    predefined = (config.get("PredefinedMetricSpecification") or {}).get("PredefinedMetricType")
    if predefined:
        return predefined == "ASGAverageCPUUtilization"
    custom = config.get("CustomizedMetricSpecification") or {}
    dimensions = {d.get("Name"): d.get("Value") for d in custom.get("Dimensions", [])}
    return (
        custom.get("MetricName") == "CPUUtilization"
        and custom.get("Namespace") == "AWS/EC2"
        and custom.get("Statistic") == "Average"
        and dimensions.get("AutoScalingGroupName") == GROUP
    )


def cpu_target_tracking(ctx):
    _group(ctx)
    policies = ctx.call("autoscaling", "describe_policies", AutoScalingGroupName=GROUP)["ScalingPolicies"]
    if not policies:
        return False, "web-asg has no scaling policy yet"
    tracking = [p for p in policies if p.get("PolicyType") == "TargetTrackingScaling"]
    if not tracking:
        kinds = ", ".join(sorted({p.get("PolicyType", "SimpleScaling") for p in policies}))
        return False, f"web-asg only has {kinds} policies"
    cpu = [p for p in tracking if _tracks_average_cpu(p.get("TargetTrackingConfiguration") or {})]
    if not cpu:
        return False, "its target-tracking policy does not track the group's average CPU utilisation"
    problems = []
    for policy in cpu:
        config = policy["TargetTrackingConfiguration"]
        if float(config.get("TargetValue", -1)) != 50.0:
            problems.append(f"policy {policy['PolicyName']} targets {config.get('TargetValue')}%")
        if config.get("DisableScaleIn"):
            problems.append(f"policy {policy['PolicyName']} never scales in (DisableScaleIn is true)")
    if problems:
        return False, "; ".join(problems)
    return True
