"""S3 bucket-level management events (ListBuckets and the GetBucket* reads)."""

from .common import HUMANISH


def _s3add(r, out=None):
    return {"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256", "bytesTransferredIn": 0,
            "AuthenticationMethod": "AuthHeader", "x-amz-id-2": "@@Z@@",
            "bytesTransferredOut": out if out is not None else r.randint(0, 2200)}


def _s3get(name, sub, errs=()):
    def build(r, w, g, who):
        b = r.choice(w.buckets[g] or w.all_buckets())
        d = dict(src="s3.amazonaws.com", name=name, ro=True,
                 req={"bucketName": b, "Host": f"{b}.s3.{g}.amazonaws.com", sub: ""},
                 add=_s3add(r), host=f"{b}.s3.{g}.amazonaws.com", rid="s3", version="1.10",
                 res=[{"accountId": w.acct, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{b}"}],
                 perm=f"s3:{name}", target=f"arn:aws:s3:::{b}")
        if errs and r.random() < 0.5:
            d["err"] = r.choice(errs)
            d["add"]["bytesTransferredOut"] = 0
        return d
    return build


ACTIONS = [
    (lambda r, w, g, who: dict(src="s3.amazonaws.com", name="ListBuckets", ro=True,
                               req={"Host": f"s3.{g}.amazonaws.com"}, add=_s3add(r, r.randint(900, 2400)),
                               host=f"s3.{g}.amazonaws.com", rid="s3", version="1.10", perm="s3:ListAllMyBuckets"),
     HUMANISH | {"slr"}, 5, False),
    (_s3get("GetBucketLocation", "location"), HUMANISH | {"slr", "ecsapp", "ec2app"}, 5, False),
    (_s3get("GetBucketAcl", "acl"), HUMANISH | {"slr"}, 4, False),
    (_s3get("GetBucketPolicy", "policy", (("NoSuchBucketPolicy", "The bucket policy does not exist"),)),
     HUMANISH | {"slr"}, 4, False),
    (_s3get("GetBucketEncryption", "encryption"), HUMANISH | {"slr"}, 3, False),
    (_s3get("GetBucketVersioning", "versioning"), HUMANISH | {"slr"}, 3, False),
    (_s3get("GetBucketPublicAccessBlock", "publicAccessBlock"), HUMANISH | {"slr"}, 3, False),
    (_s3get("GetBucketTagging", "tagging", (("NoSuchTagSet", "The TagSet does not exist"),)), HUMANISH | {"slr"}, 3, False),
    (_s3get("GetBucketLogging", "logging"), HUMANISH | {"slr"}, 2, False),
    (_s3get("GetBucketOwnershipControls", "ownershipControls"), HUMANISH | {"slr"}, 2, False),
]
