# The jq peer of scripts/bench: the per-event checks of mix_peer.py, over `zcat FILES | jq -c -f mix_detections.jq`.
# Prints one line per detection fired. (Lineage spans files, which a streaming jq cannot keep; it is left out.)
.Records[]
| . as $e
| (.userIdentity // {}) as $u
| (.requestParameters // {}) as $p
| [
    (select($u.type == "Root" and (($u.accessKeyId // "") | startswith("AKIA")) and ($u | has("invokedBy") | not))
      | "root-key-used"),
    (select((.eventName | IN("GetCallerIdentity", "GetAccountAuthorizationDetails", "GetAccountSummary",
                              "ListUsers", "ListRoles", "DescribeRegions"))
            and ((.userAgent // "") | ascii_downcase | test("trufflehog|pacu|cloudfox|kali|parrot|pentoo")))
      | "recon-tool"),
    (select(.errorCode == null) |
      (select(.eventName == "GetFederationToken" and $u.type == "IAMUser") | "federation-by-iam-user"),
      (select(.eventName == "GetFederationToken"
              and (((($p.policyArns // []) | map(.arn)) as $a
                    | ($a | index("arn:aws:iam::aws:policy/AdministratorAccess")) != null
                      or ($a | index("arn:aws:iam::aws:policy/IAMFullAccess")) != null)
                or (($p.policy // "{}") | fromjson? // {} | [.Statement] | flatten
                    | map(select(.Effect == "Allow"
                          and ((.Action | if type == "string" then [.] else . end) | index("*")) != null))
                    | length > 0)))
        | "federation-admin"),
      (select(.eventName == "GetSessionToken" and (($u.accessKeyId // "") | startswith("AKIA")))
        | "session-token-long-term"),
      (select(.eventName == "CreateAccessKey"
              and (($p.userName // $e.responseElements.accessKey.userName) as $t
                | $t != null and ($u.type != "IAMUser"
                                  or (($u.userName // "") | ascii_downcase) != ($t | ascii_downcase))))
        | "key-for-other-user"),
      (select((.eventName | IN("AttachUserPolicy", "AttachGroupPolicy", "AttachRolePolicy"))
              and (($p.policyArn // "") | IN("arn:aws:iam::aws:policy/AdministratorAccess",
                                            "arn:aws:iam::aws:policy/IAMFullAccess")))
        | "admin-granted"),
      (select(.eventName == "AttachUserPolicy"
              and (($p.policyArn // "") | startswith("arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantine")
                   or . == "arn:aws:iam::aws:policy/AWSDenyAll"))
        | "user-contained"),
      (select(.eventName == "ConsoleLogin" and $u.type == "IAMUser" and .additionalEventData.MFAUsed == "No"
              and .responseElements.ConsoleLogin == "Success")
        | "console-no-mfa"))
  ]
| .[]
