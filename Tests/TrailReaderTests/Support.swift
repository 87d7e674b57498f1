import Foundation
import Testing

@testable import TrailReader

/// The repository's Fixtures folder.
let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Fixtures")

/// A fresh temporary folder, removed by the caller's `defer`.
func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("trailhound-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// gzip-compresses `data` (one member).
func gzip(_ data: [UInt8], level: Int32 = 6) -> [UInt8] { Gzip.compress(data, level: level) }

func write(_ bytes: [UInt8], to url: URL) throws {
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(bytes).write(to: url)
}

/// What reading a file gave: each delivered event's text and index, and the report.
struct ReadResult {
    var events: [String] = []
    var indexes: [Int] = []
    var report: FileReport
    var eventIDs: [String] { events.map { eventID(of: $0) } }
}

func eventID(of json: String) -> String {
    let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
    return object?["eventID"] as? String ?? "?"
}

/// Reads one file with the given options and buffer sizes.
func readFile(
    _ path: String, options: ReaderOptions = ReaderOptions(), sizes: FileReader.BufferSizes = .init()
) -> ReadResult {
    let reader = FileReader(options: options, sizes: sizes)
    var events: [String] = []
    var indexes: [Int] = []
    let report = reader.read(InputFile(path: path)) { event in
        events.append(String(decoding: event.bytes, as: UTF8.self))
        indexes.append(event.index)
    }
    return ReadResult(events: events, indexes: indexes, report: report)
}

/// Buffer sizes that force every token and record across buffer boundaries.
let tinySizes = FileReader.BufferSizes(initialCapacity: 16, inputCapacity: 7, minimumFree: 3)

/// A small but complete CloudTrail record.
func record(
    id: String, name: String = "GetCallerIdentity", source: String = "sts.amazonaws.com",
    time: String = "2026-11-20T10:00:00Z", account: String = "111122223333", region: String = "us-east-1",
    extra: String = ""
) -> String {
    """
    {"eventVersion":"1.11","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLEUSER00001","arn":"arn:aws:iam::\(account):user/alice","accountId":"\(account)","accessKeyId":"AKIAEXAMPLEKEY000001","userName":"alice"},"eventTime":"\(time)","eventSource":"\(source)","eventName":"\(name)","awsRegion":"\(region)","sourceIPAddress":"203.0.113.10","userAgent":"aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.debian.12","requestParameters":null,"responseElements":null,"requestID":"\(id)-req","eventID":"\(id)","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"\(account)","eventCategory":"Management"\(extra)}
    """
}

func delivery(_ records: [String]) -> String { "{\"Records\":[" + records.joined(separator: ",") + "]}" }
