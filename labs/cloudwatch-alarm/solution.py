"""Reference solution for cloudwatch-alarm, with the AWS CLI as a learner would type it."""


def solve(ctx):
    topic_arn = ctx.aws_json("sns create-topic --name ops-alerts")["TopicArn"]
    ctx.aws(
        "cloudwatch put-metric-alarm --alarm-name lambda-errors-high "
        "--alarm-description 'my-api is failing: more than 5 errors in each of two 5-minute periods' "
        "--namespace AWS/Lambda --metric-name Errors --dimensions Name=FunctionName,Value=my-api "
        "--statistic Sum --period 300 --evaluation-periods 2 --threshold 5 "
        "--comparison-operator GreaterThanThreshold --treat-missing-data notBreaching "
        f"--alarm-actions {topic_arn}"
    )
    ctx.aws("cloudwatch put-metric-data --namespace MyApp --metric-name OrdersProcessed --unit Count --value 42")
