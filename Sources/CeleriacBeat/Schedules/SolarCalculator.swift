import Foundation

/// The sun's position by NOAA's solar calculator equations (Meeus' low-precision formulae,
/// as in NOAA's spreadsheet): good to about a minute between 1900 and 2100, which is what
/// a schedule needs. Events are found for one UTC date and refined twice at their own time.
enum SolarCalculator {
    /// The moment of `event` on the UTC date of `day`, or nil when the sun never reaches
    /// that altitude that day (polar day or night).
    static func event(_ event: SolarEvent, onUTCDateOf day: Date, latitude: Double, longitude: Double) -> Date? {
        let midnight = (day.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400
        var minutes = 720.0 - 4 * longitude  // a first guess: noon
        for _ in 0..<3 {
            let sun = SunPosition(at: Date(timeIntervalSince1970: midnight + minutes * 60))
            let noon = 720 - 4 * longitude - sun.equationOfTime
            guard let zenith = event.zenith else {
                minutes = noon
                continue
            }
            let cosine = cos(radians(zenith)) / (cos(radians(latitude)) * cos(radians(sun.declination)))
                - tan(radians(latitude)) * tan(radians(sun.declination))
            guard (-1...1).contains(cosine) else { return nil }
            let hourAngle = degrees(acos(cosine))
            minutes = event.isMorning ? noon - 4 * hourAngle : noon + 4 * hourAngle
        }
        return Date(timeIntervalSince1970: midnight + minutes * 60)
    }

    /// Declination and equation of time at one moment.
    struct SunPosition {
        var declination: Double
        /// Minutes that apparent solar time runs ahead of mean solar time.
        var equationOfTime: Double

        init(at date: Date) {
            let julianDay = date.timeIntervalSince1970 / 86_400 + 2_440_587.5
            let t = (julianDay - 2_451_545) / 36_525
            let meanLongitude = (280.46646 + t * (36_000.76983 + t * 0.0003032)).truncatingRemainder(dividingBy: 360)
            let meanAnomaly = 357.52911 + t * (35_999.05029 - 0.0001537 * t)
            let eccentricity = 0.016708634 - t * (0.000042037 + 0.0000001267 * t)
            let center = sin(radians(meanAnomaly)) * (1.914602 - t * (0.004817 + 0.000014 * t))
                + sin(radians(2 * meanAnomaly)) * (0.019993 - 0.000101 * t) + sin(radians(3 * meanAnomaly)) * 0.000289
            let omega = 125.04 - 1934.136 * t
            let apparentLongitude = meanLongitude + center - 0.00569 - 0.00478 * sin(radians(omega))
            let meanObliquity = 23 + (26 + (21.448 - t * (46.815 + t * (0.00059 - t * 0.001813))) / 60) / 60
            let obliquity = meanObliquity + 0.00256 * cos(radians(omega))
            declination = degrees(asin(sin(radians(obliquity)) * sin(radians(apparentLongitude))))
            let y = pow(tan(radians(obliquity / 2)), 2)
            let l0 = radians(meanLongitude)
            let m = radians(meanAnomaly)
            equationOfTime = 4 * degrees(y * sin(2 * l0) - 2 * eccentricity * sin(m) + 4 * eccentricity * y * sin(m) * cos(2 * l0)
                - 0.5 * y * y * sin(4 * l0) - 1.25 * eccentricity * eccentricity * sin(2 * m))
        }
    }

    static func radians(_ degrees: Double) -> Double { degrees * .pi / 180 }
    static func degrees(_ radians: Double) -> Double { radians * 180 / .pi }
}

/// Celery's solar events, with the sun's centre's zenith angle at each (sunrise and sunset
/// are the upper limb at 34' of refraction: 90.833°).
public enum SolarEvent: String, Sendable, Hashable, CaseIterable {
    case dawnAstronomical = "dawn_astronomical", dawnNautical = "dawn_nautical", dawnCivil = "dawn_civil"
    case sunrise, solarNoon = "solar_noon", sunset
    case duskCivil = "dusk_civil", duskNautical = "dusk_nautical", duskAstronomical = "dusk_astronomical"

    /// nil for solar noon, which is a transit, not an altitude.
    var zenith: Double? {
        switch self {
        case .dawnAstronomical, .duskAstronomical: return 108
        case .dawnNautical, .duskNautical: return 102
        case .dawnCivil, .duskCivil: return 96
        case .sunrise, .sunset: return 90.833
        case .solarNoon: return nil
        }
    }

    var isMorning: Bool {
        [.dawnAstronomical, .dawnNautical, .dawnCivil, .sunrise].contains(self)
    }

    /// "civil dusk", "sunrise", …
    public var words: String {
        switch self {
        case .dawnAstronomical: return "astronomical dawn"
        case .dawnNautical: return "nautical dawn"
        case .dawnCivil: return "civil dawn"
        case .sunrise: return "sunrise"
        case .solarNoon: return "solar noon"
        case .sunset: return "sunset"
        case .duskCivil: return "civil dusk"
        case .duskNautical: return "nautical dusk"
        case .duskAstronomical: return "astronomical dusk"
        }
    }
}
