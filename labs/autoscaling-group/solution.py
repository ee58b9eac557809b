"""Reference solution for autoscaling-group, with the AWS CLI as a learner would type it."""

import json

TRACK_CPU = {
    "PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
    "TargetValue": 50.0,
}


def _text(ctx, command):
    return ctx.aws(command + " --output text").stdout.strip()


def solve(ctx):
    ami = _text(
        ctx,
        "ec2 describe-images --owners self --filters Name=name,Values=shelfwise-web-golden --query Images[0].ImageId",
    )
    ctx.write(
        "lt.json",
        json.dumps({"ImageId": ami, "InstanceType": "t3.micro", "MetadataOptions": {"HttpTokens": "required"}}),
    )
    ctx.aws(
        "ec2 create-launch-template --launch-template-name web-lt --version-description v1 "
        "--launch-template-data file://lt.json"
    )
    subnets = _text(ctx, "ec2 describe-subnets --filters Name=tag:Tier,Values=app --query Subnets[].SubnetId")
    ctx.aws(
        "autoscaling create-auto-scaling-group --auto-scaling-group-name web-asg "
        "--launch-template LaunchTemplateName=web-lt,Version='$Latest' "
        "--min-size 2 --desired-capacity 2 --max-size 6 "
        f"--vpc-zone-identifier {','.join(subnets.split())}"
    )
    ctx.write("cpu50.json", json.dumps(TRACK_CPU))
    ctx.aws(
        "autoscaling put-scaling-policy --auto-scaling-group-name web-asg --policy-name cpu-50 "
        "--policy-type TargetTrackingScaling --target-tracking-configuration file://cpu50.json"
    )
