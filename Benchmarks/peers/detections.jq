# The jq peer: the same three headline detections as cloudtrail_peer.py, over `zcat FILES | jq -c -f detections.jq`.
.Records[]
| select(.errorCode == null)
| select(
    (.eventName == "GetFederationToken"
      and ((((.requestParameters.policyArns // []) | map(.arn)) as $a
            | ($a | index("arn:aws:iam::aws:policy/AdministratorAccess")) != null
              or ($a | index("arn:aws:iam::aws:policy/IAMFullAccess")) != null)
        or ((.requestParameters.policy // "{}") | fromjson? // {} | [.Statement] | flatten
            | map(select(.Effect == "Allow" and ((.Action | if type == "string" then [.] else . end) | index("*")) != null))
            | length > 0)))
    or (.eventName == "CreateAccessKey"
      and ((.requestParameters.userName // .responseElements.accessKey.userName) as $t
        | $t != null and (.userIdentity.type != "IAMUser" or ((.userIdentity.userName // "") | ascii_downcase) != ($t | ascii_downcase))))
    or (.eventName == "AttachUserPolicy"
      and ((.requestParameters.policyArn // "") | startswith("arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantine")
        or . == "arn:aws:iam::aws:policy/AWSDenyAll")))
| .eventName
