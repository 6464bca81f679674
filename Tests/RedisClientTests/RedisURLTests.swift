@testable import RedisClient
import Testing

@Suite struct RedisURLTests {
    @Test func celerysSpellingsParse() throws {
        #expect(try RedisURL("redis://") == RedisURL())
        #expect(try RedisURL("redis://localhost:6379/0") == RedisURL())
        #expect(try RedisURL("redis://10.0.0.5:6380/3") == RedisURL(host: "10.0.0.5", port: 6380, database: 3))
        #expect(try RedisURL("redis://:s%40cret@h/1") == RedisURL(host: "h", database: 1, password: "s@cret"))
        #expect(try RedisURL("redis://app:pw@h:7000") == RedisURL(host: "h", port: 7000, username: "app", password: "pw"))
    }

    @Test(arguments: [
        ("rediss://h:6380/0", "not supported yet"),
        ("amqp://h//", "must start with redis://"),
        ("redis://h/zero", "not a database number"),
        ("redis://h:0/0", "not 1 to 65535"),
    ])
    func wrongURLsSayWhatIsWrong(_ url: String, _ complaint: String) {
        do {
            _ = try RedisURL(url)
            Issue.record("\(url) was accepted")
        } catch {
            #expect(error.description.contains(complaint), "\(error)")
        }
    }

    @Test func passwordsNeverShow() throws {
        #expect(try RedisURL("redis://:topsecret@h:1/2").description == "redis://:***@h:1/2")
        do {
            _ = try RedisURL("rediss://:topsecret@h/0")
        } catch {
            #expect(!error.description.contains("topsecret"))
        }
    }
}
