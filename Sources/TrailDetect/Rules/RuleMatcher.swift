import TrailReader

/// Which rules' detections an event matches, found through the same `eventName`/`eventSource` index a scan uses
/// (`rules match`, and the differential check against pySigma in scripts/sigma-diff). Detections only: a rule's
/// `state:`/`absence:` windows and correlations are not applied. One per thread.
public final class RuleMatcher {
    public let rules: RuleSet
    let index: RuleIndex
    let context: EventContext

    public init(rules: RuleSet) {
        self.rules = rules
        index = RuleIndex(rules.rules, only: rules.rules.indices.filter { rules.rules[$0].correlation == nil })
        context = EventContext(catalog: rules.catalog)
    }

    /// The indexes (into `rules.rules`) of the rules whose detection matches `event`, in rule order.
    public func matches(_ event: Event) -> [Int] {
        var out: [Int] = []
        guard index.mayMatch(event) else { return out }
        context.reset(event)
        index.candidates(event) { i in
            if rules.detections[i].matches(context) { out.append(i) }
        }
        return out.sorted()
    }
}
