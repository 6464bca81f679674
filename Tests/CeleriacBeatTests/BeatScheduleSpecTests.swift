import CeleriacBeat
import Testing

/// The one-line schedule of the CLI, the dashboard's form and beat_edit: what each line
/// means, that `spec` reads back to the same schedule, and what a wrong line says.
@Suite struct BeatScheduleSpecTests {
    @Test(arguments: [
        ("every 30 s", "every 30 s"), ("every 30s", "every 30 s"), ("30", "every 30 s"), ("45sec", "every 45 s"),
        ("every 1.5 min", "every 90 s"), ("every 2 h", "every 2 h"), ("every 1 d relative", "every 1 d relative"),
        ("EVERY 5 Minutes", "every 5 min"), ("cron 30 7 * * mon-fri", "cron 30 7 * * mon-fri"),
        ("crontab */15 * * * *", "cron */15 * * * *"), ("solar sunset 52.5 13.4", "solar sunset 52.5 13.4"),
        ("solar dusk_civil -33.9 18.4", "solar dusk_civil -33.9 18.4"),
    ])
    func aLineMeansOneScheduleAndReadsBack(line: String, spec: String) throws {
        let schedule = try BeatSchedule(spec: line)
        #expect(schedule.spec == spec)
        #expect(try BeatSchedule(spec: schedule.spec) == schedule)
    }

    @Test func theKindsAreTheScheduleFilesKinds() throws {
        #expect(try BeatSchedule(spec: "every 10 s") == .interval(try IntervalSchedule(seconds: 10)))
        #expect(try BeatSchedule(spec: "every 1 h relative") == .interval(try IntervalSchedule(seconds: 3600, relative: true)))
        #expect(try BeatSchedule(spec: "cron 0 9 * * *") == .crontab(try Crontab(expression: "0 9 * * *")))
        #expect(try BeatSchedule(spec: "solar sunrise 0 0") == .solar(try SolarSchedule(.sunrise, latitude: 0, longitude: 0)))
    }

    @Test(arguments: [
        ("", "empty"), ("   ", "empty"), ("every", "a number and a unit"), ("every tuesday", "a number and a unit"),
        ("every 5 parsecs", "a number and a unit"), ("every 0 s", "above 0"), ("every -3 s", "above 0"),
        ("cron 61 * * * *", "61"), ("cron * * *", "cron"), ("solar sunset 52.5", "an event, a latitude and a longitude"),
        ("solar teatime 52.5 13.4", "unknown solar event"), ("solar sunset 95 13.4", "latitude 95.0 is outside"),
        ("weekly", "start with every, cron or solar"),
    ])
    func aWrongLineSaysWhatIsWrong(line: String, fragment: String) {
        #expect { try BeatSchedule(spec: line) } throws: { error in
            "\(error)".contains(fragment)
        }
    }
}
