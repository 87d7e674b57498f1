"""Console sign-in (signin.amazonaws.com): ConsoleLogin with and without MFA."""

from ..basics import hexs
from .common import sensitive


def login_to(r):
    """additionalEventData.LoginTo of a console sign-in."""
    return ("https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true"
            "&state=hashArgsFromTB_us-east-1_" + hexs(r, 16))


def _console_login(r, w, g, who):
    mfa = r.random() < 0.7
    add = {"LoginTo": login_to(r),
           "MobileVersion": "No", "MFAUsed": "Yes" if mfa else "No"}
    if mfa:
        add = {"LoginTo": add["LoginTo"], "MobileVersion": "No",
               "MFAIdentifier": f"arn:aws:iam::{w.acct}:mfa/{who.user}", "MFAUsed": "Yes"}
    return dict(src="signin.amazonaws.com", name="ConsoleLogin", ro=False, resp={"ConsoleLogin": "Success"},
                add=add, host="signin.aws.amazon.com", region="us-east-1", rid=None, etype="AwsConsoleSignIn",
                login=True)


ACTIONS = [
    (sensitive(_console_login), {"console"}, 2, True),
]
