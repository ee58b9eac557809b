"""cfn-users-stack: independent correct templates pass every check, plausible mistakes fail exactly theirs."""

import importlib.util
import io
import json
import zipfile
from pathlib import Path

import pytest
from fixtures.labs import failing, message

LAB = "cfn-users-stack"
STACK = "users-api-dev"


def _reference_template():
    path = Path(__file__).resolve().parents[2] / "labs" / LAB / "solution.py"
    spec = importlib.util.spec_from_file_location("cfn_users_stack_solution", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.TEMPLATE


YAML = _reference_template()


def create(session, template, environment="dev"):
    params = [{"ParameterKey": "Environment", "ParameterValue": environment}] if environment else []
    session.sandbox.client("cloudformation").create_stack(
        StackName=STACK,
        TemplateBody=template if isinstance(template, str) else json.dumps(template, indent=2),
        Parameters=params,
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )


TABLE_ARN = {"Fn::GetAtt": ["Table", "Arn"]}
JSON_TEMPLATE = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Parameters": {"Environment": {"Type": "String", "Default": "dev", "AllowedValues": ["prod", "staging", "dev"]}},
    "Resources": {
        "Table": {
            "Type": "AWS::DynamoDB::Table",
            "Properties": {
                "TableName": {"Fn::Join": ["-", [{"Ref": "Environment"}, "Users"]]},
                "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [{"AttributeName": "userId", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "userId", "KeyType": "HASH"}],
            },
        },
        "Role": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": ["lambda.amazonaws.com"]},
                            "Action": ["sts:AssumeRole"],
                        }
                    ],
                }
            },
        },
        "TableAccess": {
            "Type": "AWS::IAM::ManagedPolicy",
            "Properties": {
                "Roles": [{"Ref": "Role"}],
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "Read",
                            "Effect": "Allow",
                            "Action": ["dynamodb:GetItem", "dynamodb:Query"],
                            "Resource": TABLE_ARN,
                        },
                        {
                            "Sid": "Write",
                            "Effect": "Allow",
                            "Action": ["dynamodb:PutItem", "dynamodb:DeleteItem"],
                            "Resource": [TABLE_ARN],
                        },
                    ],
                },
            },
        },
        "Function": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "FunctionName": {"Fn::Join": ["", [{"Ref": "Environment"}, "-users-api"]]},
                "Runtime": "python3.12",
                "Handler": "index.handler",
                "Timeout": 10,
                "Role": {"Fn::GetAtt": ["Role", "Arn"]},
                "Environment": {"Variables": {"TABLE_NAME": {"Ref": "Table"}}},
                "Code": {"ZipFile": "def handler(event, context):\n    return {'statusCode': 204}\n"},
            },
        },
    },
    "Outputs": {"UsersTableArn": {"Description": "for other stacks", "Value": TABLE_ARN}},
}


def test_reference_solution_passes(lab_session):
    from tutor.grading.session import apply_solution

    apply_solution(lab_session)
    assert failing(lab_session) == set()


def test_json_join_managed_policy_default_parameter_passes(lab_session):
    """JSON, !Join, a customer managed policy with split statements, the parameter left at its default."""
    create(lab_session, JSON_TEMPLATE, environment=None)
    assert failing(lab_session) == set()


SEPARATE_POLICY = YAML.replace(
    """      Policies:
        - PolicyName: users-table-access
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action:
                  - dynamodb:GetItem
                  - dynamodb:PutItem
                  - dynamodb:DeleteItem
                  - dynamodb:Query
                Resource: !GetAtt UsersTable.Arn
""",
    """
  TableAccessPolicy:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: users-table-access
      Roles:
        - !Ref UsersApiRole
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Action: [dynamodb:Query, dynamodb:GetItem, dynamodb:PutItem, dynamodb:DeleteItem]
            Resource: !Sub 'arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${UsersTable}'
""",
).replace("TableName: !Sub '${Environment}-Users'", "TableName: !Sub ['${Env}-Users', {Env: !Ref Environment}]")


def test_separate_policy_resource_and_cloudformation_deploy_passes(lab_session):
    assert "AWS::IAM::Policy" in SEPARATE_POLICY and "Env: !Ref" in SEPARATE_POLICY
    ctx = lab_session.solve_context()
    ctx.write("stack.yml", SEPARATE_POLICY)
    ctx.aws(
        "cloudformation deploy --template-file stack.yml --stack-name users-api-dev "
        "--parameter-overrides Environment=dev --capabilities CAPABILITY_IAM"
    )
    assert failing(lab_session) == set()


def test_dynamodb_wildcard_fails_only_role_permissions(lab_session):
    create(lab_session, YAML.replace("                  - dynamodb:GetItem\n", "                  - dynamodb:*\n"))
    assert failing(lab_session) == {"role-permissions"}
    assert "dynamodb:*" in message(lab_session, "role-permissions")


def test_any_resource_fails_only_role_permissions(lab_session):
    create(lab_session, YAML.replace("Resource: !GetAtt UsersTable.Arn", "Resource: '*'"))
    assert failing(lab_session) == {"role-permissions"}


