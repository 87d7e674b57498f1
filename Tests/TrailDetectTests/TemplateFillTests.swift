import Foundation
import Testing

@testable import TrailDetect
@testable import TrailReader

/// Finding titles from a rule's `title-template`, and `for-each` steps that bind one item of each list at a time.
@Suite struct TemplateFillTests {
    static let event = #"{"eventName":"StopLogging","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/mallory","accountId":"111122223333","userName":"mallory"},"requestParameters":{"name":"org-trail"}}"#

    func title(_ template: String) throws -> String {
        let set = try ruleSet(rule("sel:\n  eventName: StopLogging\ncondition: sel", extra: "title-template: '\(template)'"))
        let text = RuleTestRunner.completed(Self.event, index: 0)
        let context = EventContext(catalog: set.catalog)
        return EventParser.withEvent(Array(text.utf8)) { event in
            context.reset(event)
            return Detector.title(set, 0, context)
        }!
    }

    /// Fields and derived fields filled in; a name that is no field, or a field the event lacks, reads "?"; a `{`
    /// without a `}` after it, and what follows, stay as written.
    @Test func titleTemplatesAreFilledIn() throws {
        #expect(try title("{userIdentity.arn} stopped {requestParameters.name}") == "arn:aws:iam::111122223333:user/mallory stopped org-trail")
        #expect(try title("by {trailhound.actor.userName} in {requestParameters.missing}") == "by mallory in ?")
        #expect(try title("{no such field!} and {}") == "? and ?")
        #expect(try title("{eventName} {open") == "StopLogging {open")
        #expect(try title("plain") == "plain")
        #expect(try title("}{eventName}}{") == "}StopLogging}{")
    }

    /// A rule without a template: its title and the actor.
    @Test func titleWithoutATemplateNamesTheActor() throws {
        let set = try ruleSet(rule("sel:\n  eventName: StopLogging\ncondition: sel"))
        let text = RuleTestRunner.completed(Self.event, index: 0)
        let context = EventContext(catalog: set.catalog)
        let made = EventParser.withEvent(Array(text.utf8)) { event in
            context.reset(event)
            return Detector.title(set, 0, context)
        }
        #expect(made == "test rule: arn:aws:iam::111122223333:user/mallory")
    }

    /// A step over two lists pairs their items by position; a variable outside `for-each` keeps its first value.
    @Test func forEachBindsOneItemOfEachList() throws {
        let action = try #require(bundled.0.containment["iam-created-keys-deactivate"])
        let values: [String: [String]] = [
            "createdForUserName": ["alice", "bob", "carol"],
            "createdAccessKeyId": ["AKIAEXAMPLEAAAAAAAA1", "AKIAEXAMPLEAAAAAAAA2"],
            "account": ["111122223333"],
        ]
        let rendered = action.render(values)
        #expect(rendered.steps[0].commands == [
            "aws iam update-access-key --user-name alice --access-key-id AKIAEXAMPLEAAAAAAAA1 --status Inactive",
            "aws iam update-access-key --user-name bob --access-key-id AKIAEXAMPLEAAAAAAAA2 --status Inactive",
        ])
        #expect(rendered.steps[1].commands.count == 3)
        #expect(rendered.steps[1].commands[2].hasPrefix("aws iam list-access-keys --user-name carol "))
        // The same as binding each item in a copy of the values, as the renderer once did.
        let template = Template("x {{createdForUserName}} {{createdAccessKeyId}} {{account}}", mode: .shell)
        for item in 0..<2 {
            var scoped = values
            for name in ["createdForUserName", "createdAccessKeyId"] { scoped[name] = [values[name]![item]] }
            #expect(template.fill(values, item: (["createdForUserName", "createdAccessKeyId"], item)).text == template.fill(scoped).text)
        }
    }
}
