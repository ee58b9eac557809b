"""Python checks for cfn-users-stack.

CloudFormation in the sandbox skips what it does not understand and still reports CREATE_COMPLETE, so the checks
lint the stack's own template (cfn-lint, once per distinct template) and then read the real resources the stack
made: the table, the role's policy documents and the function's configuration.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from concurrent.futures import Future

from tutor.grading import CheckFailed

STACK = "users-api-dev"
ENVIRONMENTS = ("dev", "staging", "prod")
TABLE = "dev-Users"
FUNCTION = "dev-users-api"
ACTIONS = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Query"]


def _table_arn(ctx, name=TABLE):
    return f"arn:aws:dynamodb:{ctx.region}:{ctx.account_id}:table/{name}"


# ---------------------------------------------------------------- the stack and its template


def _stack(ctx):
    from botocore.exceptions import ClientError

    try:
        stacks = ctx.call("cloudformation", "describe_stacks", StackName=STACK)["Stacks"]
    except ClientError:
        raise CheckFailed(f"There is no stack {STACK} yet.") from None
    if not stacks:
        raise CheckFailed(f"There is no stack {STACK} yet.")
    return stacks[0]


def _template(ctx):
    """(text, parsed template) of the stack as deployed. JSON comes back from the API already parsed."""
    _stack(ctx)
    body = ctx.call("cloudformation", "get_template", StackName=STACK)["TemplateBody"]
    if isinstance(body, dict):
        return json.dumps(body, indent=2), json.loads(json.dumps(body))
    from cfnlint.decode.decode import decode_str

    parsed, errors = decode_str(body)
    if errors or not isinstance(parsed, dict):
        first = errors[0].message if errors else "not a template"
        raise CheckFailed(f"The stack's template cannot be read: {first}")
    return body, parsed


def _resources(ctx, kind):
    """Physical ids of the stack's resources of one type, by logical id."""
    summaries = ctx.call("cloudformation", "list_stack_resources", StackName=STACK)["StackResourceSummaries"]
    return {r["LogicalResourceId"]: r.get("PhysicalResourceId") for r in summaries if r["ResourceType"] == kind}


def _template_resources(template, kind):
    resources = template.get("Resources") or {}
    return {name: r for name, r in resources.items() if isinstance(r, dict) and r.get("Type") == kind}


# ---------------------------------------------------------------- cfn-lint, once per template

_LINTS: dict[str, Future] = {}
_LINT_LOCK = threading.Lock()


def _lint(text):
    key = hashlib.sha256(text.encode()).hexdigest()
    with _LINT_LOCK:
        future = _LINTS.get(key)
        owner = future is None
        if owner:
            if len(_LINTS) > 32:
                _LINTS.clear()
            future = _LINTS[key] = Future()
    if owner:
        try:
            from cfnlint.api import ManualArgs, lint

            matches = lint(text, config=ManualArgs(regions=["us-east-1"]))
            errors = [
                (m.rule.id, "/".join(str(p) for p in (getattr(m, "path", None) or [])), m.linenumber, m.message)
                for m in matches
                if getattr(m.rule, "severity", "error") == "error"
            ]
            future.set_result(errors)
        except BaseException as exc:  # noqa: BLE001
            future.set_exception(exc)
            with _LINT_LOCK:
                _LINTS.pop(key, None)
    return future.result()  # the owner always settles the future; no wall-clock limit on a busy machine


def template_lint(ctx):
    text, _ = _template(ctx)
    errors = _lint(text)
    if not errors:
        return True
    shown = "; ".join(
        f"{rule} at {path or 'line ' + str(line)}: {message[:140]}" for rule, path, line, message in errors[:3]
    )
    more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
    count = "1 error" if len(errors) == 1 else f"{len(errors)} errors"
    return False, f"cfn-lint reports {count}: {shown}{more}"


# ---------------------------------------------------------------- the parameter


def environment_parameter(ctx):
    stack = _stack(ctx)
    _, template = _template(ctx)
    param = (template.get("Parameters") or {}).get("Environment")
    if not isinstance(param, dict):
        return False, "The template declares no parameter named Environment."
    if param.get("Type") != "String":
        return False, f"The Environment parameter has Type {param.get('Type')!r}; it holds a string."
    allowed = param.get("AllowedValues")
    if not isinstance(allowed, list) or sorted(map(str, allowed)) != sorted(ENVIRONMENTS):
        return False, f"The Environment parameter allows {allowed!r}; the three environments are the only valid values."
    if param.get("Default") != "dev":
        return False, f"The Environment parameter's default is {param.get('Default')!r}."
    values = {p["ParameterKey"]: p.get("ParameterValue") for p in stack.get("Parameters") or []}
    if values.get("Environment") != "dev":
        return False, f"The stack was deployed with Environment={values.get('Environment')!r}."
    return True


