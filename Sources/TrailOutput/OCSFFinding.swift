import TrailDetect
import TrailReader

/// A finding as an OCSF 1.4.0 Detection Finding (class 2004, activity Create) with the `cloud`, `datetime` and `host`
/// profiles (the host profile is the one that brings `actor`). Where OCSF has no place for a detail (the rule file,
/// evidence not listed, origin keys, source addresses), it goes under `unmapped.trailhound`.
enum OCSFFinding {
    static let schemaVersion = "1.4.0"
    static let profiles: [JSONTree] = ["cloud", "datetime", "host"]
    static let severities: [String: (id: Int64, name: String)] = [
        "informational": (1, "Informational"), "low": (2, "Low"), "medium": (3, "Medium"), "high": (4, "High"),
        "critical": (5, "Critical"),
    ]

    static func json(_ f: Finding, productVersion: String) -> JSONTree {
        let first = Timestamp.parse(f.firstSeen) ?? Timestamp.parse(f.lastSeen) ?? 0
        let last = Timestamp.parse(f.lastSeen) ?? first
        let severity = severities[f.rule.level] ?? (99, f.rule.level)
        let account = f.account ?? AffectedResource.accountID(f)
        let region = f.regions.first
        let references = FindingText.references(f)
        return [
            "activity_id": 1, "activity_name": "Create",
            "category_uid": 2, "category_name": "Findings",
            "class_uid": 2004, "class_name": "Detection Finding",
            "type_uid": 200401, "type_name": "Detection Finding: Create",
            "severity_id": .int(severity.id), "severity": .string(severity.name),
            "status_id": 1, "status": "New",
            "time": .int(last * 1000), "time_dt": .string(Timestamp.format(last)),
            "start_time": .int(first * 1000), "start_time_dt": .string(Timestamp.format(first)),
            "end_time": .int(last * 1000), "end_time_dt": .string(Timestamp.format(last)),
            "count": .int(Int64(f.count)),
            "message": .string(f.title),
            "finding_info": [
                "uid": .string(f.id),
                "title": .string(f.title),
                "desc": .string(FindingText.description(f)),
                "first_seen_time": .int(first * 1000), "first_seen_time_dt": .string(Timestamp.format(first)),
                "last_seen_time": .int(last * 1000), "last_seen_time_dt": .string(Timestamp.format(last)),
                "analytic": ["uid": .string(f.rule.id), "name": .string(f.rule.title), "type_id": 1, "type": "Rule"],
                "attacks": .list(attacks(f.rule)),
                "data_sources": ["AWS CloudTrail"],
            ],
            "cloud": [
                "provider": "AWS", "account": ["uid": .string(account), "type_id": 10, "type": "AWS Account"],
                "region": .text(region),
            ],
            "actor": actor(f, account: account),
            "resources": .list(AffectedResource.of(f).map { resource($0, region: region) }),
            "evidences": .list(f.evidence.map(evidence)),
            "remediation": f.containment.isEmpty
                ? nil
                : [
                    "desc": .string(FindingText.containmentPlaybook(f)),
                    "references": .list(references.map { .string($0) }),
                ],
            "metadata": [
                "version": .string(schemaVersion),
                "uid": .string(f.id),
                "profiles": .array(profiles),
                "product": [
                    "name": "trailhound", "vendor_name": "trailhound", "version": .string(productVersion),
                ],
            ],
            "unmapped": ["trailhound": unmapped(f)],
        ]
    }

    /// ATT&CK from the rule's tags. Sigma tags do not pair techniques with tactics: a rule with one technique gets
    /// one entry per tactic with that technique; a rule with several gets one entry per technique and one per tactic.
    static func attacks(_ rule: Finding.Rule) -> [JSONTree] {
        let techniques: [JSONTree] = rule.techniques.compactMap { tag in
            guard let t = Attack.technique(tag) else { return nil }
            let url = Attack.url(technique: t.technique, subTechnique: nil)
            return [
                "technique": ["uid": .string(t.technique), "src_url": .string(url)],
                "sub_technique": t.subTechnique.map {
                    ["uid": .string($0), "src_url": .string(Attack.url(technique: t.technique, subTechnique: $0))]
                },
            ]
        }
        let tactics: [JSONTree] = rule.tactics.compactMap { tag in
            guard let t = Attack.tactic(tag) else { return nil }
            let url = "https://attack.mitre.org/tactics/\(t.id)/"
            return ["uid": .string(t.id), "name": .string(t.name), "src_url": .string(url)]
        }
        if techniques.count == 1, case .object(let technique) = techniques[0], !tactics.isEmpty {
            return tactics.map { tactic in
                var entry = technique
                entry["tactic"] = tactic
                return .object(entry)
            }
        }
        return techniques + tactics.map { ["tactic": $0] }
    }

