import TrailReader

/// Calls of a timeline with the same service, API and outcome, each within `gap` of the one before (other calls may
/// come between), shown as one line (`×N`, first and last time): an enumeration of 400 `ListBuckets` or a tool's
/// polling reads as one step of an incident.
public struct CallRun: Sendable, Equatable {
    public let first: CredentialTrace.Call
    public private(set) var last: CredentialTrace.Call
    public private(set) var count = 1
    /// Distinct values across the run, in first-seen order.
    public private(set) var regions: [String] = []
    public private(set) var accessKeyIds: [String] = []
    public private(set) var sourceIPAddresses: [String] = []

    init(_ call: CredentialTrace.Call) {
        first = call
        last = call
        note(call)
    }

    func continues(with call: CredentialTrace.Call) -> Bool {
        call.eventSource == first.eventSource && call.eventName == first.eventName && call.errorCode == first.errorCode
    }

    mutating func note(_ call: CredentialTrace.Call) {
        func add(_ value: String?, to list: inout [String]) {
            if let value, !list.contains(value) { list.append(value) }
        }
        add(call.region, to: &regions)
        add(call.accessKeyId, to: &accessKeyIds)
        add(call.sourceIPAddress, to: &sourceIPAddresses)
    }

    mutating func append(_ call: CredentialTrace.Call) {
        last = call
        count += 1
        note(call)
    }

    /// The default gap: a run ends when its call does not recur within five minutes.
    public static let defaultGap: Int64 = 300

    /// The timeline (in time order) as runs, in the order of their first calls. A call without a readable time
    /// is a run of its own.
    public static func collapse(_ calls: [CredentialTrace.Call], gap: Int64 = defaultGap) -> [CallRun] {
        struct Key: Hashable {
            let source: String?
            let name: String?
            let error: String?
        }
        var runs: [CallRun] = []
        var open: [Key: (run: Int, time: Int64)] = [:]
        for call in calls {
            guard let time = Timestamp.parse(call.eventTime) else {
                runs.append(CallRun(call))
                continue
            }
            let key = Key(source: call.eventSource, name: call.eventName, error: call.errorCode)
            if let (index, last) = open[key], time - last <= gap, time >= last {
                runs[index].append(call)
                open[key] = (index, time)
            } else {
                open[key] = (runs.count, time)
                runs.append(CallRun(call))
            }
        }
        return runs
    }
}