# ---------------------------------------------------------------- names derived from the parameter


class Unresolved(Exception):
    pass


_PSEUDO = {
    "AWS::Region": "us-east-1",
    "AWS::AccountId": "123456789012",
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
}


def _resolve(value, env, refs=None):
    """Evaluate a value written with Ref/!Sub/!Join (and !GetAtt X.Arn for the logical ids in ``refs``:
    logical id -> (Ref value, Arn)) for Environment=env."""
    refs = refs or {}
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        ((fn, arg),) = value.items()
        if fn == "Fn::GetAtt":
            logical, attribute = arg.split(".", 1) if isinstance(arg, str) else (arg + [None, None])[:2]
            if logical in refs and attribute == "Arn":
                return refs[logical][1]
            raise Unresolved(f"GetAtt {logical}.{attribute}")
        if fn == "Ref":
            if arg in refs:
                return refs[arg][0]
            if arg == "Environment":
                return env
            if arg in _PSEUDO:
                return _PSEUDO[arg]
            if arg == "AWS::StackName":
                return f"users-api-{env}"
            raise Unresolved(f"Ref {arg}")
        if fn == "Fn::Sub":
            text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1] if len(arg) > 1 else {})

            def sub(match):
                name = match.group(1)
                if name.startswith("!"):
                    return "${" + name[1:] + "}"
                if name in variables:
                    return _resolve(variables[name], env, refs)
                if "." in name:
                    return _resolve({"Fn::GetAtt": name}, env, refs)
                return _resolve({"Ref": name}, env, refs)

            return re.sub(r"\$\{([^}]+)\}", sub, text)
        if fn == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
            return str(arg[0]).join(_resolve(part, env, refs) for part in arg[1])
    raise Unresolved(json.dumps(value)[:80])


def _names_follow(template, kind, prop, pattern):
    resources = _template_resources(template, kind)
    if not resources:
        return f"The template has no {kind}."
    for logical, resource in resources.items():
        value = (resource.get("Properties") or {}).get(prop)
        if value is None:
            continue
        try:
            names = {env: _resolve(value, env) for env in ENVIRONMENTS}
        except Unresolved as exc:
            return f"{logical}.{prop} uses something the checks cannot evaluate ({exc}); use !Sub or !Join with the parameter."
        if all(names[env] == pattern.format(env=env) for env in ENVIRONMENTS):
            return None
        if names["dev"] == pattern.format(env="dev"):
            return (
                f"{logical}.{prop} gives {names['prod']!r} when Environment is prod: "
                "the name must follow the parameter, not be written out for dev."
            )
    return f"No {kind} has a {prop} that follows the pattern {pattern.format(env='<Environment>')}."


def names_from_parameter(ctx):
    _, template = _template(ctx)
    for kind, prop, pattern in (
        ("AWS::DynamoDB::Table", "TableName", "{env}-Users"),
        ("AWS::Lambda::Function", "FunctionName", "{env}-users-api"),
    ):
        problem = _names_follow(template, kind, prop, pattern)
        if problem:
            return False, problem
    return True


# ---------------------------------------------------------------- the resources themselves


def table(ctx):
    if TABLE not in _resources(ctx, "AWS::DynamoDB::Table").values():
        return False, f"The stack {STACK} did not create a table named {TABLE}."
    description = ctx.call("dynamodb", "describe_table", TableName=TABLE)["Table"]
    mode = (description.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED")
    if mode != "PAY_PER_REQUEST":
        return False, f"{TABLE} uses {mode} capacity."
    keys = [(k["AttributeName"], k["KeyType"]) for k in description.get("KeySchema", [])]
    if keys != [("userId", "HASH")]:
        return False, f"{TABLE} has the key schema {keys}; it is keyed by userId alone."
    return True


def _function_role(ctx):
    from botocore.exceptions import ClientError

    if FUNCTION not in _resources(ctx, "AWS::Lambda::Function").values():
        raise CheckFailed(f"The stack {STACK} did not create a function named {FUNCTION}.")
    try:
        config = ctx.call("lambda", "get_function_configuration", FunctionName=FUNCTION)
    except ClientError:
        raise CheckFailed(f"The function {FUNCTION} does not exist.") from None
    role_name = config["Role"].rsplit("/", 1)[-1]
    if role_name not in _resources(ctx, "AWS::IAM::Role").values():
        raise CheckFailed(f"{FUNCTION} runs with the role {role_name}, which is not a role of the stack.")
    return config, role_name


def _document(raw):
    """A policy document as the sandbox returns it. moto stores the inline policies of a role created by
    CloudFormation (the role's Policies property) as a Python dict and hands back its repr, not JSON."""
    import ast

    from tutor.grading.policy import PolicyError, parse_policy

    try:
        return parse_policy(raw)
    except PolicyError:
        if isinstance(raw, str) and raw.lstrip().startswith("{'"):
            value = ast.literal_eval(raw)
            if isinstance(value, dict):
                return value
        raise


def _role_policies(ctx, role_name):
    """The role's inline and attached policies, like tutor.grading.iam.load_policies but tolerant of moto's
    repr documents."""
    from tutor.grading.iam import PolicyDocument

    iam = ctx.client("iam")
    out = []
    for name in iam.list_role_policies(RoleName=role_name)["PolicyNames"]:
        raw = iam.get_role_policy(RoleName=role_name, PolicyName=name)["PolicyDocument"]
        out.append(PolicyDocument(name, _document(raw), "inline policy"))
    for attached in iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]:
        arn = attached["PolicyArn"]
        version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
        raw = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
        out.append(PolicyDocument(attached["PolicyName"], _document(raw), "managed policy", arn))
    out.extend(_skipped_aws_managed(ctx, role_name, {p.arn for p in out if p.arn}))
    return out