def test_extra_scan_action_fails_only_role_permissions(lab_session):
    create(
        lab_session,
        YAML.replace(
            "                  - dynamodb:Query\n",
            "                  - dynamodb:Query\n                  - dynamodb:Scan\n",
        ),
    )
    assert failing(lab_session) == {"role-permissions"}
    assert "dynamodb:Scan" in message(lab_session, "role-permissions")


def test_hard_coded_names_fail_only_names_from_parameter(lab_session):
    create(
        lab_session,
        YAML.replace("!Sub '${Environment}-Users'", "dev-Users").replace(
            "!Sub '${Environment}-users-api'", "dev-users-api"
        ),
    )
    assert failing(lab_session) == {"names-from-parameter"}
    assert "prod" in message(lab_session, "names-from-parameter")


def test_provisioned_table_fails_only_table(lab_session):
    create(
        lab_session,
        YAML.replace(
            "      BillingMode: PAY_PER_REQUEST\n",
            "      ProvisionedThroughput: {ReadCapacityUnits: 5, WriteCapacityUnits: 5}\n",
        ),
    )
    assert failing(lab_session) == {"table"}


def test_missing_output_fails_only_output(lab_session):
    create(lab_session, YAML.split("Outputs:")[0])
    assert failing(lab_session) == {"output"}


def test_lint_error_fails_only_template_lint(lab_session):
    """The sandbox accepts a memory size real Lambda refuses; cfn-lint does not."""
    create(
        lab_session,
        YAML.replace("      Runtime: python3.12\n", "      Runtime: python3.12\n      MemorySize: 100000\n"),
    )
    assert failing(lab_session) == {"template-lint"}
    assert "MemorySize" in message(lab_session, "template-lint")


def test_allowed_values_missing_prod_fails_only_environment_parameter(lab_session):
    create(lab_session, YAML.replace("AllowedValues: [dev, staging, prod]", "AllowedValues: [dev, staging]"))
    assert failing(lab_session) == {"environment-parameter"}


def test_code_from_s3_fails_only_function(lab_session):
    s3 = lab_session.sandbox.client("s3")
    s3.create_bucket(Bucket="lumen-artifacts")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return {}\n")
    s3.put_object(Bucket="lumen-artifacts", Key="users-api.zip", Body=buf.getvalue())
    template = (
        YAML.split("      Code:\n")[0]
        + "      Code:\n        S3Bucket: lumen-artifacts\n        S3Key: users-api.zip\n\nOutputs:"
        + YAML.split("Outputs:")[1]
    )
    create(lab_session, template)
    assert failing(lab_session) == {"function"}
    assert "inline" in message(lab_session, "function")


def test_deployed_as_staging_fails_the_dev_resources(lab_session):
    create(lab_session, YAML, environment="staging")
    assert failing(lab_session) == {
        "environment-parameter",
        "table",
        "role-permissions",
        "role-trust",
        "function",
        "function-env",
        "output",
    }


def test_hand_made_table_is_not_the_stacks(lab_session):
    """A table created by hand with the right name does not count; the stack must own it."""
    lab_session.sandbox.client("dynamodb").create_table(
        TableName="dev-Users",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "userId", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "userId", "KeyType": "HASH"}],
    )
    assert "table" in failing(lab_session)


def test_nothing_deployed_fails_everything(lab_session):
    assert failing(lab_session) == {c.id for c in lab_session.lab.checks}


def test_deploy_without_output_fails_only_output(lab_session):
    """`cloudformation deploy` goes through a change set, whose stack outputs the sandbox does not record:
    the check reads the template's Outputs then."""
    ctx = lab_session.solve_context()
    ctx.write("stack.yml", YAML.split("Outputs:")[0])
    ctx.aws("cloudformation deploy --template-file stack.yml --stack-name users-api-dev --capabilities CAPABILITY_IAM")
    assert failing(lab_session) == {"output"}


def test_deploy_with_output_built_by_sub_passes(lab_session):
    ctx = lab_session.solve_context()
    ctx.write(
        "stack.yml",
        YAML.replace(
            "Value: !GetAtt UsersTable.Arn",
            "Value: !Sub 'arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${UsersTable}'",
        ),
    )
    ctx.aws("cloudformation deploy --template-file stack.yml --stack-name users-api-dev --capabilities CAPABILITY_IAM")
    assert failing(lab_session) == set()


def test_aws_managed_logging_policy_is_an_extra_grant(lab_session):
    """AWSLambdaBasicExecutionRole on the role adds logs:* actions: no longer exactly the four."""
    template = YAML.replace(
        "      Policies:\n",
        "      ManagedPolicyArns:\n"
        "        - arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole\n"
        "      Policies:\n",
    )
    try:
        create(lab_session, template)
    except Exception:  # noqa: BLE001 - the sandbox may refuse AWS managed policies altogether
        pytest.skip("the sandbox refuses AWS managed policies")
    status = lab_session.sandbox.client("cloudformation").describe_stacks(StackName=STACK)["Stacks"][0]["StackStatus"]
    if status != "CREATE_COMPLETE":
        pytest.skip(f"the sandbox could not attach an AWS managed policy ({status})")
    assert "role-permissions" in failing(lab_session)
