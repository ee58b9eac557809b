"""cloudwatch-alarm: independent correct variants pass every check; plausible mistakes fail exactly their checks."""

import json

from fixtures.labs import failing, report

LAB = "cloudwatch-alarm"
TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:ops-alerts"
ALARM = {
    "AlarmName": "lambda-errors-high",
    "Namespace": "AWS/Lambda",
    "MetricName": "Errors",
    "Dimensions": [{"Name": "FunctionName", "Value": "my-api"}],
    "Statistic": "Sum",
    "Period": 300,
    "EvaluationPeriods": 2,
    "Threshold": 5.0,
    "ComparisonOperator": "GreaterThanThreshold",
    "TreatMissingData": "notBreaching",
    "AlarmActions": [TOPIC_ARN],
}


def build(ctx, *, alarm=None, drop=(), metric=None):
    ctx.client("sns").create_topic(Name="ops-alerts")
    params = {**ALARM, **(alarm or {})}
    for key in drop:
        params.pop(key, None)
    ctx.client("cloudwatch").put_metric_alarm(**params)
    datum = {"MetricName": "OrdersProcessed", "Value": 42, "Unit": "Count"}
    namespace = "MyApp"
    if metric:
        namespace = metric.pop("Namespace", namespace)
        datum.update(metric)
        datum = {k: v for k, v in datum.items() if v is not None}
    ctx.client("cloudwatch").put_metric_data(Namespace=namespace, MetricData=[datum])


def test_untouched_fails_everything(lab_session):
    assert failing(lab_session) == {c.id for c in lab_session.lab.checks}


def test_boto3_metric_query_form_and_values_counts_pass(lab_session):
    ctx = lab_session.solve_context()
    cw = ctx.client("cloudwatch")
    cw.put_metric_data(
        Namespace="MyApp",
        MetricData=[
            {
                "MetricName": "OrdersProcessed",
                "Values": [42],
                "Counts": [1],
                "Unit": "Count",
                "Dimensions": [{"Name": "Service", "Value": "checkout"}],
            }
        ],
    )  # dimensions are allowed
    cw.put_metric_alarm(
        AlarmName="lambda-errors-high",
        EvaluationPeriods=2,
        DatapointsToAlarm=2,
        Threshold=5,
        ComparisonOperator="GreaterThanThreshold",
        TreatMissingData="notBreaching",
        AlarmActions=[TOPIC_ARN],
        OKActions=[TOPIC_ARN],
        Metrics=[
            {
                "Id": "errors",
                "ReturnData": True,
                "MetricStat": {
                    "Metric": {
                        "Namespace": "AWS/Lambda",
                        "MetricName": "Errors",
                        "Dimensions": [{"Name": "FunctionName", "Value": "my-api"}],
                    },
                    "Period": 300,
                    "Stat": "Sum",
                    "Unit": "Count",
                },
            }
        ],
    )
    ctx.client("sns").create_topic(Name="ops-alerts")  # topic created after the alarm that names it
    assert failing(lab_session) == set()


def test_cli_json_metric_data_and_several_values_pass(lab_session):
    ctx = lab_session.solve_context()
    ctx.aws("sns create-topic --name ops-alerts")
    ctx.write(
        "data.json",
        json.dumps(
            [
                {"MetricName": "OrdersProcessed", "Value": 42, "Unit": "Count"},
            ]
        ),
    )
    ctx.aws("cloudwatch put-metric-data --namespace MyApp --metric-data file://data.json")
    ctx.aws("cloudwatch put-metric-data --namespace MyApp --metric-name OrdersProcessed --value 17 --unit Count")
    ctx.aws(
        "cloudwatch put-metric-alarm --alarm-name lambda-errors-high --metric-name Errors --namespace AWS/Lambda "
        "--statistic Sum --period 300 --threshold 5.0 --comparison-operator GreaterThanThreshold "
        "--dimensions Name=FunctionName,Value=my-api --evaluation-periods 2 --datapoints-to-alarm 2 "
        "--treat-missing-data notBreaching --unit Count "
        f"--alarm-actions {TOPIC_ARN} arn:aws:sns:us-east-1:123456789012:team-chat"
    )
    assert failing(lab_session) == set()


def test_average_fails_only_statistic(lab_session):
    build(lab_session.solve_context(), alarm={"Statistic": "Average"})
    assert failing(lab_session) == {"alarm-statistic"}


def test_period_in_minutes_fails_only_statistic(lab_session):
    build(lab_session.solve_context(), alarm={"Period": 5 * 60 * 60})
    assert failing(lab_session) == {"alarm-statistic"}


def test_greater_or_equal_fails_only_threshold(lab_session):
    build(lab_session.solve_context(), alarm={"ComparisonOperator": "GreaterThanOrEqualToThreshold"})
    assert failing(lab_session) == {"alarm-threshold"}


def test_one_of_two_datapoints_fails_only_threshold(lab_session):
    build(lab_session.solve_context(), alarm={"DatapointsToAlarm": 1})
    assert failing(lab_session) == {"alarm-threshold"}


def test_default_missing_data_fails_only_missing_data(lab_session):
    build(lab_session.solve_context(), drop=("TreatMissingData",))
    assert failing(lab_session) == {"alarm-missing-data"}


def test_topic_in_ok_actions_fails_only_action(lab_session):
    build(lab_session.solve_context(), alarm={"OKActions": [TOPIC_ARN], "AlarmActions": []})
    graded = report(lab_session)
    failed = {c.id: c.message for c in graded.checks if not c.passed}
    assert set(failed) == {"alarm-action"}
    assert "OKActions" in failed["alarm-action"]


def test_actions_disabled_fails_only_action(lab_session):
    build(lab_session.solve_context(), alarm={"ActionsEnabled": False})
    assert failing(lab_session) == {"alarm-action"}


def test_all_functions_fails_only_metric(lab_session):
    build(lab_session.solve_context(), drop=("Dimensions",))
    assert failing(lab_session) == {"alarm-metric"}


def test_wrong_function_dimension_name_fails_only_metric(lab_session):
    build(lab_session.solve_context(), alarm={"Dimensions": [{"Name": "Function", "Value": "my-api"}]})
    assert failing(lab_session) == {"alarm-metric"}


def test_unit_seconds_fails_only_unit(lab_session):
    build(lab_session.solve_context(), metric={"Unit": "Seconds"})
    assert failing(lab_session) == {"custom-metric-unit"}


def test_no_unit_fails_only_unit(lab_session):
    build(lab_session.solve_context(), metric={"Unit": None})
    assert failing(lab_session) == {"custom-metric-unit"}


def test_wrong_namespace_fails_both_metric_checks(lab_session):
    build(lab_session.solve_context(), metric={"Namespace": "myapp"})
    assert failing(lab_session) == {"custom-metric", "custom-metric-unit"}


def test_wrong_value_fails_both_metric_checks(lab_session):
    build(lab_session.solve_context(), metric={"Value": 4.2})
    assert failing(lab_session) == {"custom-metric", "custom-metric-unit"}


def test_no_topic_fails_only_topic(lab_session):
    ctx = lab_session.solve_context()
    ctx.client("cloudwatch").put_metric_alarm(**ALARM)
    ctx.client("cloudwatch").put_metric_data(
        Namespace="MyApp", MetricData=[{"MetricName": "OrdersProcessed", "Value": 42, "Unit": "Count"}]
    )
    assert failing(lab_session) == {"topic"}
