"""The record envelope (keys in CloudTrail's order) and the userIdentity shapes of each principal type."""

TLS13 = ("TLSv1.3", "TLS_AES_128_GCM_SHA256")
TLS12 = ("TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256")


def ev(*, ui, t, src, name, region, ip, ua, acct, req=None, resp=None, err=None, add=None,
       rid=None, eid, ro, res=None, etype="AwsApiCall", shared=None, sed=None, tls=None,
       host=None, console=False, version="1.11", api_version=None, vpce=None):
    """One CloudTrail record with keys in the order CloudTrail writes them."""
    d = {"eventVersion": version, "userIdentity": ui, "eventTime": t, "eventSource": src,
         "eventName": name, "awsRegion": region, "sourceIPAddress": ip, "userAgent": ua}
    if err:
        d["errorCode"], d["errorMessage"] = err
    d["requestParameters"] = req
    d["responseElements"] = resp
    if add is not None:
        d["additionalEventData"] = add
    if rid is not None:
        d["requestID"] = rid
    d["eventID"] = eid
    d["readOnly"] = ro
    if res is not None:
        d["resources"] = res
    d["eventType"] = etype
    if api_version:
        d["apiVersion"] = api_version
    d["managementEvent"] = True
    d["recipientAccountId"] = acct
    if shared:
        d["sharedEventID"] = shared
    if vpce:
        d["vpcEndpointId"] = vpce
        d["vpcEndpointAccountId"] = acct
    if sed is not None:
        d["serviceEventDetails"] = sed
    d["eventCategory"] = "Management"
    if tls and host:
        d["tlsDetails"] = {"tlsVersion": tls[0], "cipherSuite": tls[1], "clientProvidedHostHeader": host}
    if console:
        d["sessionCredentialFromConsole"] = "true"
    return d


def ui_user(acct, pid, name, key=None, session=None):
    d = {"type": "IAMUser", "principalId": pid, "arn": f"arn:aws:iam::{acct}:user/{name}", "accountId": acct}
    if key is not None:
        d["accessKeyId"] = key
    d["userName"] = name
    if session is not None:  # (creationDate, mfaAuthenticated) for ASIA sessions of the user
        d["sessionContext"] = {"sessionIssuer": {}, "webIdFederationData": {},
                               "attributes": {"creationDate": session[0], "mfaAuthenticated": session[1]}}
    return d


def ui_role(acct, role_id, role, path, sess, key, created, mfa="false", invoked_by=None, source_identity=None):
    d = {"type": "AssumedRole", "principalId": f"{role_id}:{sess}",
         "arn": f"arn:aws:sts::{acct}:assumed-role/{role}/{sess}", "accountId": acct, "accessKeyId": key,
         "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": role_id,
                                              "arn": f"arn:aws:iam::{acct}:role{path}{role}",
                                              "accountId": acct, "userName": role},
                            "webIdFederationData": {},
                            "attributes": {"creationDate": created, "mfaAuthenticated": mfa}}}
    if source_identity:
        d["sessionContext"]["sourceIdentity"] = source_identity
    if invoked_by:
        d["invokedBy"] = invoked_by
    return d


def ui_federated(acct, fname, key, created, parent_pid, parent_name):
    return {"type": "FederatedUser", "principalId": f"{acct}:{fname}",
            "arn": f"arn:aws:sts::{acct}:federated-user/{fname}", "accountId": acct, "accessKeyId": key,
            "sessionContext": {"sessionIssuer": {"type": "IAMUser", "principalId": parent_pid,
                                                 "arn": f"arn:aws:iam::{acct}:user/{parent_name}",
                                                 "accountId": acct, "userName": parent_name},
                               "webIdFederationData": {},
                               "attributes": {"creationDate": created, "mfaAuthenticated": "false"}}}


def ui_root(acct, key=""):
    return {"type": "Root", "principalId": acct, "arn": f"arn:aws:iam::{acct}:root", "accountId": acct,
            "accessKeyId": key}


def ui_service(svc):
    return {"type": "AWSService", "invokedBy": svc}


def res_role(acct, arn):
    return [{"ARN": arn, "accountId": acct, "type": "AWS::IAM::Role"}]
