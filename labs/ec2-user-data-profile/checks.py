"""Python checks for ec2-user-data-profile."""

import base64
import binascii
import gzip
import re

from tutor.grading import CheckFailed
from tutor.grading.access import describe_principals, others_who_can_assume
from tutor.grading.iam import Request, can_assume, evaluate, exact_permissions, load_policies, load_trust_policy

ROLE = "web-role"
PROFILE = "web-profile"
BUCKET = "shelfwise-web-assets"
BUCKET_ARN = f"arn:aws:s3:::{BUCKET}"
OBJECTS_ARN = f"{BUCKET_ARN}/*"


# ---------------------------------------------------------------- the role


def role_trust(ctx):
    iam = ctx.client("iam")
    try:
        trust = load_trust_policy(iam, ROLE)
    except iam.exceptions.NoSuchEntityException:
        return False, "there is no role web-role yet"
    if not can_assume(trust, "ec2.amazonaws.com"):
        return False, "ec2.amazonaws.com cannot assume it"
    others = others_who_can_assume(trust, "ec2.amazonaws.com")
    if others:
        return False, f"the trust policy also lets these assume the role: {describe_principals(others)}"
    return True


def role_reads_one_bucket(ctx):
    iam = ctx.client("iam")
    try:
        policies = load_policies(iam, role=ROLE)
    except iam.exceptions.NoSuchEntityException:
        return False, "there is no role web-role yet"
    if not policies:
        return False, "web-role has no permission policy, inline or attached"
    missing = []
    if not evaluate(Request("s3:ListBucket", BUCKET_ARN), policies).allowed:
        missing.append(f"s3:ListBucket on {BUCKET_ARN}")
    if not evaluate(Request("s3:GetObject", f"{BUCKET_ARN}/reports/latest.csv"), policies).allowed:
        missing.append(f"s3:GetObject on {OBJECTS_ARN}")
    # "nothing more": probe with the evaluator; both ARNs for both actions are tolerated, so one merged
    # statement (ListBucket + GetObject on the bucket and bucket/*) passes like two precise ones
    report = exact_permissions(policies, ["s3:ListBucket", "s3:GetObject"], [BUCKET_ARN, OBJECTS_ARN])
    problems = []
    if missing:
        problems.append("it does not allow " + "; ".join(missing))
    if report.extra:
        more = f" (and {len(report.extra) - 2} more)" if len(report.extra) > 2 else ""
        problems.append("it also allows " + "; ".join(report.extra[:2]) + more)
    if problems:
        return False, ", and ".join(problems)
    return True


# ---------------------------------------------------------------- the instance


def _web1(ctx):
    reservations = ctx.call(
        "ec2",
        "describe_instances",
        Filters=[
            {"Name": "tag:Name", "Values": ["web-1"]},
            {"Name": "instance-state-name", "Values": ["pending", "running"]},
        ],
    )["Reservations"]
    instances = [i for r in reservations for i in r["Instances"]]
    if not instances:
        raise CheckFailed("there is no running instance tagged Name=web-1")
    if len(instances) > 1:
        raise CheckFailed(f"{len(instances)} running instances are tagged Name=web-1; terminate the extra ones")
    return instances[0]


def profile_attached(ctx):
    instance = _web1(ctx)
    arn = (instance.get("IamInstanceProfile") or {}).get("Arn", "")
    if not arn:
        return False, "web-1 has no instance profile"
    name = arn.rsplit("/", 1)[-1]
    if name != PROFILE:
        return False, f"web-1 runs with the instance profile {name}"
    return True


def imdsv2_required(ctx):
    instance = _web1(ctx)
    options = instance.get("MetadataOptions") or {}
    if options.get("HttpEndpoint", "enabled") == "disabled":
        return False, (
            "the metadata service is disabled, so the instance cannot get web-role's credentials at all; "
            "keep it enabled and require tokens"
        )
    if options.get("HttpTokens") != "required":
        return False, f"HttpTokens is {options.get('HttpTokens', 'optional')}, so IMDSv1 requests still work"
    return True


# ---------------------------------------------------------------- user data

