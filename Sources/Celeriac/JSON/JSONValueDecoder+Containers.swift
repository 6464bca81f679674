/// The three containers of `JSONValueDecoder`. Codable asks each container for every
/// primitive type by name; those all forward to one generic decode.
extension JSONValueDecoder {
    struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let object: [String: JSONValue]
        let codingPath: [any CodingKey]

        var allKeys: [Key] { object.keys.compactMap { Key(stringValue: $0) } }

        func contains(_ key: Key) -> Bool { object[key.stringValue] != nil }

        private func value(_ key: some CodingKey) throws -> JSONValue {
            guard let value = object[key.stringValue] else {
                throw DecodingError.keyNotFound(key, .init(codingPath: codingPath,
                                                           debugDescription: "No value associated with key \(key) (\"\(key.stringValue)\")."))
            }
            return value
        }

        private func decoded<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T {
            try JSONValueDecoder.decode(type, from: value(key), at: codingPath + [key])
        }

        func decodeNil(forKey key: Key) throws -> Bool { try value(key) == .null }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decoded(type, key) }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try decoded(type, key) }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decoded(type, key) }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decoded(type, key) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decoded(type, key) }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decoded(type, key) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decoded(type, key) }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decoded(type, key) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decoded(type, key) }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decoded(type, key) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decoded(type, key) }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decoded(type, key) }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decoded(type, key) }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decoded(type, key) }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try decoded(type, key) }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
            -> KeyedDecodingContainer<NestedKey>
        {
            try JSONValueDecoder(value: value(key), codingPath: codingPath + [key]).container(keyedBy: type)
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            try JSONValueDecoder(value: value(key), codingPath: codingPath + [key]).unkeyedContainer()
        }

        func superDecoder() throws -> any Decoder {
            JSONValueDecoder(value: object["super"] ?? .null, codingPath: codingPath + [JSONSuperKey()])
        }

        func superDecoder(forKey key: Key) throws -> any Decoder {
            JSONValueDecoder(value: object[key.stringValue] ?? .null, codingPath: codingPath + [key])
        }
    }

    struct UnkeyedContainer: UnkeyedDecodingContainer {
        let list: [JSONValue]
        let codingPath: [any CodingKey]
        private(set) var currentIndex = 0

        init(list: [JSONValue], codingPath: [any CodingKey]) {
            self.list = list
            self.codingPath = codingPath
        }

        var count: Int? { list.count }
        var isAtEnd: Bool { currentIndex >= list.count }

        /// The next element, moving past it only when `read` succeeds.
        private mutating func next<T>(_ type: Any.Type, _ read: (JSONValue, [any CodingKey]) throws -> T) throws -> T {
            let path = codingPath + [JSONIndexKey(currentIndex)]
            guard !isAtEnd else { throw JSONValueDecoder.null(type, at: path, "Unkeyed container is at end.") }
            let value = try read(list[currentIndex], path)
            currentIndex += 1
            return value
        }

        private mutating func decoded<T: Decodable>(_ type: T.Type) throws -> T {
            try next(type) { value, path in try JSONValueDecoder.decode(type, from: value, at: path) }
        }

        mutating func decodeNil() throws -> Bool {
            guard !isAtEnd else {
                throw JSONValueDecoder.null(Any?.self, at: codingPath + [JSONIndexKey(currentIndex)], "Unkeyed container is at end.")
            }
            guard list[currentIndex] == .null else { return false }
            currentIndex += 1
            return true
        }

        mutating func decode(_ type: Bool.Type) throws -> Bool { try decoded(type) }
        mutating func decode(_ type: String.Type) throws -> String { try decoded(type) }
        mutating func decode(_ type: Double.Type) throws -> Double { try decoded(type) }
        mutating func decode(_ type: Float.Type) throws -> Float { try decoded(type) }
        mutating func decode(_ type: Int.Type) throws -> Int { try decoded(type) }
        mutating func decode(_ type: Int8.Type) throws -> Int8 { try decoded(type) }
        mutating func decode(_ type: Int16.Type) throws -> Int16 { try decoded(type) }
        mutating func decode(_ type: Int32.Type) throws -> Int32 { try decoded(type) }
        mutating func decode(_ type: Int64.Type) throws -> Int64 { try decoded(type) }
        mutating func decode(_ type: UInt.Type) throws -> UInt { try decoded(type) }
        mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try decoded(type) }
        mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try decoded(type) }
        mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try decoded(type) }
        mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try decoded(type) }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoded(type) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
            -> KeyedDecodingContainer<NestedKey>
        {
            try next(KeyedDecodingContainer<NestedKey>.self) { value, path in
                try JSONValueDecoder(value: value, codingPath: path).container(keyedBy: type)
            }
        }

        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            try next((any UnkeyedDecodingContainer).self) { value, path in
                try JSONValueDecoder(value: value, codingPath: path).unkeyedContainer()
            }
        }

        mutating func superDecoder() throws -> any Decoder {
            try next((any Decoder).self) { value, path in JSONValueDecoder(value: value, codingPath: path) }
        }
    }

    struct SingleValueContainer: SingleValueDecodingContainer {
        let value: JSONValue
        let codingPath: [any CodingKey]

        private func decoded<T: Decodable>(_ type: T.Type) throws -> T {
            try JSONValueDecoder.decode(type, from: value, at: codingPath)
        }

        func decodeNil() -> Bool { value == .null }
        func decode(_ type: Bool.Type) throws -> Bool { try decoded(type) }
        func decode(_ type: String.Type) throws -> String { try decoded(type) }
        func decode(_ type: Double.Type) throws -> Double { try decoded(type) }
        func decode(_ type: Float.Type) throws -> Float { try decoded(type) }
        func decode(_ type: Int.Type) throws -> Int { try decoded(type) }
        func decode(_ type: Int8.Type) throws -> Int8 { try decoded(type) }
        func decode(_ type: Int16.Type) throws -> Int16 { try decoded(type) }
        func decode(_ type: Int32.Type) throws -> Int32 { try decoded(type) }
        func decode(_ type: Int64.Type) throws -> Int64 { try decoded(type) }
        func decode(_ type: UInt.Type) throws -> UInt { try decoded(type) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try decoded(type) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try decoded(type) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try decoded(type) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try decoded(type) }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoded(type) }
    }
}

/// The key JSONDecoder gives a keyed container's `superDecoder()`.
struct JSONSuperKey: CodingKey {
    var stringValue: String { "super" }
    var intValue: Int? { nil }
    init() {}
    init?(stringValue: String) { guard stringValue == "super" else { return nil } }
    init?(intValue: Int) { return nil }
}