def _skipped_aws_managed(ctx, role_name, attached):
    """AWS managed policies the template attaches to the role (ManagedPolicyArns) that the sandbox silently
    left out: they would be attached in a real account, so they count."""
    import json as _json

    from tutor.grading.iam import PolicyDocument

    _, template = _template(ctx)
    logical = next((k for k, v in _resources(ctx, "AWS::IAM::Role").items() if v == role_name), None)
    resource = (template.get("Resources") or {}).get(logical) or {}
    out = []
    for value in (resource.get("Properties") or {}).get("ManagedPolicyArns") or []:
        try:
            arn = _resolve(value, "dev")
        except Unresolved:
            continue
        if arn in attached or ":iam::aws:policy/" not in arn:
            continue
        from moto.iam.aws_managed_policies import aws_managed_policies_data

        entry = _json.loads(aws_managed_policies_data).get(arn.rsplit("/", 1)[-1])
        if entry:
            out.append(PolicyDocument(arn.rsplit("/", 1)[-1], entry["Document"], "AWS managed policy", arn))
    return out


def role_permissions(ctx):
    from tutor.grading.iam import exact_permissions

    _, role_name = _function_role(ctx)
    policies = _role_policies(ctx, role_name)
    if not policies:
        return False, f"The function's role ({role_name}) has no permission policy at all."
    report = exact_permissions(policies, ACTIONS, _table_arn(ctx))
    if report.ok:
        return True
    return False, f"The function's role {report.message()}."


def role_trust(ctx):
    from tutor.grading.iam import can_assume

    _, role_name = _function_role(ctx)
    if can_assume(ctx.policy_evaluator.trust_policy(role_name), "lambda.amazonaws.com"):
        return True
    return False, f"The trust policy of {role_name} does not let lambda.amazonaws.com assume it."


def function(ctx):
    config, _ = _function_role(ctx)
    if config.get("Runtime") != "python3.12":
        return False, f"{FUNCTION} runs {config.get('Runtime')!r}."
    _, template = _template(ctx)
    logical = next(k for k, v in _resources(ctx, "AWS::Lambda::Function").items() if v == FUNCTION)
    code = ((template.get("Resources") or {}).get(logical, {}).get("Properties") or {}).get("Code") or {}
    if not (isinstance(code, dict) and code.get("ZipFile")):
        return False, f"The code of {logical} is not written inline in the template (Code.ZipFile)."
    return True


def output(ctx):
    stack = _stack(ctx)
    arn = _table_arn(ctx)
    outputs = stack.get("Outputs")
    if outputs:
        value = next((o.get("OutputValue") for o in outputs if o.get("OutputKey") == "UsersTableArn"), None)
        if value is None:
            return False, f"The stack's outputs are {sorted(o.get('OutputKey') for o in outputs)}."
        return (True, "") if value == arn else (False, f"UsersTableArn is {value!r}.")
    # The sandbox does not record the outputs of a stack made through a change set (`cloudformation deploy`):
    # read the output from the template instead, resolving it against the stack's own table.
    _, template = _template(ctx)
    declared = (template.get("Outputs") or {}).get("UsersTableArn") or {}
    if "Value" not in declared:
        return False, "The template declares no output UsersTableArn."
    refs = {
        logical: (name, _table_arn(ctx, name))
        for logical, name in _resources(ctx, "AWS::DynamoDB::Table").items()
        if name
    }
    try:
        value = _resolve(declared["Value"], "dev", refs)
    except Unresolved as exc:
        return False, f"The output UsersTableArn uses something the checks cannot evaluate ({exc})."
    return (True, "") if value == arn else (False, f"UsersTableArn would be {value!r}.")
