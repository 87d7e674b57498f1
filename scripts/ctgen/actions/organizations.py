"""Organizations reads (the management account only)."""

from .common import HUMAN, mgmt_only


def _org(name, req=None):
    def build(r, w, g, who):
        return dict(src="organizations.amazonaws.com", name=name, ro=True, req=req,
                    host="organizations.us-east-1.amazonaws.com", perm=f"organizations:{name}", region="us-east-1")
    return build


ACTIONS = [
    (mgmt_only(_org("DescribeOrganization")), HUMAN | {"slr"}, 1, True),
    (mgmt_only(_org("ListAccounts")), HUMAN, 1, True),
    (mgmt_only(_org("ListPolicies", {"filter": "SERVICE_CONTROL_POLICY"})), HUMAN, 0.5, True),
]
