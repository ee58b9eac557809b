"""Reference solution for route53-records, with the AWS CLI as a learner would type it."""

import json


def _text(ctx, command):
    return ctx.aws(command + " --output text").stdout.strip()


def solve(ctx):
    zone = _text(
        ctx, "route53 create-hosted-zone --name example-shop.com --caller-reference shop-zone-1 --query HostedZone.Id"
    )
    dns, alb_zone = _text(
        ctx, "elbv2 describe-load-balancers --names shop-alb --query 'LoadBalancers[0].[DNSName,CanonicalHostedZoneId]'"
    ).split()
    health_check = _text(
        ctx,
        "route53 create-health-check --caller-reference api-primary-1 "
        "--health-check-config IPAddress=198.51.100.10,Port=443,Type=HTTPS,"
        "ResourcePath=/health,RequestInterval=30,FailureThreshold=3 "
        "--query HealthCheck.Id",
    )
    changes = {
        "Comment": "storefront and API",
        "Changes": [
            {
                "Action": "UPSERT",
                "ResourceRecordSet": {
                    "Name": "www.example-shop.com",
                    "Type": "A",
                    "AliasTarget": {
                        "HostedZoneId": alb_zone,
                        "DNSName": f"dualstack.{dns}",
                        "EvaluateTargetHealth": True,
                    },
                },
            },
            {
                "Action": "UPSERT",
                "ResourceRecordSet": {
                    "Name": "api.example-shop.com",
                    "Type": "A",
                    "SetIdentifier": "api-primary",
                    "Failover": "PRIMARY",
                    "TTL": 60,
                    "ResourceRecords": [{"Value": "198.51.100.10"}],
                    "HealthCheckId": health_check,
                },
            },
            {
                "Action": "UPSERT",
                "ResourceRecordSet": {
                    "Name": "api.example-shop.com",
                    "Type": "A",
                    "SetIdentifier": "api-standby",
                    "Failover": "SECONDARY",
                    "TTL": 60,
                    "ResourceRecords": [{"Value": "203.0.113.20"}],
                },
            },
        ],
    }
    ctx.write("records.json", json.dumps(changes, indent=2))
    ctx.aws(f"route53 change-resource-record-sets --hosted-zone-id {zone} --change-batch file://records.json")
