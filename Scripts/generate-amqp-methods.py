#!/usr/bin/env python3
"""Generates Sources/AMQPProtocol/Generated/*.swift from RabbitMQ's machine-readable AMQP 0-9-1 spec.

Usage: python3 Scripts/generate-amqp-methods.py [path/to/amqp-rabbitmq-0.9.1.json]
The JSON (rabbitmq-codegen) lives in ../shared/spec and is not committed; its output is.
Every method becomes a struct under AMQP.<Class>, with a decoder and an encoder;
AMQPMethod is the enum over all of them. Consecutive `bit` arguments share one octet,
as the spec packs them.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SPEC = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared", "spec", "amqp-rabbitmq-0.9.1.json")
OUT = os.path.join(ROOT, "Sources", "AMQPProtocol", "Generated")

SWIFT_KEYWORDS = {"internal", "class", "default", "public", "private", "static", "protocol"}

spec = json.load(open(SPEC))
domains = dict(spec["domains"])

SWIFT_TYPE = {
    "octet": "UInt8", "short": "UInt16", "long": "UInt32", "longlong": "UInt64",
    "shortstr": "String", "longstr": "String", "table": "AMQPTable", "bit": "Bool",
    "timestamp": "UInt64",
}
# What AMQPReader calls each domain's read: decoders read a frame's raw bytes, not a
# ByteBuffer, so a method costs one exclusivity check instead of one per argument.
READ = {
    "octet": "octet()", "short": "short()", "long": "long()",
    "longlong": "longLong()", "shortstr": "shortString()",
    "longstr": "longString()", "table": "table()", "timestamp": "longLong()",
}

WRITE = {
    "octet": "writeInteger({v})", "short": "writeInteger({v})", "long": "writeInteger({v})",
    "longlong": "writeInteger({v})", "shortstr": "try writeAMQPShortString({v})",
    "longstr": "writeAMQPLongString({v})", "table": "try writeAMQPTable({v})", "timestamp": "writeInteger({v})",
}


def primitive(arg):
    t = arg.get("type") or arg["domain"]
    while t in domains and domains[t] != t:
        t = domains[t]
    return t


def camel(name, upper=False):
    parts = name.split("-")
    out = []
    for i, p in enumerate(parts):
        if p == "id" and i > 0:
            out.append("ID")
        elif i == 0 and not upper:
            out.append(p)
        else:
            out.append(p[:1].upper() + p[1:])
    s = "".join(out)
    if s == "nowait":
        s = "noWait"
    return s


def ident(name):
    s = camel(name)
    return f"`{s}`" if s in SWIFT_KEYWORDS else s


def plain(name):
    return camel(name)


def swift_literal(value, t):
    if t == "bit":
        return "true" if value else "false"
    if t in ("shortstr", "longstr"):
        return json.dumps(value)
    if t == "table":
        return "[:]"
    return str(value)


def bit_groups(args):
    """Yields ('bits', [args]) for runs of bit arguments and ('one', arg) otherwise."""
    run = []
    for a in args:
        if primitive(a) == "bit":
            run.append(a)
            continue
        if run:
            yield ("bits", run)
            run = []
        yield ("one", a)
    if run:
        yield ("bits", run)


def gen_method(cls, m):
    struct = camel(m["name"], upper=True)
    args = m["arguments"]
    lines = []
    sync = " Synchronous: the peer answers with the `-ok` method." if m.get("synchronous") else ""
    content = " Carries content (a header frame and body frames follow)." if m.get("content") else ""
    lines.append(f"    /// `{cls['name']}.{m['name']}` ({cls['id']}, {m['id']}).{sync}{content}")
    lines.append(f"    public struct {struct}: AMQPMethodPayload {{")
    lines.append(f"        public static let classID: UInt16 = {cls['id']}")
    lines.append(f"        public static let methodID: UInt16 = {m['id']}")
    lines.append(f"        public static let name = \"{cls['name']}.{m['name']}\"")
    lines.append(f"        public static let hasContent = {'true' if m.get('content') else 'false'}")
    for a in args:
        lines.append(f"        public var {ident(a['name'])}: {SWIFT_TYPE[primitive(a)]}")
    # memberwise init with spec defaults
    params = []
    for a in args:
        t = primitive(a)
        p = f"{plain(a['name'])}: {SWIFT_TYPE[t]}"
        if "default-value" in a and a["default-value"] is not None:
            p += " = " + swift_literal(a["default-value"], t)
        elif t == "table":
            p += " = [:]"
        elif t == "bit":
            p += " = false"
        params.append(p)
    lines.append("")
    if params:
        lines.append(f"        public init({', '.join(params)}) {{")
        for a in args:
            lines.append(f"            self.{plain(a['name'])} = {ident(a['name'])}")
        lines.append("        }")
    else:
        lines.append("        public init() {}")
    # decoder
    lines.append("")
    lines.append("        init(reading reader: inout AMQPReader) throws(AMQPProtocolError) {")
    for kind, item in bit_groups(args):
        if kind == "one":
            lines.append(f"            self.{plain(item['name'])} = try reader.{READ[primitive(item)]}")
        else:
            for chunk_start in range(0, len(item), 8):
                chunk = item[chunk_start:chunk_start + 8]
                var = f"bits{chunk_start // 8}_{plain(chunk[0]['name'])}"
                lines.append(f"            let {var} = try reader.octet()")
                for i, a in enumerate(chunk):
                    lines.append(f"            self.{plain(a['name'])} = {var} & {1 << i} != 0")
    lines.append("        }")
    # encoder
    lines.append("")
    lines.append("        public func encode(into buffer: inout ByteBuffer) throws(AMQPProtocolError) {")
    for kind, item in bit_groups(args):
        if kind == "one":
            lines.append("            buffer." + WRITE[primitive(item)].format(v="self." + plain(item["name"]))
                         .replace("buffer.try ", "try buffer."))
        else:
            for chunk_start in range(0, len(item), 8):
                chunk = item[chunk_start:chunk_start + 8]
                terms = " | ".join(f"(self.{plain(a['name'])} ? {1 << i} : 0)" for i, a in enumerate(chunk))
                lines.append(f"            buffer.writeInteger(UInt8({terms}))")
    if not args:
        lines.append("            _ = buffer")
    lines.append("        }")
    lines.append("    }")
    return lines


def fix_try(lines):
    return [l.replace("buffer.try ", "try buffer.") for l in lines]


HEADER = "// Generated by Scripts/generate-amqp-methods.py from RabbitMQ's amqp-rabbitmq-0.9.1.json. Do not edit.\n\nimport NIOCore\n\n"

os.makedirs(OUT, exist_ok=True)
cases = []
for cls in spec["classes"]:
    cname = camel(cls["name"], upper=True)
    body = [f"extension AMQP {{", f"    /// The `{cls['name']}` class ({cls['id']}).", f"    public enum {cname} {{", "    }", "}", "", f"extension AMQP.{cname} {{"]
    first = True
    for m in cls["methods"]:
        if not first:
            body.append("")
        first = False
        body += gen_method(cls, m)
        cases.append((cls, m, cname, camel(m["name"], upper=True)))
    body.append("}")
    with open(os.path.join(OUT, f"AMQP+{cname}.swift"), "w") as f:
        f.write(HEADER + "\n".join(fix_try(body)) + "\n")

# AMQPMethod enum
e = ["/// Every AMQP 0-9-1 method RabbitMQ speaks, as one value.", "public enum AMQPMethod: Sendable, Hashable {"]
for cls, m, cname, sname in cases:
    e.append(f"    case {camel(cls['name'])}{sname}(AMQP.{cname}.{sname})")
e.append("")
e.append("    /// Decodes a method frame's payload: class id, method id, then the arguments.")
e.append("    public static func decode(from buffer: inout ByteBuffer) throws(AMQPProtocolError) -> AMQPMethod {")
e.append("        try buffer.readFields { (reader: inout AMQPReader) throws(AMQPProtocolError) in try decode(from: &reader) }")
e.append("    }")
e.append("")
e.append("    static func decode(from reader: inout AMQPReader) throws(AMQPProtocolError) -> AMQPMethod {")
e.append("        let classID = try reader.short()")
e.append("        let methodID = try reader.short()")
e.append("        switch (classID, methodID) {")
for cls, m, cname, sname in cases:
    e.append(f"        case ({cls['id']}, {m['id']}): return .{camel(cls['name'])}{sname}(try AMQP.{cname}.{sname}(reading: &reader))")
e.append("        default: throw .unknownMethod(classID: classID, methodID: methodID)")
e.append("        }")
e.append("    }")
e.append("")
e.append("    /// The spec's name of a method, e.g. for the ids in a channel.close; nil when unknown.")
e.append("    public static func name(classID: UInt16, methodID: UInt16) -> String? {")
e.append("        switch (classID, methodID) {")
for cls, m, cname, sname in cases:
    e.append(f"        case ({cls['id']}, {m['id']}): return \"{cls['name']}.{m['name']}\"")
e.append("        default: return nil")
e.append("        }")
e.append("    }")
e.append("")
e.append("    /// The method's payload, for the properties every method shares.")
e.append("    public var payload: any AMQPMethodPayload {")
e.append("        switch self {")
for cls, m, cname, sname in cases:
    e.append(f"        case .{camel(cls['name'])}{sname}(let method): return method")
e.append("        }")
e.append("    }")
e.append("}")
with open(os.path.join(OUT, "AMQPMethod.swift"), "w") as f:
    f.write(HEADER + "\n".join(e) + "\n")

# Basic properties
props = [c for c in spec["classes"] if c["name"] == "basic"][0]["properties"]
names = [plain(a["name"]) for a in props]
types = [SWIFT_TYPE[primitive(a)] for a in props]
p = ["/// The 14 basic properties of a message (`basic` class content header), each optional:",
     "/// a property is on the wire only when its flag bit is set.",
     "///",
     "/// The values live in a shared box, copied on write: the struct is one pointer wide, so the",
     "/// frames and messages that carry it move without copying 14 fields (and retaining every",
     "/// string in them) each time they are passed on.",
     "public struct AMQPBasicProperties: Sendable, Hashable {",
     "    struct Fields: Hashable {"]
for n, t in zip(names, types):
    p.append(f"        var {n}: {t}?")
p.append("    }")
p.append("")
p.append("    /// Mutated only while uniquely referenced (see `fields`), so sharing it is safe.")
p.append("    final class Storage: @unchecked Sendable {")
p.append("        var fields: Fields")
p.append("        init(_ fields: Fields) { self.fields = fields }")
p.append("        /// Shared by every message with no properties (most of a benchmark's, Celery's")
p.append("        /// events' none): a shared box is copied before any change, so it stays empty.")
p.append("        static let empty = Storage(Fields())")
p.append("    }")
p.append("")
p.append("    private var storage: Storage")
p.append("")
p.append("    var fields: Fields {")
p.append("        get { storage.fields }")
p.append("        _modify {")
p.append("            if !isKnownUniquelyReferenced(&storage) { storage = Storage(storage.fields) }")
p.append("            yield &storage.fields")
p.append("        }")
p.append("    }")
p.append("")
for n, t in zip(names, types):
    p.append(f"    public var {n}: {t}? {{")
    p.append(f"        get {{ storage.fields.{n} }}")
    p.append(f"        _modify {{ yield &fields.{n} }}")
    p.append("    }")
p.append("")
p.append("    public init(" + ", ".join(f"{n}: {t}? = nil" for n, t in zip(names, types)) + ") {")
p.append("        if " + " && ".join(f"{n} == nil" for n in names) + " {")
p.append("            storage = .empty")
p.append("            return")
p.append("        }")
p.append("        storage = Storage(Fields(" + ", ".join(f"{n}: {n}" for n in names) + "))")
p.append("    }")
p.append("")
p.append("    /// Reads the property flags and then the properties they announce.")
p.append("    public init(decoding buffer: inout ByteBuffer) throws(AMQPProtocolError) {")
p.append("        self = try buffer.readFields { (reader: inout AMQPReader) throws(AMQPProtocolError) in try Self(reading: &reader) }")
p.append("    }")
p.append("")
p.append("    init(reading reader: inout AMQPReader) throws(AMQPProtocolError) {")
p.append("        let flags = try reader.propertyFlags()")
p.append("        guard flags != 0 else {")
p.append("            storage = .empty")
p.append("            return")
p.append("        }")
p.append("        var fields = Fields()")
for i, a in enumerate(props):
    bit = 1 << (15 - i)
    p.append(f"        if flags & {bit} != 0 {{ fields.{plain(a['name'])} = try reader.{READ[primitive(a)]} }}")
p.append("        storage = Storage(fields)")
p.append("    }")
p.append("")
p.append("    public func encode(into buffer: inout ByteBuffer) throws(AMQPProtocolError) {")
p.append("        let fields = storage.fields")
p.append("        var flags: UInt16 = 0")
for i, a in enumerate(props):
    p.append(f"        if fields.{plain(a['name'])} != nil {{ flags |= {1 << (15 - i)} }}")
p.append("        buffer.writeInteger(flags)")
for a in props:
    w = WRITE[primitive(a)].format(v="value")
    pre = "try " if w.startswith("try ") else ""
    w = w.replace("try ", "")
    p.append(f"        if let value = fields.{plain(a['name'])} {{ {pre}buffer.{w} }}")
p.append("    }")
p.append("")
p.append("    public static func == (lhs: Self, rhs: Self) -> Bool {")
p.append("        lhs.storage === rhs.storage || lhs.storage.fields == rhs.storage.fields")
p.append("    }")
p.append("")
p.append("    public func hash(into hasher: inout Hasher) {")
p.append("        hasher.combine(storage.fields)")
p.append("    }")
p.append("}")
with open(os.path.join(OUT, "AMQPBasicProperties.swift"), "w") as f:
    f.write(HEADER + "\n".join(p) + "\n")
print("generated", len(cases), "methods,", len(props), "properties into", os.path.relpath(OUT, ROOT))
