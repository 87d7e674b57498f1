import TrailDetect

/// The JSON Schema (draft 2020-12) of a finding as `--format jsonl` and `--format json` write it. `trailhound schema`
/// prints it; Fixtures/schema/finding.schema.json is a copy that tests keep equal, and CI validates the demo scan
/// against it.
public enum FindingSchema {
    /// Written into every finding as `schemaVersion`; raised when a change could break a reader.
    public static let version = 1

    public static let json = ##"""
{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "urn:trailhound:schema:finding:1",
  "title": "trailhound finding",
  "description": "One finding of `trailhound scan --format jsonl` (one per line) or `--format json` (an array of them). schemaVersion 1; a change that could break a reader raises it.",
  "type": "object",
  "required": ["schemaVersion", "id", "rule", "title", "firstSeen", "lastSeen", "count", "regions", "actor", "evidence", "evidenceNotListed", "containment"],
  "additionalProperties": false,
  "properties": {
    "schemaVersion": {"const": 1, "description": "The version of this schema the finding follows."},
    "id": {"type": "string", "pattern": "^[0-9a-f]{16,64}$", "description": "Stable: a hash of the rule id and the values that identify the incident."},
    "rule": {
      "type": "object",
      "required": ["id", "title", "level", "tactics", "techniques", "file"],
      "additionalProperties": false,
      "properties": {
        "id": {"type": "string", "minLength": 1},
        "title": {"type": "string"},
        "level": {"enum": ["informational", "low", "medium", "high", "critical"]},
        "tactics": {"type": "array", "items": {"type": "string"}},
        "techniques": {"type": "array", "items": {"type": "string"}},
        "file": {"type": "string", "description": "The rule's file (rules/... for a bundled rule)."}
      }
    },
    "title": {"type": "string", "description": "The rule's title with this finding's values."},
    "firstSeen": {"$ref": "#/$defs/time"},
    "lastSeen": {"$ref": "#/$defs/time"},
    "count": {"type": "integer", "minimum": 1, "description": "Events that make up the finding (listed in evidence, or counted in evidenceNotListed)."},
    "account": {"$ref": "#/$defs/account"},
    "regions": {"type": "array", "items": {"type": "string"}, "uniqueItems": true},
    "actor": {"$ref": "#/$defs/actor"},
    "target": {
      "type": "object",
      "additionalProperties": false,
      "required": ["accessKeyIds"],
      "properties": {
        "userName": {"type": "string"},
        "roleName": {"type": "string"},
        "identityCenterUserId": {"type": "string"},
        "accessKeyIds": {"type": "array", "items": {"type": "string"}},
        "policyArn": {"type": "string"},
        "policyName": {"type": "string"},
        "groupName": {"type": "string"},
        "trailName": {"type": "string"},
        "createdKeys": {
          "type": "array",
          "items": {
            "type": "object",
            "required": ["userName", "accessKeyId"],
            "additionalProperties": false,
            "properties": {"userName": {"type": "string"}, "accessKeyId": {"type": "string"}}
          }
        },
        "resources": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}
      }
    },
    "evidence": {"type": "array", "items": {"$ref": "#/$defs/evidence"}},
    "evidenceNotListed": {"type": "integer", "minimum": 0},
    "containment": {
      "type": "array",
      "items": {
        "type": "object",
        "required": ["id", "title", "why", "steps", "references"],
        "additionalProperties": false,
        "properties": {
          "id": {"type": "string"},
          "title": {"type": "string"},
          "why": {"type": "string"},
          "subject": {"type": "string"},
          "references": {"type": "array", "items": {"type": "string"}},
          "steps": {
            "type": "array",
            "items": {
              "type": "object",
              "required": ["title", "commands"],
              "additionalProperties": false,
              "properties": {
                "title": {"type": "string"},
                "why": {"type": "string"},
                "commands": {"type": "array", "items": {"type": "string"}},
                "document": {
                  "type": "object",
                  "required": ["file", "content"],
                  "additionalProperties": false,
                  "properties": {"file": {"type": "string"}, "content": {"type": "string"}}
                }
              }
            }
          }
        }
      }
    },
    "state": {
      "type": "object",
      "required": ["kind"],
      "additionalProperties": false,
      "properties": {
        "kind": {"enum": ["inside", "absence", "correlation"]},
        "key": {"type": "string"},
        "openedByRule": {"type": "string"},
        "opened": {"$ref": "#/$defs/evidence"},
        "openedBy": {"$ref": "#/$defs/actor"},
        "closed": {"$ref": "#/$defs/evidence"},
        "until": {"$ref": "#/$defs/time"},
        "measure": {"type": "string"}
      }
    },
    "credentials": {
      "type": "array",
      "items": {
        "type": "object",
        "required": ["accessKeyId", "kind"],
        "additionalProperties": false,
        "properties": {
          "accessKeyId": {"type": "string"},
          "kind": {"enum": ["long-term", "temporary"]},
          "mintedBy": {"type": "string"},
          "parentAccessKeyId": {"type": "string"},
          "principal": {"type": "string"},
          "issuedAt": {"type": "string"},
          "expiresAt": {"type": "string"},
          "eventID": {"type": "string"}
        }
      }
    }
  },
  "$defs": {
    "time": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$", "description": "UTC, ISO 8601 (whatever --tz says for tables)."},
    "account": {"type": "string", "description": "The AWS account id as the record gives it (12 digits for real logs)."},
    "evidence": {
      "type": "object",
      "required": ["file", "recordIndex"],
      "additionalProperties": false,
      "properties": {
        "eventID": {"type": "string"},
        "eventTime": {"type": "string"},
        "eventSource": {"type": "string"},
        "eventName": {"type": "string"},
        "errorCode": {"type": "string"},
        "file": {"type": "string"},
        "recordIndex": {"type": "integer", "minimum": 0}
      }
    },
    "actor": {
      "type": "object",
      "required": ["accessKeyIds", "originAccessKeyIds", "sourceIPAddresses"],
      "additionalProperties": false,
      "properties": {
        "type": {"type": "string"},
        "arn": {"type": "string"},
        "userName": {"type": "string"},
        "roleName": {"type": "string"},
        "sessionName": {"type": "string"},
        "federatedName": {"type": "string"},
        "parentArn": {"type": "string"},
        "identityCenterUserId": {"type": "string"},
        "accessKeyIds": {"type": "array", "items": {"type": "string"}},
        "originAccessKeyIds": {"type": "array", "items": {"type": "string"}},
        "originUserName": {"type": "string"},
        "originAccount": {"type": "string"},
        "sourceIPAddresses": {"type": "array", "items": {"type": "string"}}
      }
    }
  }
}
"""##
}

/// A finding with the schema version it follows: the JSON writers' unit.
struct VersionedFinding: Encodable {
    let finding: Finding

    enum Key: String, CodingKey { case schemaVersion }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(FindingSchema.version, forKey: .schemaVersion)
        try finding.encode(to: encoder)
    }
}
