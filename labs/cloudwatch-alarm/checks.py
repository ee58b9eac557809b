"""Python checks for cloudwatch-alarm.

An alarm can name its metric directly (Namespace, MetricName, Dimensions, Statistic, Period) or through a
single metric query (Metrics[0].MetricStat); both are accepted and read the same way.
"""

from datetime import UTC, datetime, timedelta

ALARM = "lambda-errors-high"
TOPIC = "ops-alerts"


def _alarm(ctx):
    alarms = ctx.call("cloudwatch", "describe_alarms", AlarmNames=[ALARM]).get("MetricAlarms", [])
    return alarms[0] if alarms else None


def _metric_of(alarm):
    """(namespace, name, {dimension: value}, statistic, period, unit) or an error message (str)."""
    queries = alarm.get("Metrics") or []
    if not queries:
        dims = {d["Name"]: d["Value"] for d in alarm.get("Dimensions") or []}
        statistic = alarm.get("Statistic") or alarm.get("ExtendedStatistic")
        return (
            alarm.get("Namespace"),
            alarm.get("MetricName"),
            dims,
            statistic,
            alarm.get("Period"),
            alarm.get("Unit"),
        )
    returned = [q for q in queries if q.get("ReturnData", True)]
    if len(queries) != 1 or len(returned) != 1 or "MetricStat" not in returned[0]:
        return "The alarm uses a metric math expression; this lab wants it to watch one metric directly."
    stat = returned[0]["MetricStat"]
    metric = stat.get("Metric", {})
    dims = {d["Name"]: d["Value"] for d in metric.get("Dimensions") or []}
    return (
        metric.get("Namespace"),
        metric.get("MetricName"),
        dims,
        stat.get("Stat"),
        stat.get("Period"),
        stat.get("Unit"),
    )


def _read(ctx):
    alarm = _alarm(ctx)
    if alarm is None:
        return None, None, "There is no alarm named lambda-errors-high yet."
    metric = _metric_of(alarm)
    if isinstance(metric, str):
        return alarm, None, metric
    return alarm, metric, None


def alarm_metric(ctx):
    _alarm, metric, problem = _read(ctx)
    if problem:
        return False, problem
    namespace, name, dims, _statistic, _period, unit = metric
    if (namespace, name) != ("AWS/Lambda", "Errors"):
        return False, f"It watches {namespace}/{name}."
    if dims != {"FunctionName": "my-api"}:
        if not dims:
            return False, "It has no dimensions, so it watches the errors of every function together."
        return False, "Its dimensions are: " + ", ".join(f"{k}={v}" for k, v in dims.items()) + "."
    if unit not in (None, "Count"):
        return False, f"It only looks at data points with unit {unit}; Lambda publishes Errors as Count."
    return True


def alarm_statistic(ctx):
    _alarm, metric, problem = _read(ctx)
    if problem:
        return False, problem
    _namespace, _name, _dims, statistic, period, _unit = metric
    if statistic != "Sum" or period != 300:
        return False, f"It uses statistic {statistic} over periods of {period} seconds."
    return True


def alarm_threshold(ctx):
    alarm, _metric, problem = _read(ctx)
    if problem:
        return False, problem
    found = (alarm.get("Threshold"), alarm.get("ComparisonOperator"), alarm.get("EvaluationPeriods"))
    if found != (5, "GreaterThanThreshold", 2):
        return False, (f"It has threshold {found[0]}, operator {found[1]}, {found[2]} evaluation period(s).")
    to_alarm = alarm.get("DatapointsToAlarm")
    if to_alarm not in (None, 2):
        return False, f"DatapointsToAlarm is {to_alarm}: the alarm would fire on {to_alarm} of 2 periods, not both."
    return True


def alarm_action(ctx):
    alarm, _metric, problem = _read(ctx)
    if problem:
        return False, problem
    topic_arn = ctx.arn("sns", TOPIC)
    if topic_arn not in (alarm.get("AlarmActions") or []):
        elsewhere = [k for k in ("OKActions", "InsufficientDataActions") if topic_arn in (alarm.get(k) or [])]
        if elsewhere:
            return False, f"The topic is in {elsewhere[0]}: it is notified when the alarm clears, not when it fires."
        return False, f"Its alarm actions are {alarm.get('AlarmActions') or 'empty'}."
    if alarm.get("ActionsEnabled") is False:
        return False, "The action is there but ActionsEnabled is false, so nobody is notified."
    return True


# ---------------------------------------------------------------- the custom metric


def _dimension_sets(ctx):
    """Every distinct dimension set OrdersProcessed was published with (moto lists duplicates)."""
    metrics = ctx.call("cloudwatch", "list_metrics", Namespace="MyApp", MetricName="OrdersProcessed").get("Metrics", [])
    sets = []
    for metric in metrics:
        dims = sorted((d["Name"], d["Value"]) for d in metric.get("Dimensions") or [])
        if dims not in sets:
            sets.append(dims)
    return sets


def _datapoints(ctx, **extra):
    """Data points of MyApp/OrdersProcessed over the last two weeks, for each of its dimension sets (CloudWatch
    keeps a metric with other dimensions apart, so each set is asked for on its own)."""
    now = datetime.now(UTC)
    points = []
    for dims in _dimension_sets(ctx):
        response = ctx.client("cloudwatch").get_metric_statistics(
            Namespace="MyApp",
            MetricName="OrdersProcessed",
            Dimensions=[{"Name": k, "Value": v} for k, v in dims],
            StartTime=now - timedelta(days=14, hours=1),
            EndTime=now + timedelta(hours=3),
            Period=60,
            Statistics=["Minimum", "Maximum", "Sum", "SampleCount"],
            **extra,
        )
        points += response.get("Datapoints", [])
    return points


def _has_42(points):
    def is_42(value):
        return value is not None and abs(float(value) - 42) < 1e-9

    return any(
        is_42(p.get("Minimum")) or is_42(p.get("Maximum")) or (p.get("SampleCount") == 1 and is_42(p.get("Sum")))
        for p in points
    )


def _metric_listed(ctx):
    return bool(_dimension_sets(ctx))


def custom_metric(ctx):
    if not _metric_listed(ctx):
        return False, "No metric OrdersProcessed exists in the namespace MyApp (names are case-sensitive)."
    if _has_42(_datapoints(ctx)):
        return True
    return False, "MyApp/OrdersProcessed exists, but no data point has the value 42."


def custom_metric_unit(ctx):
    if not _metric_listed(ctx) or not _has_42(_datapoints(ctx)):
        return False, "Publish the value 42 to MyApp/OrdersProcessed first."
    if _has_42(_datapoints(ctx, Unit="Count")):
        return True
    return False, "The value 42 was published without the unit Count."
