import TrailReader
import Yams

/// Turns a YAML test event into JSON text, keeping YAML's types (quoted scalars stay strings).
enum JSONFromYAML {
    static func json(_ node: Node) -> String {
        var out: [UInt8] = []
        write(node, &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func write(_ node: Node, _ out: inout [UInt8]) {
        switch node {
        case .mapping(let m):
            out.append(0x7B)
            for (k, (key, value)) in m.enumerated() {
                if k > 0 { out.append(0x2C) }
                quoted(key.string ?? "", &out)
                out.append(0x3A)
                write(value, &out)
            }
            out.append(0x7D)
        case .sequence(let s):
            out.append(0x5B)
            for (k, v) in s.enumerated() {
                if k > 0 { out.append(0x2C) }
                write(v, &out)
            }
            out.append(0x5D)
        case .scalar(let s):
            switch YAMLScalar.kind(node) {
            case .null: out += Array("null".utf8)
            case .bool(let b): out += Array((b ? "true" : "false").utf8)
            case .number: out += Array(s.string.utf8)
            case .string: quoted(s.string, &out)
            }
        case .alias:
            out += Array("null".utf8)
        }
    }

    static func quoted(_ s: String, _ out: inout [UInt8]) {
        out.append(0x22)
        JSONString.escape(s.utf8, into: &out)
        out.append(0x22)
    }
}