    static func actor(_ f: Finding, account: String) -> JSONTree? {
        let a = f.actor
        guard a.arn != nil || a.type != nil else { return nil }
        // OCSF's user types: 1 User, 2 Admin, 3 System, 99 Other (with CloudTrail's type in `type`).
        let kind = a.identityKind
        let type: (Int64, String) =
            switch (kind, a.type) {
            case (.iamUser?, _): (1, "User")
            case (.root?, _): (2, "Admin")
            case (_, "AWSService"): (3, "System")
            default: (99, a.type ?? "Other")
            }
        let name: String? =
            switch kind {
            case .federatedUser?: a.federatedName
            case .assumedRole?: a.sessionName ?? a.roleName
            default: a.userName
            }
        // A role or federation session: who issued it.
        let session: JSONTree? = a.parentArn.map {
            ["issuer": .string($0), "credential_uid": .text(a.accessKeyIds.first)]
        }
        return [
            "user": [
                "uid": .text(a.arn), "name": .text(name), "type_id": .int(type.0), "type": .string(type.1),
                "account": ["uid": .string(account), "type_id": 10, "type": "AWS Account"],
                "credential_uid": .text(a.accessKeyIds.first), "uid_alt": .text(a.identityCenterUserId),
            ],
            "session": session,
        ]
    }

    static func resource(_ r: AffectedResource, region: String?) -> JSONTree {
        [
            "uid": .string(r.id), "name": .string(r.name), "type": .string(r.type), "labels": [.string(r.role)],
            "region": .text(region),
        ]
    }

    static func evidence(_ e: Finding.Evidence) -> JSONTree {
        [
            "api": e.eventName.map { name in
                [
                    "operation": .string(name), "service": e.eventSource.map { ["name": .string($0)] },
                    "response": e.errorCode.map { ["error": .string($0)] },
                ]
            },
            "data": [
                "eventID": .text(e.eventID), "eventTime": .text(e.eventTime), "eventSource": .text(e.eventSource),
                "eventName": .text(e.eventName), "errorCode": .text(e.errorCode), "file": .string(e.file),
                "recordIndex": .int(Int64(e.recordIndex)),
            ],
        ]
    }

    static func unmapped(_ f: Finding) -> JSONTree {
        func strings(_ xs: [String]) -> JSONTree? { .list(xs.map { .string($0) }) }
        return [
            "ruleFile": .string(f.rule.file), "level": .string(f.rule.level), "regions": strings(f.regions),
            "evidenceNotListed": .int(Int64(f.evidenceNotListed)),
            "sourceIPAddresses": strings(f.actor.sourceIPAddresses), "accessKeyIds": strings(f.actor.accessKeyIds),
            "originAccessKeyIds": strings(f.actor.originAccessKeyIds),
            "containment": strings(f.containment.map(\.id)),
            "state": f.state.map(state), "credentials": f.credentials.map { JSONTree.array($0.map(credential)) },
        ]
    }

    /// What opened (and closed) the state a stateful finding's events fell in, or a correlation's measure.
    static func state(_ s: Finding.State) -> JSONTree {
        func event(_ e: Finding.Evidence?) -> JSONTree? {
            guard let e else { return nil }
            return [
                "eventID": e.eventID.map { .string($0) }, "eventTime": e.eventTime.map { .string($0) },
                "eventName": e.eventName.map { .string($0) }, "file": .string(e.file), "recordIndex": .int(Int64(e.recordIndex)),
            ]
        }
        return [
            "kind": .string(s.kind), "key": s.key.map { .string($0) }, "openedByRule": s.openedByRule.map { .string($0) },
            "opened": event(s.opened), "closed": event(s.closed), "until": s.until.map { .string($0) },
            "measure": s.measure.map { .string($0) },
        ]
    }

    /// A credential to contain, from lineage.
    static func credential(_ c: Finding.Credential) -> JSONTree {
        [
            "accessKeyId": .string(c.accessKeyId), "kind": .string(c.kind), "mintedBy": c.mintedBy.map { .string($0) },
            "parentAccessKeyId": c.parentAccessKeyId.map { .string($0) }, "principal": c.principal.map { .string($0) },
            "issuedAt": c.issuedAt.map { .string($0) }, "expiresAt": c.expiresAt.map { .string($0) },
            "eventID": c.eventID.map { .string($0) },
        ]
    }
}
