// trailhound-bench: measures the reader against inflate alone, on the same files, with the same zlib.
// Usage: trailhound-bench inflate|split|scan [--threads N] [--inflater zlib|isal] [--rules DIR]... PATH...
// scan runs every bundled rule (and any --rules folders) through the detector, as `trailhound scan` does.
// Prints one JSON object: mode, threads, files, events, json_bytes, seconds, mb_per_s, events_per_s, peak_rss_kb.

import CZlib
import Foundation
import TrailDetect
import TrailReader

let arguments = Array(CommandLine.arguments.dropFirst())
guard let mode = arguments.first, ["inflate", "split", "scan"].contains(mode) else {
    FileHandle.standardError.write("usage: trailhound-bench inflate|split|scan [--threads N] [--rules DIR] PATH...\n".data(using: .utf8)!)
    exit(2)
}
var threads = 1
var paths: [String] = []
var extraRules: [URL] = []
var inflaterKind = InflaterKind.preferred
var k = 1
while k < arguments.count {
    if arguments[k] == "--threads", k + 1 < arguments.count {
        threads = Int(arguments[k + 1]) ?? 1
        k += 2
    } else if arguments[k] == "--inflater", k + 1 < arguments.count, let kind = InflaterKind(rawValue: arguments[k + 1]) {
        inflaterKind = kind
        k += 2
    } else if arguments[k] == "--rules", k + 1 < arguments.count {
        extraRules.append(URL(fileURLWithPath: arguments[k + 1]))
        k += 2
    } else {
        paths.append(arguments[k])
        k += 1
    }
}

var options = ReaderOptions()
options.threads = threads
options.inflater = inflaterKind
let files = Discovery(options: options).discover(paths).files

let eventName = FieldPath("eventName")!
let eventSource = FieldPath("eventSource")!
let userArn = FieldPath("userIdentity.arn")!

var ruleSet: RuleSet?
var ruleCount = 0
if mode == "scan" {
    guard let home = RuleSet.bundledFolder() else { fatalError("no rules folder; set TRAILHOUND_RULES") }
    let (set, report) = RuleSet.load(bundled: home, extra: extraRules)
    ruleSet = set
    ruleCount = report.loaded
}
let rules = ruleSet

let start = Date()
var jsonBytes = 0
var events = 0
var checksum = 0
var analysis: Analysis.Result?
if let rules, mode == "scan" {
    // The whole scan as `trailhound scan` runs it: both passes, lineage, states, correlations.
    analysis = Analysis.run(files, rules: rules, using: ParallelReader(options: options)) { report in
        jsonBytes += report.jsonBytes
        events += report.delivered
    }
    // The findings are made when written (`trailhound scan` renders them a batch at a time): made here all at once,
    // on the scan's threads, and counted in the `findings` stage.
    let making = Date()
    checksum = analysis!.made.all().count
    analysis!.stageSeconds["findings", default: 0] += Date().timeIntervalSince(making)
} else {
ParallelReader(options: options).run(
    files,
    state: { rules.map { Detector(rules: $0) } },
    process: { file, reader, detector, emit in
        if mode == "inflate" {
            emit((reader.inflateOnly(file), 0, 0), 0)
            return FileReport(path: file.path)
        }
        if let detector {
            var count = 0
            let report = reader.read(file) { event in
                count += 1
                detector.process(event, file: file.path)
            }
            emit((report.jsonBytes, count, detector.take().count), 0)
            return report
        }
        var count = 0
        var sum = 0
        let report = reader.read(file) { event in
            count += 1
            // Touch the three fields so the lookups cannot be optimised away.
            sum &+= event.value(at: eventName)?.bytes.count ?? 0
            sum &+= event.value(at: eventSource)?.bytes.count ?? 0
            sum &+= event.value(at: userArn)?.bytes.count ?? 0
        }
        emit((report.jsonBytes, count, sum), 0)
        return report
    },
    consume: { _, item in
        if case .output(let (bytes, count, sum)) = item {
            jsonBytes += bytes
            events += count
            checksum &+= sum
        }
    })
}
let seconds = Date().timeIntervalSince(start)
var usage = rusage()
getrusage(RUSAGE_SELF.rawValue, &usage)
let result: [String: Any] = [
    "mode": mode, "threads": threads, "files": files.count, "events": events, "json_bytes": jsonBytes,
    "seconds": seconds, "mb_per_s": Double(jsonBytes) / 1e6 / seconds, "events_per_s": Double(events) / seconds,
    "peak_rss_kb": usage.ru_maxrss, "checksum": checksum, "rules": ruleCount, "inflater": inflaterKind.rawValue,
    "findings": analysis?.made.count ?? 0, "issuances": analysis?.lineage.count ?? 0,
    "trigger_events": analysis?.triggers ?? 0, "correlation_matches": analysis?.signals ?? 0,
    "states": analysis?.windowsOpened ?? 0, "second_pass_files": analysis?.secondPassFiles ?? 0,
    "evidence_files": analysis?.evidenceFiles ?? 0,
    "stage_seconds": analysis?.stageSeconds ?? [:],
]
let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
print(String(decoding: data, as: UTF8.self))
