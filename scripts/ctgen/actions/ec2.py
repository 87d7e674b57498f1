"""EC2 actions: describes by people, tools and AWS Config; tags, security-group ingress, stops and launches."""

from ..basics import hexs
from .common import HUMANISH, regional_host, sensitive


def _ec2(name, req_fn, ro=True, resp_fn=None):
    def build(r, w, g, who):
        return dict(src="ec2.amazonaws.com", name=name, ro=ro, req=req_fn(r, w, g),
                    resp=resp_fn(r, w, g) if resp_fn else None, host=regional_host("ec2", g), perm=f"ec2:{name}")
    return build


def _filters(*pairs):
    return {"items": [{"name": k, "valueSet": {"items": [{"value": v}]}} for k, v in pairs]}


def _run_instances(r, w, g, who):
    req = {"instancesSet": {"items": [{"imageId": "ami-0" + hexs(r, 16), "minCount": 1, "maxCount": 1}]},
           "instanceType": r.choice(["t3.micro", "m7i.large", "c7g.xlarge"]), "blockDeviceMapping": {},
           "monitoring": {"enabled": False}, "disableApiTermination": False, "disableApiStop": False,
           "clientToken": "terraform-" + hexs(r, 26),
           "subnetId": r.choice(w.subnets[g]), "groupSet": {"items": [{"groupId": r.choice(w.sgs[g])}]},
           "iamInstanceProfile": {"name": "app-server-profile"},
           "tagSpecificationSet": {"items": [{"resourceType": "instance",
                                              "tags": [{"key": "Name", "value": "app-server"}]}]}}
    iid = "i-0" + hexs(r, 16)
    resp = {"requestId": "@@R@@", "reservationId": "r-0" + hexs(r, 16), "ownerId": w.acct, "groupSet": {},
            "instancesSet": {"items": [{"instanceId": iid, "imageId": req["instancesSet"]["items"][0]["imageId"],
                                        "currentInstanceBootMode": "uefi", "instanceState": {"code": 0, "name": "pending"},
                                        "privateDnsName": f"ip-10-0-{r.randint(1, 30)}-{r.randint(4, 250)}.{g}.compute.internal",
                                        "amiLaunchIndex": 0, "productCodes": {}, "instanceType": req["instanceType"],
                                        "launchTime": 0, "placement": {"availabilityZone": f"{g}a", "tenancy": "default"},
                                        "monitoring": {"state": "disabled"}, "subnetId": req["subnetId"],
                                        "vpcId": w.vpcs[g], "sourceDestCheck": True,
                                        "groupSet": {"items": [{"groupId": req["groupSet"]["items"][0]["groupId"],
                                                                "groupName": "app-server"}]},
                                        "architecture": "x86_64", "rootDeviceType": "ebs",
                                        "rootDeviceName": "/dev/xvda", "blockDeviceMapping": {},
                                        "virtualizationType": "hvm", "hypervisor": "xen",
                                        "tagSet": {"items": [{"key": "Name", "value": "app-server"}]},
                                        "ebsOptimized": False, "enaSupport": True,
                                        "metadataOptions": {"state": "pending", "httpTokens": "required",
                                                            "httpPutResponseHopLimit": 2, "httpEndpoint": "enabled",
                                                            "httpProtocolIpv4": "ipv4", "httpProtocolIpv6": "disabled",
                                                            "instanceMetadataTags": "disabled"}}]},
            }
    return dict(src="ec2.amazonaws.com", name="RunInstances", ro=False, req=req, resp=resp, host=regional_host("ec2", g),
                perm="ec2:RunInstances", target=f"arn:aws:ec2:{g}:{w.acct}:instance/*", launch=True)


