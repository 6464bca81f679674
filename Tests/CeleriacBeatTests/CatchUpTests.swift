@testable import Celeriac
import CeleriacBeat
import Foundation
import Testing

/// The beat-wide default catch-up rule: `celeriac beat --catch-up`, else `beat_catch_up` in
/// celeriac.toml (or CELERIAC_BEAT_CATCH_UP), else once — Celery's behaviour.
@Suite struct CatchUpTests {
    static func configuration(_ toml: String, environment: [String: String] = [:]) throws -> CeleriacConfiguration {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("beat-\(UUID().uuidString).toml").path
        try toml.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try CeleriacConfiguration.load(file: path, environment: environment)
    }

    @Test func beatCatchUpIsReadFromTheConfiguration() throws {
        #expect(try Self.configuration("beat_catch_up = \"replay 2\"").beatCatchUp == "replay 2")
        #expect(try Self.configuration("").beatCatchUp == nil)
        #expect(try Self.configuration("beat_catch_up = \"skip\"", environment: ["CELERIAC_BEAT_CATCH_UP": "once"]).beatCatchUp == "once")
    }

    @Test func theFlagWinsOverTheSettingWhichWinsOverOnce() throws {
        #expect(try CatchUp.beatDefault(flag: nil, configured: nil) == .once)
        #expect(try CatchUp.beatDefault(flag: nil, configured: "skip") == .skip)
        #expect(try CatchUp.beatDefault(flag: "replay 4", configured: "skip") == .replay(4))
        #expect(try CatchUp.beatDefault(flag: nil, configured: "replay 2") == .replay(2))
    }

    @Test func aBadRuleIsNamedByWhereItCameFrom() {
        #expect { try CatchUp.beatDefault(flag: nil, configured: "twice") } throws: {
            "\($0)".hasPrefix("beat_catch_up: catch-up 'twice': write once")
        }
        #expect { try CatchUp.beatDefault(flag: "replay 0", configured: "skip") } throws: {
            "\($0)".hasPrefix("--catch-up: catch-up 'replay 0'")
        }
    }
}
