"""Action catalogue of the background noise, one module per event family. Each builder returns the
action-specific part of a record. Slot markers (@@X@@) are filled per record: T time, R requestID, I eventID,
K key, C session creation, N new temp key, Q session token, X expiration, Z x-amz-id-2, S sharedEventID.

ACTIONS holds (builder, classes, weight, global) for every family, in one fixed order: a template's seed
includes its action's index here, so the order must not change (append new actions at the end).
"""

from . import awslambda, dynamodb, ec2, iam, kms, monitoring, organizations, s3, signin, ssm, sts
from .common import MGMT_ONLY, SENSITIVE, SERVICES

ACTIONS = [*ec2.ACTIONS, *s3.ACTIONS, *iam.ACTIONS, *signin.ACTIONS, *sts.ACTIONS, *kms.ACTIONS,
           *awslambda.ACTIONS, *ssm.ACTIONS, *monitoring.ACTIONS, *dynamodb.ACTIONS, *organizations.ACTIONS]

__all__ = ["ACTIONS", "MGMT_ONLY", "SENSITIVE", "SERVICES"]
