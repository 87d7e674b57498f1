"""SSM actions: parameter reads and writes, and the SSM agent's own calls from instances."""

from .common import APPS, HUMANISH, regional_host


def _ssm(name, req_fn, ro=True, resp_fn=None):
    def build(r, w, g, who):
        return dict(src="ssm.amazonaws.com", name=name, ro=ro, req=req_fn(r, w, g, who),
                    resp=resp_fn(r) if resp_fn else None, host=regional_host("ssm", g), perm=f"ssm:{name}")
    return build


def _ssm_uii(r, w, g, who):
    ip4 = f"10.0.{r.randint(1, 30)}.{r.randint(4, 250)}"
    return {"instanceId": who.sess, "agentVersion": "3.3.1230.0", "agentStatus": "Active", "platformType": "Linux",
            "platformName": "Amazon Linux", "platformVersion": "2023", "iPAddress": ip4,
            "computerName": f"ip-{ip4.replace('.', '-')}.{g}.compute.internal", "agentName": "amazon-ssm-agent",
            "availabilityZone": f"{g}a", "availabilityZoneId": f"{g[:2]}{g.split('-')[1][0]}{g[-1]}-az1"}


def _put_param(r, w, g, who):
    p = r.choice(w.params)
    return dict(src="ssm.amazonaws.com", name="PutParameter", ro=False,
                req={"name": p, "type": "String", "overwrite": True}, resp={"version": r.randint(2, 60), "tier": "Standard"},
                host=regional_host("ssm", g), perm="ssm:PutParameter")


ACTIONS = [
    (_ssm("GetParameter", lambda r, w, g, who: {"name": r.choice(w.params), "withDecryption": True}),
     APPS | HUMANISH, 8, False),
    (_ssm("GetParameters", lambda r, w, g, who: {"names": r.sample(w.params, 2), "withDecryption": True}),
     APPS | {"deploy"}, 4, False),
    (_ssm("GetParametersByPath", lambda r, w, g, who: {"path": "/app/prod/", "recursive": True,
                                                       "withDecryption": True}), APPS, 3, False),
    (_ssm("DescribeParameters", lambda r, w, g, who: {"maxResults": 50}), HUMANISH, 1, False),
    (_ssm("UpdateInstanceInformation", _ssm_uii, ro=False), {"ec2app"}, 10, False),
    (_ssm("ListInstanceAssociations", lambda r, w, g, who: {"instanceId": who.sess or w.instances[g][0],
                                                            "maxResults": 20}), {"ec2app"}, 5, False),
    (_ssm("DescribeInstanceInformation", lambda r, w, g, who: {"maxResults": 50}), HUMANISH | {"slr"}, 2, False),
    (_put_param, {"deploy"}, 0.6, False),
]
