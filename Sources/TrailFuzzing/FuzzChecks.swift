import Foundation
import TrailDetect
import TrailOutput
import TrailReader

/// What the fuzz targets run on each input (scripts/fuzz), and what `swift test` replays on every input kept in
/// Fixtures/fuzz. Each check must never crash or hang, and traps when an invariant breaks.
public enum FuzzChecks {
    static let paths = [
        "eventName", "userIdentity.sessionContext.sessionIssuer.arn", "requestParameters.policyArns.0.arn",
        "responseElements.credentials.accessKeyId", "resources.0.ARN", "a.b.c.d",
    ].map { FieldPath($0)! }

    /// The reader: gzip framing, JSON framing, field access, and the JSON Lines writer, on the input as it is and
    /// gzip-compressed, with tiny and normal buffers.
    public static func reader(_ data: UnsafeRawBufferPointer) {
        var options = ReaderOptions()
        options.maxInflatedBytes = 64 << 20
        options.maxRecordBytes = 1 << 20
        options.maxDepth = 64
        let writer = EventWriter(format: .jsonl, fields: [])
        let compressed = Gzip.compress(Array(data))
        for (content, reader) in [(Array(data), FileReader(options: options)), (compressed, FileReader(options: options))] {
            var delivered = 0
            let report = content.withUnsafeBytes { bytes in
                reader.read(content: bytes, path: "fuzz") { event in
                    delivered += 1
                    for path in paths {
                        if let v = event.value(at: path) {
                            _ = v.string
                            _ = v.int64
                            _ = v.count
                        }
                    }
                    event.json.forEachMember { _, v in
                        _ = v.scalarText
                        return true
                    }
                    var line: [UInt8] = []
                    writer.write(event, into: &line)
                    precondition(line.last == 0x0A && !line.dropLast().contains(0x0A), "a JSON Lines record spans lines")
                    precondition(String(validating: line, as: UTF8.self) != nil, "JSON Lines output is not UTF-8")
                    precondition(EventParser.withEvent(Array(line.dropLast())) { _ in true } == true, "JSON Lines output is not one JSON object")
                }
            }
            precondition(report.delivered == delivered && report.records >= report.delivered, "report does not reconcile")
            precondition(report.problemCount >= report.diagnostics.count, "problems undercounted")
        }
    }

    /// The Sigma rule loader and, for rules that load, matching against a realistic event.
    public static func rules(_ data: UnsafeRawBufferPointer) {
        let text = String(decoding: data, as: UTF8.self)
        _ = try? ContainmentAction(yaml: text, file: "fuzz.yml")
        _ = try? PolicyCatalog(yaml: text, file: "fuzz.yml")
        guard let set = try? RuleSet.compile(yaml: text, file: "fuzz.yml") else { return }
        let detector = Detector(rules: set)
        _ = EventParser.withEvent(Array(sampleEvent.utf8)) { detector.process($0, file: "fuzz") }
        var findings = FindingSet()
        findings.merge(detector.take())
        _ = findings.findings(set)
        _ = RuleTestRunner(rules: set).run(0)
    }

    /// The policy-document, denial-message and enrichment parsers, on the input as a policy string, an error message
    /// and an ARN.
    public static func policy(_ data: UnsafeRawBufferPointer) {
        let text = String(decoding: data, as: UTF8.self)
        _ = PolicyDocument(text: text)
        _ = DenialMessage(text).resourceUserName
        var escaped: [UInt8] = []
        JSONString.escape(text.utf8, into: &escaped)
        let value = String(decoding: escaped, as: UTF8.self)
        let event = """
            {"eventTime":"2026-11-20T10:00:00Z","eventSource":"iam.amazonaws.com","eventName":"PutUserPolicy",\
            "userIdentity":{"type":"AssumedRole","arn":"\(value)","sessionContext":{"sessionIssuer":{"arn":"\(value)"}}},\
            "errorCode":"AccessDenied","errorMessage":"\(value)",\
            "requestParameters":{"userName":"\(value)","policyDocument":"\(value)","policyArn":"\(value)","roleArn":"\(value)"}}
            """
        _ = EventParser.withEvent(Array(event.utf8)) { Enrichment($0, catalog: PolicyCatalog()) }
    }

    static let sampleEvent = """
        {"eventVersion":"1.11","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","accessKeyId":"AKIAEXAMPLE000000001","userName":"alice"},"eventTime":"2026-11-20T10:00:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.10","userAgent":"aws-cli/2.15.0","requestParameters":{"userName":"bob","policyArns":[{"arn":"arn:aws:iam::aws:policy/AdministratorAccess"}]},"responseElements":{"accessKey":{"userName":"bob","accessKeyId":"AKIAEXAMPLE000000002","status":"Active"}},"eventID":"e1","readOnly":false,"eventType":"AwsApiCall","recipientAccountId":"111122223333"}
        """
}
