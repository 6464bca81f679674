@testable import CeleriacBroker
import Foundation
import NIOCore
import Testing

struct RecordFileTests {
    static func temporaryPath(_ name: String) -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("celeriac-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent(name).path
    }

    @Test func recordsComeBackInOrderWithTheirOffsets() throws {
        let path = Self.temporaryPath("records")
        let file = try RecordFile(path: path)
        let first = file.append { $0.writeString("one") }
        let second = file.append { $0.writeString("two") }
        try file.flush()
        #expect(first == 0)
        #expect(second == RecordFile.headerSize + 3)
        let (records, cut) = try RecordFile(path: path).readAll()
        #expect(cut == 0)
        #expect(records.map { String(buffer: $0.payload) } == ["one", "two"])
        #expect(records.map(\.offset) == [first, second])
    }

    /// What a crash can leave: half a record, or a whole one whose bytes are not what was
    /// written. Reading keeps everything before it and cuts the file there.
    @Test(arguments: ["half a header", "a short payload", "a bad checksum"])
    func aTornOrCorruptTailIsCut(damage: String) throws {
        let path = Self.temporaryPath("records")
        let file = try RecordFile(path: path)
        file.append { $0.writeString("kept") }
        file.append { $0.writeString("lost") }
        try file.flush()
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        var damaged = whole
        switch damage {
        case "half a header": damaged = whole.prefix(RecordFile.headerSize + 4 + 3)
        case "a short payload": damaged = whole.prefix(whole.count - 2)
        default: damaged[damaged.count - 1] ^= 0xFF
        }
        try damaged.write(to: URL(fileURLWithPath: path))
        let reopened = try RecordFile(path: path)
        let (records, cut) = try reopened.readAll()
        #expect(records.map { String(buffer: $0.payload) } == ["kept"])
        #expect(cut == damaged.count - (RecordFile.headerSize + 4))
        reopened.append { $0.writeString("next") }
        try reopened.flush()
        #expect(try RecordFile(path: path).readAll().records.map { String(buffer: $0.payload) } == ["kept", "next"])
    }

    /// The check value every CRC-32/IEEE implementation agrees on, and the 8-byte slicing
    /// against the one-byte-at-a-time definition at every length and alignment up to 40.
    @Test func crc32IsZlibs() {
        let check = Array("123456789".utf8)
        #expect(check.withUnsafeBytes { CRC32.checksum($0) } == 0xCBF4_3926)
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<48).map { _ in UInt8.random(in: 0...255, using: &generator) }
        func bytewise(_ slice: ArraySlice<UInt8>) -> UInt32 {
            var crc: UInt32 = ~0
            for byte in slice {
                crc ^= UInt32(byte)
                for _ in 0..<8 { crc = crc & 1 == 1 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
            }
            return ~crc
        }
        for start in 0..<8 {
            for length in 0...40 {
                let slice = bytes[start..<(start + length)]
                #expect(slice.withUnsafeBytes { CRC32.checksum($0) } == bytewise(slice), "start \(start), length \(length)")
            }
        }
    }
}
