"""route53-records graded against a real sandbox: other correct solutions pass, plausible mistakes fail
exactly the checks they should."""

import json

from fixtures.labs import failing

LAB = "route53-records"
HC = {"IPAddress": "198.51.100.10", "Port": 443, "Type": "HTTPS", "ResourcePath": "/health"}


def alb(ctx):
    lb = ctx.client("elbv2").describe_load_balancers(Names=["shop-alb"])["LoadBalancers"][0]
    return lb["DNSName"], lb["CanonicalHostedZoneId"]


def build(ctx, *, www=None, hc=HC, primary_hc=True, ttl=60, routing="failover"):
    r53 = ctx.client("route53")
    zone = r53.create_hosted_zone(Name="example-shop.com", CallerReference="z")["HostedZone"]["Id"]
    hc_id = r53.create_health_check(CallerReference="hc", HealthCheckConfig=hc)["HealthCheck"]["Id"]
    dns, alb_zone = alb(ctx)
    www = www or {"AliasTarget": {"HostedZoneId": alb_zone, "DNSName": dns, "EvaluateTargetHealth": False}}
    primary = {
        "Name": "api.example-shop.com",
        "Type": "A",
        "SetIdentifier": "one",
        "TTL": ttl,
        "ResourceRecords": [{"Value": "198.51.100.10"}],
    }
    secondary = {
        "Name": "api.example-shop.com",
        "Type": "A",
        "SetIdentifier": "two",
        "TTL": ttl,
        "ResourceRecords": [{"Value": "203.0.113.20"}],
    }
    if routing == "failover":
        primary["Failover"], secondary["Failover"] = "PRIMARY", "SECONDARY"
    else:
        primary["Weight"], secondary["Weight"] = 100, 0
    if primary_hc:
        primary["HealthCheckId"] = hc_id
    r53.change_resource_record_sets(
        HostedZoneId=zone,
        ChangeBatch={
            "Changes": [
                {"Action": "CREATE", "ResourceRecordSet": {"Name": "www.example-shop.com", "Type": "A", **www}},
                {"Action": "CREATE", "ResourceRecordSet": primary},
                {"Action": "CREATE", "ResourceRecordSet": secondary},
            ]
        },
    )


def test_boto3_cname_mixed_case_and_string_match_passes(lab_session):
    """Trailing dots and capitals in names, www as a CNAME, an HTTPS_STR_MATCH check with a host name,
    records in separate batches, a health check on the secondary too."""
    ctx = lab_session.solve_context()
    r53 = ctx.client("route53")
    # moto compares record names with the zone name case-sensitively, so the zone itself is lower case here
    zone = r53.create_hosted_zone(Name="example-shop.com.", CallerReference="z2")["HostedZone"]["Id"]
    primary_hc = r53.create_health_check(
        CallerReference="p",
        HealthCheckConfig={
            "IPAddress": "198.51.100.10",
            "Port": 443,
            "Type": "HTTPS_STR_MATCH",
            "ResourcePath": "/health",
            "FullyQualifiedDomainName": "api.example-shop.com",
            "SearchString": "ok",
            "RequestInterval": 10,
            "FailureThreshold": 2,
        },
    )["HealthCheck"]["Id"]
    standby_hc = r53.create_health_check(
        CallerReference="s",
        HealthCheckConfig={"IPAddress": "203.0.113.20", "Port": 443, "Type": "HTTPS", "ResourcePath": "/health"},
    )["HealthCheck"]["Id"]
    dns, _ = alb(ctx)
    batches = [
        {
            "Name": "WWW.example-shop.com.",
            "Type": "CNAME",
            "TTL": 300,
            "ResourceRecords": [{"Value": dns.upper() + "."}],
        },
        {
            "Name": "API.example-shop.com.",
            "Type": "A",
            "SetIdentifier": "standby",
            "Failover": "SECONDARY",
            "TTL": 30,
            "HealthCheckId": standby_hc,
            "ResourceRecords": [{"Value": "203.0.113.20"}],
        },
        {
            "Name": "api.example-shop.com.",
            "Type": "A",
            "SetIdentifier": "dc",
            "Failover": "PRIMARY",
            "TTL": 30,
            "HealthCheckId": primary_hc,
            "ResourceRecords": [{"Value": "198.51.100.10"}],
        },
    ]
    for record in batches:
        r53.change_resource_record_sets(
            HostedZoneId=zone, ChangeBatch={"Changes": [{"Action": "UPSERT", "ResourceRecordSet": record}]}
        )
    assert failing(lab_session) == set()