ACTIONS = [
    # --- EC2 reads
    (_ec2("DescribeInstances", lambda r, w, g: r.choice([
        {"instancesSet": {}, "filterSet": {}},
        {"instancesSet": {"items": [{"instanceId": r.choice(w.instances[g])}]}, "filterSet": {}},
        {"maxResults": 1000, "instancesSet": {}, "filterSet": {}},
        {"instancesSet": {}, "filterSet": _filters(("instance-state-name", "running"), ("tag:Environment", "prod"))}])),
     HUMANISH | {"slr", "ecsapp"}, 14, False),
    (_ec2("DescribeInstanceStatus", lambda r, w, g: {"instancesSet": {}, "filterSet": {}, "includeAllInstances": True}),
     HUMANISH | {"slr"}, 4, False),
    (_ec2("DescribeSecurityGroups", lambda r, w, g: r.choice([
        {"securityGroupSet": {}, "securityGroupIdSet": {}, "filterSet": {}},
        {"securityGroupSet": {}, "securityGroupIdSet": {"items": [{"groupId": r.choice(w.sgs[g])}]}, "filterSet": {}},
        {"securityGroupSet": {}, "securityGroupIdSet": {}, "filterSet": _filters(("vpc-id", w.vpcs[g]))}])),
     HUMANISH | {"slr"}, 8, False),
    (_ec2("DescribeVolumes", lambda r, w, g: r.choice([{"volumeSet": {}, "filterSet": {}},
                                                      {"volumeSet": {"items": [{"volumeId": r.choice(w.volumes[g])}]},
                                                       "filterSet": {}}])), HUMANISH | {"slr"}, 5, False),
    (_ec2("DescribeSubnets", lambda r, w, g: {"subnetSet": {}, "filterSet": _filters(("vpc-id", w.vpcs[g]))}),
     HUMANISH | {"slr"}, 4, False),
    (_ec2("DescribeVpcs", lambda r, w, g: {"vpcSet": {}, "filterSet": {}}), HUMANISH | {"slr"}, 4, False),
    (_ec2("DescribeNetworkInterfaces", lambda r, w, g: {"networkInterfaceIdSet": {},
                                                        "filterSet": _filters(("vpc-id", w.vpcs[g]))}),
     HUMANISH | {"slr"}, 4, False),
    (_ec2("DescribeSnapshots", lambda r, w, g: {"snapshotSet": {}, "ownersSet": {"items": [{"owner": "self"}]},
                                                "sharedUsersSet": {}, "filterSet": {}}), HUMANISH | {"slr"}, 3, False),
    (_ec2("DescribeRegions", lambda r, w, g: {"regionSet": {}}), HUMANISH, 2, False),
    (_ec2("DescribeAvailabilityZones", lambda r, w, g: {"availabilityZoneSet": {}, "availabilityZoneIdSet": {}}),
     HUMANISH | {"ecsapp"}, 2, False),
    (_ec2("DescribeImages", lambda r, w, g: {"executableBySet": {}, "imagesSet": {},
                                             "ownersSet": {"items": [{"owner": "self"}]}, "filterSet": {}}),
     HUMANISH, 2, False),
    (_ec2("DescribeAddresses", lambda r, w, g: {"publicIpsSet": {}, "allocationIdsSet": {}, "filterSet": {}}),
     HUMANISH | {"slr"}, 2, False),
    # --- EC2 writes
    (_ec2("CreateTags", lambda r, w, g: {"resourcesSet": {"items": [{"resourceId": r.choice(w.instances[g])}]},
                                         "tagSet": {"items": [{"key": r.choice(["Owner", "CostCenter", "Patch"]),
                                                               "value": r.choice(["platform", "4410", "2026-11"])}]}},
          ro=False, resp_fn=lambda r, w, g: {"requestId": "@@R@@", "_return": True}), {"deploy", "console", "ci"}, 2, False),
    (sensitive(_ec2("AuthorizeSecurityGroupIngress", lambda r, w, g: {
        "groupId": r.choice(w.sgs[g]), "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 443, "toPort": 443,
                                                                     "groups": {}, "ipRanges": {"items": [{"cidrIp": "198.51.100.0/24"}]},
                                                                     "ipv6Ranges": {}, "prefixListIds": {}}]}},
          ro=False, resp_fn=lambda r, w, g: {"requestId": "@@R@@", "_return": True, "securityGroupRuleSet": {"items": [{
              "groupOwnerId": w.acct, "groupId": w.sgs[g][0], "securityGroupRuleId": "sgr-0" + hexs(r, 16),
              "isEgress": False, "ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIpv4": "198.51.100.0/24"}]}})),
     {"deploy", "console"}, 1, False),
    (sensitive(_ec2("StopInstances", lambda r, w, g: {"instancesSet": {"items": [{"instanceId": w.instances[g][2]}]}, "force": False},
          ro=False, resp_fn=lambda r, w, g: {"requestId": "@@R@@", "instancesSet": {"items": [{
              "instanceId": w.instances[g][2], "currentState": {"code": 64, "name": "stopping"},
              "previousState": {"code": 16, "name": "running"}}]}})), {"console", "human"}, 0.5, False),
    (sensitive(_run_instances), {"deploy", "ci"}, 0.4, False),
]
