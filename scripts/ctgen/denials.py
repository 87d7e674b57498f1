"""Access denials: the error code and message CloudTrail records when a call is refused."""

from .basics import ALNUM


DENY_CODES = {"iam.amazonaws.com": "AccessDenied", "sts.amazonaws.com": "AccessDenied",
              "organizations.amazonaws.com": "AccessDenied", "s3.amazonaws.com": "AccessDenied",
              "ec2.amazonaws.com": "Client.UnauthorizedOperation"}


def deny_message(src, arn, perm, target):
    if src == "s3.amazonaws.com":
        return "Access Denied"
    on = f" on resource: {target}" if target else ""
    core = f"User: {arn} is not authorized to perform: {perm}{on} because no identity-based policy allows the {perm} action"
    if src == "ec2.amazonaws.com":
        return "You are not authorized to perform this operation. " + core
    return core


def ec2_encoded_message(r):
    return "Encoded authorization failure message: " + "".join(r.choices(ALNUM + "-_", k=420))