def test_cli_plain_alias_and_json_health_check_passes(lab_session):
    ctx = lab_session.solve_context()
    zone = ctx.aws(
        "route53 create-hosted-zone --name example-shop.com. --caller-reference cli-1 "
        "--hosted-zone-config Comment=shop,PrivateZone=false "
        "--query HostedZone.Id --output text"
    ).stdout.strip()
    ctx.write("hc.json", json.dumps({**HC, "FailureThreshold": 3}))
    hc = ctx.aws(
        "route53 create-health-check --caller-reference cli-hc --health-check-config file://hc.json "
        "--query HealthCheck.Id --output text"
    ).stdout.strip()
    dns, alb_zone = alb(ctx)
    records = [
        {
            "Name": "api.example-shop.com",
            "Type": "A",
            "SetIdentifier": "primary",
            "Failover": "PRIMARY",
            "TTL": 60,
            "HealthCheckId": hc,
            "ResourceRecords": [{"Value": "198.51.100.10"}],
        },
        {
            "Name": "api.example-shop.com",
            "Type": "A",
            "SetIdentifier": "secondary",
            "Failover": "SECONDARY",
            "TTL": 10,
            "ResourceRecords": [{"Value": "203.0.113.20"}],
        },
        {
            "Name": "www.example-shop.com.",
            "Type": "A",
            "AliasTarget": {"HostedZoneId": alb_zone, "DNSName": dns + ".", "EvaluateTargetHealth": False},
        },
    ]
    for i, record in enumerate(records):
        ctx.write(f"c{i}.json", json.dumps({"Changes": [{"Action": "CREATE", "ResourceRecordSet": record}]}))
        ctx.aws(f"route53 change-resource-record-sets --hosted-zone-id {zone} --change-batch file://c{i}.json")
    assert failing(lab_session) == set()


def test_www_with_a_fixed_ip(lab_session):
    build(lab_session.solve_context(), www={"TTL": 300, "ResourceRecords": [{"Value": "54.10.20.30"}]})
    assert failing(lab_session) == {"www"}


def test_www_alias_with_the_cloudfront_zone_id(lab_session):
    ctx = lab_session.solve_context()
    dns, _ = alb(ctx)
    build(ctx, www={"AliasTarget": {"HostedZoneId": "Z2FDTNDATAQYW2", "DNSName": dns, "EvaluateTargetHealth": False}})
    assert failing(lab_session) == {"www"}


def test_primary_without_health_check(lab_session):
    build(lab_session.solve_context(), primary_hc=False)
    assert failing(lab_session) == {"failover-primary"}


def test_health_check_on_http_port_80(lab_session):
    build(lab_session.solve_context(), hc={**HC, "Type": "HTTP", "Port": 80})
    assert failing(lab_session) == {"health-check"}


def test_inverted_health_check(lab_session):
    build(lab_session.solve_context(), hc={**HC, "Inverted": True})
    assert failing(lab_session) == {"health-check"}


def test_ttl_of_five_minutes(lab_session):
    build(lab_session.solve_context(), ttl=300)
    assert failing(lab_session) == {"failover-ttl"}


def test_weighted_instead_of_failover(lab_session):
    build(lab_session.solve_context(), routing="weighted")
    assert failing(lab_session) == {"failover-primary", "failover-secondary", "failover-ttl"}


def test_private_zone_does_not_count(lab_session):
    """(moto records a zone as private only when HostedZoneConfig.PrivateZone is true; real Route 53 also
    makes it private when a VPC alone is given.)"""
    ctx = lab_session.solve_context()
    vpc = ctx.client("ec2").describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["shop-vpc"]}])["Vpcs"][0]["VpcId"]
    ctx.client("route53").create_hosted_zone(
        Name="example-shop.com",
        CallerReference="private",
        VPC={"VPCRegion": "us-east-1", "VPCId": vpc},
        HostedZoneConfig={"PrivateZone": True},
    )
    assert failing(lab_session) == {c.id for c in lab_session.lab.checks}
