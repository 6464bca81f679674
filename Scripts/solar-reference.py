"""Writes Tests/Fixtures/solar/ephem-2026.json: solar event times from PyEphem, set up
exactly as Celery's `solar` schedule sets it up (pressure 0, Celery's horizons, the sun's
centre for twilights and its upper limb for sunrise and sunset), for CeleriacBeat's tests
to check its NOAA-based times against.

    python3 -m pip install ephem==4.1.6 && python3 Scripts/solar-reference.py
"""
import datetime
import json
import pathlib

import ephem

HORIZONS = {"dawn_astronomical": "-18", "dawn_nautical": "-12", "dawn_civil": "-6", "sunrise": "-0:34",
            "solar_noon": "0", "sunset": "-0:34", "dusk_civil": "-6", "dusk_nautical": "-12", "dusk_astronomical": "-18"}
METHODS = {"dawn_astronomical": "next_rising", "dawn_nautical": "next_rising", "dawn_civil": "next_rising",
           "sunrise": "next_rising", "solar_noon": "next_transit", "sunset": "next_setting",
           "dusk_civil": "next_setting", "dusk_nautical": "next_setting", "dusk_astronomical": "next_setting"}
USE_CENTER = {"dawn_astronomical": True, "dawn_nautical": True, "dawn_civil": True, "sunrise": False,
              "solar_noon": False, "sunset": False, "dusk_civil": True, "dusk_nautical": True, "dusk_astronomical": True}
PLACES = {"Berlin": (52.52, 13.405), "New York": (40.7128, -74.006), "Sydney": (-33.8688, 151.2093),
          "Quito": (-0.1807, -78.4678), "Reykjavik": (64.1466, -21.9426), "Tokyo": (35.6762, 139.6503)}
STARTS = ["2026-01-15T00:00:00", "2026-03-20T12:00:00", "2026-06-21T00:00:00", "2026-09-23T06:00:00",
          "2026-12-21T18:00:00"]


def main():
    rows = []
    for place, (lat, lon) in PLACES.items():
        for start in STARTS:
            after = datetime.datetime.fromisoformat(start)
            for event in HORIZONS:
                observer = ephem.Observer()
                observer.lat, observer.lon, observer.elev = str(lat), str(lon), 0
                observer.horizon = HORIZONS[event]
                observer.pressure = 0
                observer.date = after
                method = getattr(observer, METHODS[event])
                try:
                    if USE_CENTER[event]:
                        moment = method(ephem.Sun(), start=after, use_center=True)
                    else:
                        moment = method(ephem.Sun(), start=after)
                except ephem.CircumpolarError:
                    continue
                rows.append({"place": place, "latitude": lat, "longitude": lon, "event": event,
                             "after": after.isoformat() + "Z",
                             "next": moment.datetime().replace(microsecond=0).isoformat() + "Z"})
    out = pathlib.Path(__file__).resolve().parent.parent / "Tests/Fixtures/solar/ephem-2026.json"
    out.write_text(json.dumps(rows, indent=1) + "\n")
    print(f"wrote {len(rows)} events to {out}")


if __name__ == "__main__":
    main()
