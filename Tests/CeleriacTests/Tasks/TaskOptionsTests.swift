@testable import Celeriac
import Testing

@Suite struct TaskOptionsTests {
    @Test func unsetOptionsTakeTheAppsDefaults() {
        var defaults = CeleriacConfiguration.TaskDefaults()
        defaults.softTimeLimit = 50
        defaults.timeLimit = 60
        defaults.rateLimit = "10/s"
        defaults.maxRetries = 5
        defaults.retryDelay = 30
        let resolved = TaskOptions().resolved(with: defaults)
        #expect(resolved.softTimeLimit == 50)
        #expect(resolved.timeLimit == 60)
        #expect(resolved.rateLimit == "10/s")
        #expect(resolved.maxRetries == .limited(5))
        #expect(resolved.defaultRetryDelay == 30)
    }

    @Test func aTasksOwnOptionsWin() {
        var defaults = CeleriacConfiguration.TaskDefaults()
        defaults.timeLimit = 60
        defaults.maxRetries = 5
        let own = TaskOptions(rateLimit: "1/m", timeLimit: 5, maxRetries: .unlimited, defaultRetryDelay: 2)
        let resolved = own.resolved(with: defaults)
        #expect(resolved.timeLimit == 5)
        #expect(resolved.rateLimit == "1/m")
        #expect(resolved.maxRetries == .unlimited)
        #expect(resolved.defaultRetryDelay == 2)
        #expect(resolved.resolved(with: defaults) == resolved)
    }

    @Test func anAppWithoutARetryLimitMeansUnlimited() {
        var defaults = CeleriacConfiguration.TaskDefaults()
        defaults.maxRetries = nil
        #expect(TaskOptions().resolved(with: defaults).maxRetries == .unlimited)
        #expect(TaskOptions().resolved(with: CeleriacConfiguration.TaskDefaults()).maxRetries == .limited(3))
        #expect(TaskOptions().resolved(with: CeleriacConfiguration.TaskDefaults()).defaultRetryDelay == 180)
    }

    @Test func acksLateFollowsTheConfigurationUnlessSet() {
        var configuration = CeleriacConfiguration()
        configuration.acksLate = true
        #expect(TaskOptions().resolved(with: configuration).acksLate == true)
        #expect(TaskOptions(acksLate: false).resolved(with: configuration).acksLate == false)
    }

    @Test func retryLimits() {
        let three: RetryLimit = 3
        #expect(three == .limited(3))
        #expect(three.maximum == 3)
        #expect(!three.isExceeded(by: 3))
        #expect(three.isExceeded(by: 4))
        #expect(!RetryLimit.unlimited.isExceeded(by: 1_000_000))
        #expect(RetryLimit.unlimited.maximum == nil)
    }

    @Test func validationRefusesWhatAWorkerCannotHonour() {
        #expect(throws: TaskOptionsError.invalidRateLimit("abc")) { try TaskOptions(rateLimit: "abc").validate() }
        #expect(throws: TaskOptionsError.priorityOutOfRange(300)) { try TaskOptions(priority: 300).validate() }
        #expect(throws: TaskOptionsError.invalidSeconds(option: "time_limit", value: -1)) {
            try TaskOptions(timeLimit: -1).validate()
        }
        #expect(throws: TaskOptionsError.negativeMaxRetries(-2)) { try TaskOptions(maxRetries: .limited(-2)).validate() }
        #expect(throws: Never.self) {
            try TaskOptions(priority: 9, rateLimit: "100/m", softTimeLimit: 10, timeLimit: 20, retryBackoff: 1,
                            maxRetries: 3, expires: 60).validate()
        }
    }

    @Test func autoretryMatchesSwiftTypeNamesCeleryTypesAndAnything() {
        let options = TaskOptions(autoretryFor: ["Flaky", "ValueError"])
        #expect(options.autoretries(TaskFixtures.Flaky()))
        #expect(!options.autoretries(TaskFixtures.Boom()))
        #expect(options.autoretries(CeleryError(type: "ValueError", message: ["bad"])))
        #expect(TaskOptions(autoretryFor: ["*"]).autoretries(TaskFixtures.Boom()))
        #expect(!TaskOptions().autoretries(TaskFixtures.Flaky()))
    }
}
