"""DynamoDB actions: table reads, and a TTL update by the deploy role."""

from .common import APPS, HUMANISH, regional_host


def _ddb(name, ro=True, table=True, extra=None):
    def build(r, w, g, who):
        t = r.choice(w.tables[g])
        req = {"tableName": t} if table else None
        if extra and req is not None:
            req.update(extra)
        d = dict(src="dynamodb.amazonaws.com", name=name, ro=ro, req=req, host=regional_host("dynamodb", g),
                 perm=f"dynamodb:{name}", target=w.table_arn(g, t) if table else None)
        if table:
            d["res"] = [{"accountId": w.acct, "type": "AWS::DynamoDB::Table", "ARN": w.table_arn(g, t)}]
        return d
    return build


ACTIONS = [
    (_ddb("DescribeTable"), APPS | HUMANISH | {"slr"}, 6, False),
    (_ddb("ListTables", table=False), HUMANISH | {"slr"}, 2, False),
    (_ddb("DescribeContinuousBackups"), HUMANISH | {"slr"}, 2, False),
    (_ddb("DescribeTimeToLive"), HUMANISH | {"slr", "ecsapp"}, 2, False),
    (_ddb("UpdateTimeToLive", ro=False, extra={"timeToLiveSpecification": {"enabled": True, "attributeName": "expiresAt"}}),
     {"deploy"}, 0.3, False),
]
