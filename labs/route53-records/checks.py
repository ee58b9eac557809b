"""Python checks for route53-records.

DNS names are compared the way DNS does: case-insensitive, with or without the trailing dot, with Route 53's
octal escapes decoded. The zone is looked up by name (its id is random).
"""

import re

from tutor.grading import CheckFailed

ZONE = "example-shop.com"
WWW = f"www.{ZONE}"
API = f"api.{ZONE}"
PRIMARY_IP = "198.51.100.10"
SECONDARY_IP = "203.0.113.20"
LOAD_BALANCER = "shop-alb"
MAX_TTL = 60


def dns_name(name):
    """``WWW.Example-Shop.com.`` -> ``www.example-shop.com``; ``\\052`` escapes decoded."""
    text = re.sub(r"\\(\d{3})", lambda m: chr(int(m.group(1), 8)), str(name or ""))
    return text.strip().rstrip(".").lower()


def _public_zones(ctx):
    zones = ctx.call("route53", "list_hosted_zones_by_name", DNSName=ZONE)["HostedZones"]
    return [z for z in zones if dns_name(z["Name"]) == ZONE and not (z.get("Config") or {}).get("PrivateZone")]


def _zone(ctx):
    zones = _public_zones(ctx)
    if not zones:
        raise CheckFailed(f"there is no public hosted zone {ZONE} yet")
    if len(zones) > 1:
        raise CheckFailed(
            f"there are {len(zones)} public hosted zones named {ZONE}; only the one the registrar "
            "delegates to would answer, so delete the extra ones"
        )
    return zones[0]


def _records(ctx, name, types=None):
    zone = _zone(ctx)
    out, params = [], {"HostedZoneId": zone["Id"]}
    while True:
        page = ctx.call("route53", "list_resource_record_sets", **params)
        out.extend(page["ResourceRecordSets"])
        if not page.get("IsTruncated"):
            break
        params = {
            "HostedZoneId": zone["Id"],
            "StartRecordName": page["NextRecordName"],
            "StartRecordType": page["NextRecordType"],
        }
        if page.get("NextRecordIdentifier"):
            params["StartRecordIdentifier"] = page["NextRecordIdentifier"]
    return [r for r in out if dns_name(r["Name"]) == name and (types is None or r["Type"] in types)]


def _values(record):
    return [v["Value"].strip() for v in record.get("ResourceRecords", [])]


# ---------------------------------------------------------------- the zone and www


def public_zone(ctx):
    _zone(ctx)
    return True


def _alb(ctx):
    lbs = ctx.call("elbv2", "describe_load_balancers", Names=[LOAD_BALANCER])["LoadBalancers"]
    return lbs[0]


def _strip_dualstack(name):
    return name.removeprefix("dualstack.")


def www_to_alb(ctx):
    records = _records(ctx, WWW, ("A", "AAAA", "CNAME"))
    if not records:
        return False, f"there is no A, AAAA or CNAME record for {WWW} in the public zone"
    alb = _alb(ctx)
    target = dns_name(alb["DNSName"])
    problems = []
    for record in records:
        alias = record.get("AliasTarget")
        if alias:
            if _strip_dualstack(dns_name(alias.get("DNSName"))) != target:
                problems.append(f"the {record['Type']} alias targets {alias.get('DNSName')}, not shop-alb's DNS name")
            elif alias.get("HostedZoneId") != alb["CanonicalHostedZoneId"]:
                problems.append(
                    f"the alias names the hosted zone {alias.get('HostedZoneId')}; a load balancer alias "
                    "uses the load balancer's CanonicalHostedZoneId"
                )
        elif record["Type"] == "CNAME":
            values = [_strip_dualstack(dns_name(v)) for v in _values(record)]
            if values != [target]:
                problems.append(f"the CNAME points at {', '.join(_values(record)) or 'nothing'}, not shop-alb")
        else:
            problems.append(
                f"the {record['Type']} record holds fixed addresses ({', '.join(_values(record))}) "
                "instead of an alias to the load balancer"
            )
    if problems:
        return False, "; ".join(problems)
    return True


# ---------------------------------------------------------------- failover


def _failover(ctx, role):
    records = _records(ctx, API)
    if not records:
        raise CheckFailed(f"there is no record for {API} in the public zone yet")
    return [r for r in records if r.get("Failover") == role], records


