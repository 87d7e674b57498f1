import Foundation
import Yams

/// The type of a YAML scalar under YAML 1.2's core schema: only plain (unquoted) scalars are typed.
enum YAMLScalar: Equatable {
    case null, bool(Bool), number, string

    static func kind(_ node: Node) -> YAMLScalar {
        guard let scalar = node.scalar else { return .string }
        guard scalar.style == .plain || scalar.style == .any else { return .string }
        let text = scalar.string
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        // JSON-compatible numbers only, so the text can be written into JSON as it is.
        let bytes = Array(text.utf8)
        var k = 0
        if k < bytes.count && bytes[k] == 0x2D { k += 1 }
        let digitsStart = k
        while k < bytes.count && bytes[k] >= 0x30 && bytes[k] <= 0x39 { k += 1 }
        guard k > digitsStart, !(bytes[digitsStart] == 0x30 && k - digitsStart > 1) else { return .string }
        if k < bytes.count && bytes[k] == 0x2E {
            k += 1
            let fraction = k
            while k < bytes.count && bytes[k] >= 0x30 && bytes[k] <= 0x39 { k += 1 }
            guard k > fraction else { return .string }
        }
        if k < bytes.count && (bytes[k] == 0x65 || bytes[k] == 0x45) {
            k += 1
            if k < bytes.count && (bytes[k] == 0x2B || bytes[k] == 0x2D) { k += 1 }
            let exponent = k
            while k < bytes.count && bytes[k] >= 0x30 && bytes[k] <= 0x39 { k += 1 }
            guard k > exponent else { return .string }
        }
        return k == bytes.count ? .number : .string
    }
}
