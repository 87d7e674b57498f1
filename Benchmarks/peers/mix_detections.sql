-- The DuckDB peer of scripts/bench: the checks of mix_peer.py as SQL over read_json. {files} is replaced by the
-- list of files. Each record stays JSON; fields are read with ->> as the checks need them.
WITH ev AS (
    SELECT unnest(Records) AS e FROM read_json({files}, columns = {'Records': 'JSON[]'}, format = 'unstructured',
                                                 maximum_object_size = 1073741824, compression = 'gzip')
), f AS (
    SELECT e->>'$.eventName' AS name, e->>'$.errorCode' AS err, e->>'$.userIdentity.type' AS utype,
           coalesce(e->>'$.userIdentity.accessKeyId', '') AS ukey, e->>'$.userIdentity.invokedBy' AS invoked,
           e->>'$.userIdentity.userName' AS uname, lower(coalesce(e->>'$.userAgent', '')) AS ua,
           e->'$.requestParameters' AS p, e->'$.responseElements' AS r, e->>'$.additionalEventData.MFAUsed' AS mfa
    FROM ev
), hits AS (
    SELECT 'root-key-used' AS d FROM f WHERE utype = 'Root' AND ukey LIKE 'AKIA%' AND invoked IS NULL
    UNION ALL SELECT 'recon-tool' FROM f
      WHERE name IN ('GetCallerIdentity', 'GetAccountAuthorizationDetails', 'GetAccountSummary', 'ListUsers',
                     'ListRoles', 'DescribeRegions')
        AND regexp_matches(ua, 'trufflehog|pacu|cloudfox|kali|parrot|pentoo')
    UNION ALL SELECT 'federation-by-iam-user' FROM f
      WHERE err IS NULL AND name = 'GetFederationToken' AND utype = 'IAMUser'
    UNION ALL SELECT 'federation-admin' FROM f
      WHERE err IS NULL AND name = 'GetFederationToken'
        AND (list_has_any(CAST(json_extract_string(p, '$.policyArns[*].arn') AS VARCHAR[]),
                          ['arn:aws:iam::aws:policy/AdministratorAccess', 'arn:aws:iam::aws:policy/IAMFullAccess'])
             OR list_contains(CAST(json_extract_string(TRY_CAST(p->>'$.policy' AS JSON), '$.Statement[*].Action')
                                   AS VARCHAR[]), '*')
             OR json_extract_string(TRY_CAST(p->>'$.policy' AS JSON), '$.Statement[*].Action[*]') @> ['*'])
    UNION ALL SELECT 'session-token-long-term' FROM f
      WHERE err IS NULL AND name = 'GetSessionToken' AND ukey LIKE 'AKIA%'
    UNION ALL SELECT 'key-for-other-user' FROM f
      WHERE err IS NULL AND name = 'CreateAccessKey'
        AND coalesce(p->>'$.userName', r->>'$.accessKey.userName') IS NOT NULL
        AND (utype IS DISTINCT FROM 'IAMUser'
             OR lower(coalesce(uname, '')) <> lower(coalesce(p->>'$.userName', r->>'$.accessKey.userName')))
    UNION ALL SELECT 'admin-granted' FROM f
      WHERE err IS NULL AND name IN ('AttachUserPolicy', 'AttachGroupPolicy', 'AttachRolePolicy')
        AND p->>'$.policyArn' IN ('arn:aws:iam::aws:policy/AdministratorAccess', 'arn:aws:iam::aws:policy/IAMFullAccess')
    UNION ALL SELECT 'user-contained' FROM f
      WHERE err IS NULL AND name = 'AttachUserPolicy'
        AND (p->>'$.policyArn' LIKE 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantine%'
             OR p->>'$.policyArn' = 'arn:aws:iam::aws:policy/AWSDenyAll')
    UNION ALL SELECT 'console-no-mfa' FROM f
      WHERE err IS NULL AND name = 'ConsoleLogin' AND utype = 'IAMUser' AND mfa = 'No'
        AND r->>'$.ConsoleLogin' = 'Success'
), minted AS (
    SELECT r->>'$.credentials.accessKeyId' AS new_key, ukey AS parent FROM f
    WHERE err IS NULL AND name IN ('AssumeRole', 'GetSessionToken', 'GetFederationToken')
      AND r->>'$.credentials.accessKeyId' IS NOT NULL AND ukey <> ''
), origin AS (
    -- lineage: each temporary key to the long-term key at the root of its chain
    WITH RECURSIVE walk(new_key, parent, depth) AS (
        SELECT new_key, parent, 0 FROM minted
        UNION ALL SELECT w.new_key, m.parent, w.depth + 1 FROM walk w JOIN minted m ON m.new_key = w.parent
        WHERE w.depth < 16
    )
    SELECT DISTINCT new_key FROM walk WHERE parent LIKE 'AKIA%'
)
SELECT d, count(*) FROM hits GROUP BY d
UNION ALL SELECT 'attributed', count(*) FROM f JOIN origin ON f.ukey = origin.new_key
UNION ALL SELECT 'events', count(*) FROM f