def _health_checks(ctx):
    out, params = [], {}
    while True:
        page = ctx.call("route53", "list_health_checks", **params)
        out.extend(page["HealthChecks"])
        if not page.get("IsTruncated"):
            return {h["Id"]: h for h in out}
        params = {"Marker": page["NextMarker"]}


def _watches_primary(check):
    return (check.get("HealthCheckConfig") or {}).get("IPAddress") == PRIMARY_IP


def _health_check_problems(check):
    config = check.get("HealthCheckConfig") or {}
    problems = []
    if config.get("Type") not in ("HTTPS", "HTTPS_STR_MATCH"):
        problems.append(f"its type is {config.get('Type')}, not HTTPS")
    if config.get("Port", 443 if str(config.get("Type", "")).startswith("HTTPS") else 80) != 443:
        problems.append(f"it probes port {config.get('Port')}")
    if config.get("ResourcePath") != "/health":
        problems.append(f"it requests {config.get('ResourcePath') or '/'}, not /health")
    if config.get("Disabled"):
        problems.append("it is disabled (a disabled check always reports healthy)")
    if config.get("Inverted"):
        problems.append("it is inverted, so a failing endpoint would count as healthy")
    return problems


def primary_health_check(ctx):
    checks = _health_checks(ctx)
    candidates = [c for c in checks.values() if _watches_primary(c)]
    try:  # prefer the check the primary record really uses
        primaries, _ = _failover(ctx, "PRIMARY")
        used = [checks[r["HealthCheckId"]] for r in primaries if r.get("HealthCheckId") in checks]
        if any(_watches_primary(c) for c in used):
            candidates = [c for c in used if _watches_primary(c)]
    except CheckFailed:
        pass
    if not candidates:
        return False, f"no health check probes {PRIMARY_IP}"
    problems = [_health_check_problems(c) for c in candidates]
    if any(not p for p in problems):
        return True
    return False, "the health check on the primary: " + "; ".join(problems[0])


def failover_primary(ctx):
    primaries, records = _failover(ctx, "PRIMARY")
    if not primaries:
        kinds = sorted({"weighted" if "Weight" in r else r.get("Failover", "simple").lower() for r in records})
        return False, f"{API} has no PRIMARY failover record (found: {', '.join(kinds)} records)"
    record = primaries[0]
    problems = []
    if record["Type"] != "A":
        problems.append(f"the primary is a {record['Type']} record, not A")
    if _values(record) != [PRIMARY_IP]:
        problems.append(f"the primary answers {', '.join(_values(record)) or 'an alias'}, not {PRIMARY_IP}")
    check_id = record.get("HealthCheckId")
    if not check_id:
        problems.append("the primary has no health check")
    else:
        check = _health_checks(ctx).get(check_id)
        if check is None:
            problems.append(f"the primary's health check {check_id} does not exist")
        elif not _watches_primary(check):
            problems.append(
                f"the primary's health check probes "
                f"{(check.get('HealthCheckConfig') or {}).get('IPAddress') or 'another endpoint'}, "
                f"not {PRIMARY_IP}"
            )
    if problems:
        return False, "; ".join(problems)
    return True


def failover_secondary(ctx):
    secondaries, records = _failover(ctx, "SECONDARY")
    if not secondaries:
        kinds = sorted({"weighted" if "Weight" in r else r.get("Failover", "simple").lower() for r in records})
        return False, f"{API} has no SECONDARY failover record (found: {', '.join(kinds)} records)"
    record = secondaries[0]
    if record["Type"] != "A":
        return False, f"the secondary is a {record['Type']} record, not A"
    if _values(record) != [SECONDARY_IP]:
        return False, f"the secondary answers {', '.join(_values(record)) or 'an alias'}, not {SECONDARY_IP}"
    return True


def failover_ttl(ctx):
    records = [r for r in _records(ctx, API) if r.get("Failover")]
    if not records:
        return False, f"{API} has no failover records yet"
    long = [
        f"{r['Failover'].lower()} has TTL {r.get('TTL')}"
        for r in records
        if r.get("TTL") is None or int(r["TTL"]) > MAX_TTL
    ]
    if long:
        return False, "; ".join(long)
    return True
