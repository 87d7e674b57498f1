"""Where files go: the S3 key prefix of each account's trail, and writing a file with its folders."""

import os

from .basics import A2, ORG_ID


def acct_prefix(acct):
    return f"AWSLogs/{ORG_ID}/{acct}" if acct == A2 else f"AWSLogs/{acct}"


def write(path, data: bytes):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
