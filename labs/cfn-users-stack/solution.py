"""Reference solution for cfn-users-stack: a YAML template deployed with the CLI."""

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Description: Users API - table, least-privilege role and function for one environment

Parameters:
  Environment:
    Type: String
    AllowedValues: [dev, staging, prod]
    Default: dev

Resources:
  UsersTable:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub '${Environment}-Users'
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - AttributeName: userId
          AttributeType: S
      KeySchema:
        - AttributeName: userId
          KeyType: HASH

  UsersApiRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal:
              Service: lambda.amazonaws.com
            Action: sts:AssumeRole
      Policies:
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

  UsersApiFunction:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: !Sub '${Environment}-users-api'
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt UsersApiRole.Arn
      Environment:
        Variables:
          TABLE_NAME: !Ref UsersTable
      Code:
        ZipFile: |
          import json, os
          import boto3

          table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])

          def handler(event, context):
              user_id = (event.get("pathParameters") or {}).get("userId")
              item = table.get_item(Key={"userId": user_id}).get("Item") if user_id else None
              return {"statusCode": 200 if item else 404,
                      "headers": {"Content-Type": "application/json"},
                      "body": json.dumps(item or {"message": "not found"})}

Outputs:
  UsersTableArn:
    Value: !GetAtt UsersTable.Arn
"""


def solve(ctx):
    ctx.write("users-stack.yaml", TEMPLATE)
    ctx.aws(
        "cloudformation create-stack --stack-name users-api-dev --template-body file://users-stack.yaml "
        "--parameters ParameterKey=Environment,ParameterValue=dev --capabilities CAPABILITY_IAM"
    )
