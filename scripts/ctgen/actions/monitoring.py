"""CloudWatch Logs and CloudWatch actions."""

from ..basics import hexs
from .common import APPS, HUMANISH, regional_host


def _logs(name, req_fn, ro=True):
    def build(r, w, g, who):
        return dict(src="logs.amazonaws.com", name=name, ro=ro, req=req_fn(r, w, g, who), host=regional_host("logs", g),
                    perm=f"logs:{name}")
    return build


def _cw(name, req_fn, ro=True):
    def build(r, w, g, who):
        return dict(src="monitoring.amazonaws.com", name=name, ro=ro, req=req_fn(r, w, g),
                    host=regional_host("monitoring", g), perm=f"cloudwatch:{name}")
    return build


ACTIONS = [
    # --- CloudWatch Logs
    (_logs("DescribeLogGroups", lambda r, w, g, who: r.choice([{"logGroupNamePrefix": "/aws/lambda/"}, {"limit": 50},
                                                               {"includeLinkedAccounts": False}])),
     HUMANISH | {"slr"}, 4, False),
    (_logs("DescribeLogStreams", lambda r, w, g, who: {"logGroupName": r.choice(w.log_groups), "orderBy": "LastEventTime",
                                                       "descending": True, "limit": 50}), HUMANISH, 2, False),
    (_logs("CreateLogStream", lambda r, w, g, who: {"logGroupName": "/aws/lambda/order-processor",
                                                    "logStreamName": f"2026/11/20/[$LATEST]{hexs(r, 32)}"}, ro=False),
     {"lambdaapp"}, 4, False),
    (_logs("DescribeSubscriptionFilters", lambda r, w, g, who: {"logGroupName": r.choice(w.log_groups)}),
     HUMANISH | {"slr"}, 1, False),
    # --- CloudWatch
    (_cw("DescribeAlarms", lambda r, w, g: r.choice([{"maxRecords": 100}, {"alarmNames": [r.choice(w.alarms)]}])),
     HUMANISH | {"slr"}, 4, False),
    (_cw("ListMetrics", lambda r, w, g: {"namespace": r.choice(["AWS/EC2", "AWS/Lambda", "AWS/DynamoDB"])}),
     HUMANISH | APPS, 2, False),
    (_cw("DescribeAlarmHistory", lambda r, w, g: {"alarmName": r.choice(w.alarms), "historyItemType": "StateUpdate",
                                                  "maxRecords": 10}), HUMANISH, 1, False),
    (_cw("PutMetricAlarm", lambda r, w, g: {"alarmName": r.choice(w.alarms), "metricName": "Errors",
                                            "namespace": "AWS/Lambda", "statistic": "Sum", "period": 300,
                                            "evaluationPeriods": 1, "threshold": 5.0,
                                            "comparisonOperator": "GreaterThanThreshold",
                                            "treatMissingData": "notBreaching"}, ro=False), {"deploy"}, 0.5, False),
]
