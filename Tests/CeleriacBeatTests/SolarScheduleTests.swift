import CeleriacBeat
import Foundation
import Testing

/// Solar events from NOAA's equations against PyEphem, set up as Celery's `solar` sets it
/// up (Tests/Fixtures/solar/ephem-2026.json, written by Scripts/solar-reference.py): six
/// places from 64° N to 34° S, five dates through 2026, all nine events.
@Suite struct SolarScheduleTests {
    struct Reference: Decodable {
        var place: String
        var latitude: Double
        var longitude: Double
        var event: String
        var after: Date
        var next: Date
    }

    static func references() throws -> [Reference] {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/solar/ephem-2026.json")
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode([Reference].self, from: Data(contentsOf: file))
    }

    @Test func everyEventIsWithinAMinuteOfEphemBelowTheArcticCircle() throws {
        let references = try Self.references()
        #expect(references.count > 250)
        var worst = 0.0
        for reference in references {
            let schedule = try SolarSchedule(event: reference.event, latitude: reference.latitude, longitude: reference.longitude)
            let ours = try #require(schedule.nextRun(after: reference.after), "\(reference.place) \(reference.event)")
            let error = abs(ours.timeIntervalSince(reference.next))
            // Twilight at 64° N in summer: the sun skims the horizon, so a tiny error in its
            // altitude moves the moment by minutes.
            let allowed = abs(reference.latitude) > 60 ? 300.0 : 60.0
            #expect(error <= allowed, "\(reference.place) \(reference.event) after \(reference.after): ours \(ours), ephem \(reference.next)")
            if abs(reference.latitude) <= 60 { worst = max(worst, error) }
        }
        #expect(worst <= 60)
    }

    @Test func badEventsAndPlacesAreRefused() {
        #expect { try SolarSchedule(event: "moonrise", latitude: 0, longitude: 0) } throws: { "\($0)".contains("dusk_civil") }
        #expect(throws: SolarScheduleError.latitude(91)) { try SolarSchedule(.sunset, latitude: 91, longitude: 0) }
        #expect(throws: SolarScheduleError.longitude(-181)) { try SolarSchedule(.sunset, latitude: 0, longitude: -181) }
    }

    /// Polar night: the sun does not rise at 78° N in December; the next sunrise is in February.
    @Test func aSunriseThatDoesNotComeForWeeksIsFoundWhenItDoes() throws {
        let longyearbyen = try SolarSchedule(.sunrise, latitude: 78.22, longitude: 15.65)
        let next = try #require(longyearbyen.nextRun(after: ISO8601DateFormatter().date(from: "2026-12-01T00:00:00Z")!))
        let month = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: next).month
        #expect(month == 2)
        #expect(BeatSchedule.solar(longyearbyen).words == "sunrise at 78.2 N, 15.7 E")
    }
}
