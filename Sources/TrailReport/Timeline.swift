import TrailDetect
import TrailReader

/// A root identity's timeline as SVG: its calls per time bucket as bars, its findings as dots (one row per level),
/// and the containment events seen in the logs as dashed lines.
struct Timeline {
    let root: RootIdentity
    let findings: [Finding]
    let calls: [Int64: Int]
    let containment: [Activity.ContainmentEvent]

    static let width = 960.0
    static let plotLeft = 110.0
    static let plotRight = 940.0
    /// Bucket sizes in slots of `Activity.slotSeconds` (10 min), smallest first: the first giving at most
    /// `maxBuckets` bars is used (10 min up to 30 days).
    static let bucketSlots: [Int64] = [1, 2, 3, 6, 12, 18, 36, 72, 144, 288, 1008, 2016, 4320]
    static let maxBuckets: Int64 = 96

    /// `10 min`, `2 h`, `7 d`.
    static func duration(_ seconds: Int64) -> String {
        seconds % 86_400 == 0 ? "\(seconds / 86_400) d" : seconds % 3600 == 0 ? "\(seconds / 3600) h" : "\(seconds / 60) min"
    }

    struct Dot {
        let time: Int64
        let finding: Finding
    }

    func svg(id: String) -> HTML {
        let dots = findings.compactMap { f in Timestamp.parse(f.firstSeen).map { Dot(time: $0, finding: f) } }
        let slot = Activity.slotSeconds
        var times = dots.map(\.time) + containment.map(\.time)
        if let lo = calls.keys.min(), let hi = calls.keys.max() { times += [lo * slot, hi * slot + slot - 1] }
        guard let start = times.min(), let end = times.max() else {
            return "<p class=\"more\">No time to draw.</p>"
        }
        let slots = (end / slot) - (start / slot) + 1
        let bucket = Self.bucketSlots.first { (slots + $0 - 1) / $0 <= Self.maxBuckets } ?? Self.bucketSlots.last!
        let first = (start / slot / bucket) * bucket
        let count = Int((end / slot - first) / bucket) + 1
        var perBucket = [Int](repeating: 0, count: count)
        for (index, n) in calls {
            let b = Int((index - first) / bucket)
            if b >= 0 && b < count { perBucket[b] += n }
        }
        let maxCalls = max(1, perBucket.max() ?? 1)
        let span = Double(count) * Double(bucket * slot)
        let plotWidth = Self.plotRight - Self.plotLeft
        func x(_ t: Int64) -> Double { Self.plotLeft + Double(t - first * slot) / span * plotWidth }
        let barTop = 40.0
        let barHeight = 80.0
        let barWidth = plotWidth / Double(count)
        var parts: [HTML] = []
        for (b, n) in perBucket.enumerated() where n > 0 {
            let h = max(1, Double(n) / Double(maxCalls) * barHeight)
            let t = (first + Int64(b) * bucket) * slot
            parts.append(
                "<rect class=\"bar\" x=\"\(Self.plotLeft + Double(b) * barWidth)\" y=\"\(barTop + barHeight - h)\" width=\"\(max(1, barWidth - 1))\" height=\"\(h)\"><title>\(Timestamp.format(t)): \(n) calls</title></rect>"
            )
        }
        // Findings: one row per level, worst on top.
        let levels = ReportPage.levels
        let rowTop = barTop + barHeight + 22
        for (r, level) in levels.enumerated() {
            parts.append("<text class=\"axis\" x=\"6\" y=\"\(rowTop + Double(r) * 16 + 4)\">\(level.rawValue)</text>")
        }
        for dot in dots.prefix(500) {
            let r = levels.firstIndex(of: dot.finding.level) ?? levels.count - 1
            parts.append(
                "<circle class=\"f-\(dot.finding.level.rawValue)\" cx=\"\(x(dot.time))\" cy=\"\(rowTop + Double(r) * 16)\" r=\"5\"><title>\(dot.finding.firstSeen) \(dot.finding.rule.level): \(dot.finding.title)</title></circle>"
            )
        }
        let bottom = rowTop + Double(levels.count) * 16
        for (k, event) in containment.enumerated() {
            let cx = x(event.time)
            parts.append(
                "<line class=\"cont\" x1=\"\(cx)\" y1=\"20\" x2=\"\(cx)\" y2=\"\(bottom)\"><title>\(Timestamp.format(event.time)): \(event.kind.rawValue) (\(event.eventID))</title></line>"
            )
            if k < 6 { parts.append("<text class=\"cont\" x=\"\(cx + 3)\" y=\"\(14 + Double(k % 2) * 12)\">\(event.kind.rawValue)</text>") }
        }
        // Axis: start, middle, end; the bucket size and the busiest bucket.
        let endTime = (first + Int64(count) * bucket) * slot
        let axisY = bottom + 14
        let mid = (first * slot + endTime) / 2
        parts.append("<text class=\"axis\" x=\"\(Self.plotLeft)\" y=\"\(axisY)\">\(Timestamp.format(first * slot))</text>")
        parts.append("<text class=\"axis\" x=\"\(x(mid) - 60)\" y=\"\(axisY)\">\(Timestamp.format(mid))</text>")
        parts.append("<text class=\"axis\" x=\"\(Self.plotRight - 125)\" y=\"\(axisY)\">\(Timestamp.format(endTime))</text>")
        parts.append("<text class=\"axis\" x=\"6\" y=\"\(barTop + 10)\">calls per \(Self.duration(bucket * slot))</text>")
        parts.append("<text class=\"axis\" x=\"6\" y=\"\(barTop + 24)\">max \(maxCalls)</text>")
        let total = calls.values.reduce(0, +)
        let height = axisY + 8
        return """
            <svg id="\(id)" class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(Int(Self.width)) \(Int(height))" width="\(Int(Self.width))" height="\(Int(height))" role="img" aria-label="Timeline of \(root.title): \(total) calls, \(findings.count) findings, \(containment.count) containment events">\(parts)</svg>
            <p class="meta">\(total) calls by this identity and the sessions it minted, \(findings.count) findings (dots\(dots.count > 500 ? ", first 500" : "")), \(containment.count) containment events (dashed lines).</p>
            """
    }
}
