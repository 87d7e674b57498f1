import Foundation
import TrailReader

/// What containment acts on, from the requests and responses of a finding's events: keys made for others, the
/// policy, group and trail named, Roles Anywhere anchors, secrets and parameters.
extension FindingBuilder {
    mutating func addCreated(_ k: Finding.CreatedKey) {
        if target == nil { target = Finding.Target() }
        var list = target!.createdKeys ?? []
        if list.count < Self.maxListed && !list.contains(k) { list.append(k) }
        target!.createdKeys = list
    }

    /// Takes what containment needs from the request of a matching event: the policy attached or put, the group,
    /// the trail (the first event that names each).
    mutating func describeRequest(_ event: Event) {
        describeResources(event)
        guard let params = event.member(.requestParameters), params.kind == .object else { return }
        let policyArn = target?.policyArn == nil ? params.member("policyArn")?.string : nil
        let policyName = target?.policyName == nil ? params.member("policyName")?.string : nil
        let groupName = target?.groupName == nil ? params.member("groupName")?.string : nil
        var trailName: String?
        if target?.trailName == nil, event.member(.eventSource)?.string == "cloudtrail.amazonaws.com" {
            trailName = params.member("name")?.string ?? params.member("trailName")?.string
        }
        guard policyArn != nil || policyName != nil || groupName != nil || trailName != nil else { return }
        if target == nil { target = Finding.Target() }
        if let policyArn { target!.policyArn = policyArn }
        if let policyName { target!.policyName = policyName }
        if let groupName { target!.groupName = groupName }
        if let trailName { target!.trailName = trailName }
    }

    /// Where in a request or response each resource variable is read (the first path that holds a string), for
    /// the events of one service.
    static let resourcePaths: [(source: String, variable: String, paths: [[String]])] = [
        ("rolesanywhere.amazonaws.com", "trustAnchorId", [["responseElements", "trustAnchor", "trustAnchorId"], ["requestParameters", "trustAnchorId"]]),
        ("rolesanywhere.amazonaws.com", "profileId", [["responseElements", "profile", "profileId"], ["requestParameters", "profileId"]]),
        ("secretsmanager.amazonaws.com", "secretId", [["requestParameters", "secretId"]]),
        ("ssm.amazonaws.com", "parameterName", [["requestParameters", "name"], ["requestParameters", "path"]]),
    ]

    /// Adds the resources the event names (`Finding.Target.resources`), up to `maxListed` of each.
    mutating func describeResources(_ event: Event) {
        guard let source = event.member(.eventSource)?.string else { return }
        for (service, variable, paths) in Self.resourcePaths where service == source {
            var found: [String] = []
            for path in paths {
                var value = event.member(path[0] == "requestParameters" ? .requestParameters : .responseElements)
                for key in path.dropFirst() { value = value?.member(key) }
                if let text = value?.string { found.append(text); break }
            }
            if variable == "parameterName" {  // GetParameters: a list of names
                event.member(.requestParameters)?.member("names")?.forEachElement { element in
                    if let name = element.string { found.append(name) }
                    return true
                }
            }
            if !found.isEmpty { addResources(variable, found) }
        }
    }

    /// Adds values of a resource variable to the target, each once, up to `maxListed`.
    mutating func addResources(_ variable: String, _ values: [String]) {
        if target == nil { target = Finding.Target() }
        var list = target!.resources?[variable] ?? []
        for value in values where list.count < Self.maxListed && !list.contains(value) { list.append(value) }
        target!.resources = (target!.resources ?? [:]).merging([variable: list]) { _, b in b }
    }
}