SERVERS = {"httpd": "httpd", "apache2": "apache2", "nginx": "nginx"}  # package -> service
_PACKAGE = r"(httpd|apache2|nginx)\d*"
_INSTALL = re.compile(r"\b(yum|dnf|microdnf|apt-get|apt|amazon-linux-extras)\b[^\n;&|]*?\binstall\b([^\n;&|]*)")
_SYSTEMCTL = re.compile(r"\bsystemctl\b([^\n;&|]*)")
_SERVICE = re.compile(r"\bservice\s+(httpd|apache2|nginx)\s+(start|restart)\b")
_INITD = re.compile(r"/etc/init\.d/(httpd|apache2|nginx)\s+(start|restart)\b")


def decode_user_data(value):
    """The user data as text, or raise ValueError saying why it cannot be read."""
    raw = base64.b64decode(value or "", validate=False)
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return raw.decode("utf-8", errors="replace")


def _looks_base64(text):
    stripped = "".join(text.split())
    if len(stripped) < 16 or not re.fullmatch(r"[A-Za-z0-9+/=]+", stripped):
        return False
    try:
        inner = base64.b64decode(stripped, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return inner.lstrip().startswith("#")


def _packages(args):
    return {SERVERS[m.group(1)] for m in re.finditer(r"(?<![\w/.-])" + _PACKAGE + r"(?![\w/-])", args)}


def _script_lines(text):
    text = text.replace("\\\n", " ")
    return [line.strip() for line in text.splitlines()[1:] if line.strip() and not line.strip().startswith("#")]


def _analyse_commands(lines):
    """(installed services, started services, installed with apt) from shell command lines."""
    installed, started, apt = set(), set(), set()
    for line in lines:
        for m in _INSTALL.finditer(line):
            found = _packages(m.group(2))
            installed |= found
            if m.group(1) in ("apt", "apt-get"):
                apt |= found  # Debian and Ubuntu start a freshly installed server by themselves
        for m in _SYSTEMCTL.finditer(line):
            args = m.group(1)
            if re.search(r"\b(start|restart|reload-or-restart)\b", args) or (
                re.search(r"\benable\b", args) and "--now" in args
            ):
                started |= {SERVERS[s] for s in re.findall(r"\b(httpd|apache2|nginx)(?:\.service)?\b", args)}
        started |= {m.group(1) for m in _SERVICE.finditer(line)} | {m.group(1) for m in _INITD.finditer(line)}
    return installed, started, apt


def _cloud_config(text):
    import yaml

    try:
        config = yaml.safe_load(text) or {}
    except yaml.YAMLError:
        return set(), set(), set()
    if not isinstance(config, dict):
        return set(), set(), set()
    installed = set()
    for package in config.get("packages") or []:
        name = package[0] if isinstance(package, list) and package else package
        installed |= _packages(str(name))
    lines = []
    for command in config.get("runcmd") or []:
        lines.append(" ".join(str(c) for c in command) if isinstance(command, list) else str(command))
    _, started, _ = _analyse_commands(lines)
    return installed, started, set()


def user_data_web_server(ctx):
    instance = _web1(ctx)
    attribute = ctx.call("ec2", "describe_instance_attribute", InstanceId=instance["InstanceId"], Attribute="userData")
    value = (attribute.get("UserData") or {}).get("Value")
    if not value:
        return False, "web-1 was launched without user data"
    try:
        text = decode_user_data(value)
    except (binascii.Error, ValueError, OSError):
        return False, "the user data cannot be decoded"
    if _looks_base64(text):
        return False, (
            "the user data is base64 text itself: it was encoded twice. The CLI and SDKs encode it "
            "for you, so pass the plain script"
        )
    first = text.lstrip("\ufeff").split("\n", 1)[0].strip()
    if first.startswith("#cloud-config"):
        installed, started, auto = _cloud_config(text)
    elif first.startswith("#!"):
        installed, started, auto = _analyse_commands(_script_lines(text))
    else:
        return False, (
            "the user data does not start with a #! line (or #cloud-config), so cloud-init will not run it as a script"
        )
    if not installed:
        return False, "no line installs httpd, nginx or apache2 with the package manager"
    running = installed & (started | auto)
    if not running:
        return False, (
            f"it installs {', '.join(sorted(installed))} but never starts it "
            "(systemctl enable alone only starts it at the next boot)"
        )
    return True
