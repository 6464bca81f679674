import Foundation

/// Celery's `solar(event, lat, lon)`: runs at a solar event at one place — sunrise, sunset,
/// civil, nautical or astronomical dawn and dusk, solar noon.
public struct SolarSchedule: Sendable, Hashable {
    public let event: SolarEvent
    public let latitude: Double
    public let longitude: Double

    public init(_ event: SolarEvent, latitude: Double, longitude: Double) throws(SolarScheduleError) {
        guard (-90...90).contains(latitude) else { throw .latitude(latitude) }
        guard (-180...180).contains(longitude) else { throw .longitude(longitude) }
        self.event = event
        self.latitude = latitude
        self.longitude = longitude
    }

    /// Celery's spelling of the event, e.g. "dusk_civil".
    public init(event: String, latitude: Double, longitude: Double) throws(SolarScheduleError) {
        guard let known = SolarEvent(rawValue: event) else { throw .event(event) }
        try self.init(known, latitude: latitude, longitude: longitude)
    }

    /// The first event strictly after `date`; nil when it does not happen within a year
    /// (near the poles some never do).
    public func nextRun(after date: Date) -> Date? {
        for offset in -1...370 {
            let day = date.addingTimeInterval(Double(offset) * 86_400)
            if let moment = SolarCalculator.event(event, onUTCDateOf: day, latitude: latitude, longitude: longitude),
               moment > date {
                return moment
            }
        }
        return nil
    }
}

public enum SolarScheduleError: Error, Sendable, Hashable, CustomStringConvertible {
    case event(String)
    case latitude(Double)
    case longitude(Double)

    public var description: String {
        switch self {
        case .event(let name):
            return "unknown solar event '\(name)'; use one of \(SolarEvent.allCases.map(\.rawValue).joined(separator: ", "))"
        case .latitude(let value): return "latitude \(value) is outside -90…90"
        case .longitude(let value): return "longitude \(value) is outside -180…180"
        }
    }
}
