@testable import Celeriac
import Testing

@Suite struct RateLimitTests {
    @Test func celerysFormsParseToTokensPerSecond() {
        #expect(RateLimit("10/s")?.tokensPerSecond == 10)
        #expect(RateLimit("100/m")?.tokensPerSecond == 100.0 / 60.0)
        #expect(RateLimit("1000/h")?.tokensPerSecond == 1000.0 / 3600.0)
        #expect(RateLimit("5")?.tokensPerSecond == 5)
        #expect(RateLimit("0.5/s")?.tokensPerSecond == 0.5)
        #expect(RateLimit(" 10 / m ")?.tokensPerSecond == 10.0 / 60.0)
    }

    @Test func zeroMeansNoLimit() throws {
        let zero = try #require(RateLimit("0"))
        #expect(zero.isUnlimited)
        #expect(zero.interval == nil)
        #expect(RateLimit("2/s")?.interval == 0.5)
    }

    @Test(arguments: ["abc", "", "/s", "10/d", "10/sec", "-1/s", "nan", "inf/m", "ten/s"])
    func otherStringsAreRefused(text: String) {
        #expect(RateLimit(text) == nil)
        #expect(throws: TaskOptionsError.invalidRateLimit(text)) { try RateLimit.parse(text) }
    }

    @Test func parsedRateLimitReadsTheOption() {
        #expect(TaskOptions(rateLimit: "100/m").parsedRateLimit == RateLimit(tokensPerSecond: 100.0 / 60.0))
        #expect(TaskOptions().parsedRateLimit == nil)
    }
}
