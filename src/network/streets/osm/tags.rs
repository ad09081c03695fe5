//! Which modes may use an OSM way, in which directions, and how fast a car goes on it.
//!
//! The rules follow common router practice (OSRM's and GraphHopper's default profiles, the OSM
//! wiki's access and oneway pages), kept deliberately small:
//!
//! * Class defaults: motorways are drive-only; footway / pedestrian / steps / bridleway / corridor
//!   are walk-only unless `bicycle=yes|designated|permissive`; `path` is walk and bike; `cycleway`
//!   is bike and walk; `track` is walk and bike (cars only with an explicit access tag).
//! * Access tags, most specific wins: `access` → `vehicle` → `motor_vehicle` → `motorcar` for
//!   drive, `access` → `vehicle` → `bicycle` for bike, `access` → `foot` for walk. `no`,
//!   `private`, `agricultural`, `forestry`, `use_sidepath` deny; `destination`, `delivery`,
//!   `customers`, `permissive`, `designated`, `yes` allow (a destination street is reachable).
//! * `area=yes` ways (squares drawn as polygons) and construction / proposed / disused ways are
//!   not streets. `motorroad=yes` closes a road to walk and bike.
//! * Oneway: `oneway=yes|true|1` forward, `oneway=-1|reverse` backward, `junction=roundabout|
//!   circular` and `highway=motorway` imply forward; `oneway=reversible|alternating` closes the
//!   way to cars. Bikes follow the oneway unless `oneway:bicycle=no` or a contraflow `cycleway=
//!   opposite*`; walkers ignore it.
//! * Drive speed: `maxspeed` when it parses (numbers in km/h, `N mph`, `CC:urban` 50,
//!   `CC:rural` 90, `CC:motorway` 120, `CC:trunk` 100, `CC:living_street` 20, `walk` 6), else the
//!   class default of [`default_drive_kmh`].

/// Travel directions allowed along a way's node order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Dirs {
    pub forward: bool,
    pub backward: bool,
}

impl Dirs {
    pub const NONE: Dirs = Dirs {
        forward: false,
        backward: false,
    };
    pub const BOTH: Dirs = Dirs {
        forward: true,
        backward: true,
    };
    pub const FORWARD: Dirs = Dirs {
        forward: true,
        backward: false,
    };
    pub const BACKWARD: Dirs = Dirs {
        forward: false,
        backward: true,
    };

    pub fn any(self) -> bool {
        self.forward || self.backward
    }

    /// Bit 0 forward, bit 1 backward.
    pub fn bits(self) -> u8 {
        u8::from(self.forward) | (u8::from(self.backward) << 1)
    }
}

/// What a highway way offers each mode.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct WayAccess {
    pub walk: Dirs,
    pub bike: Dirs,
    pub drive: Dirs,
    /// Car speed (km/h); meaningful only when `drive.any()`.
    pub drive_kmh: f32,
}

impl WayAccess {
    pub fn any(&self) -> bool {
        self.walk.any() || self.bike.any() || self.drive.any()
    }
}

/// Default car speeds (km/h) per `highway` class when `maxspeed` is absent or unparsable.
pub fn default_drive_kmh(highway: &str) -> f32 {
    match highway {
        "motorway" => 110.0,
        "motorway_link" => 60.0,
        "trunk" => 90.0,
        "trunk_link" => 50.0,
        "primary" => 65.0,
        "primary_link" => 40.0,
        "secondary" => 55.0,
        "secondary_link" => 40.0,
        "tertiary" => 45.0,
        "tertiary_link" => 35.0,
        "unclassified" => 35.0,
        "residential" => 30.0,
        "road" => 30.0,
        "service" => 20.0,
        "track" => 15.0,
        "living_street" => 10.0,
        _ => 25.0,
    }
}

/// Class defaults (walk, bike, drive) before access tags; `None` for a non-street.
fn class_defaults(highway: &str) -> Option<(bool, bool, bool)> {
    Some(match highway {
        "motorway" | "motorway_link" => (false, false, true),
        "trunk" | "trunk_link" | "primary" | "primary_link" | "secondary" | "secondary_link"
        | "tertiary" | "tertiary_link" | "unclassified" | "residential" | "living_street"
        | "service" | "road" => (true, true, true),
        "track" | "path" | "cycleway" => (true, true, false),
        "footway" | "pedestrian" | "steps" | "bridleway" | "corridor" => (true, false, false),
        _ => return None,
    })
}

/// Whether an explicit access tag may open a class to cars (not footways or steps).
fn drivable_class(highway: &str) -> bool {
    matches!(highway, "track") || class_defaults(highway).is_some_and(|(_, _, d)| d)
}

/// An access value: `Some(true)` allow, `Some(false)` deny, `None` no opinion.
fn access_value(v: &str) -> Option<bool> {
    match v {
        "no" | "private" | "agricultural" | "forestry" | "use_sidepath" | "military" => Some(false),
        "yes" | "designated" | "permissive" | "destination" | "delivery" | "customers"
        | "official" | "discouraged" | "dismount" => Some(true),
        _ => None,
    }
}

/// The most specific access answer among `keys` (ordered general → specific).
fn resolve(get: &Tags<'_>, keys: &[&str]) -> Option<bool> {
    keys.iter()
        .rev()
        .find_map(|k| get.get(k).and_then(access_value))
}

/// Parses `maxspeed` into km/h; `None` when it names no usable speed.
pub fn parse_maxspeed(v: &str) -> Option<f32> {
    // "50;30" lists several signed speeds: take the first.
    let v = v.split(';').next()?.trim();
    if v.is_empty() {
        return None;
    }
    if v == "walk" {
        return Some(6.0);
    }
    if let Some((_, zone)) = v.split_once(':') {
        return match zone.trim() {
            "urban" => Some(50.0),
            "rural" => Some(90.0),
            "motorway" => Some(120.0),
            "trunk" => Some(100.0),
            "living_street" => Some(20.0),
            "zone30" | "zone:30" => Some(30.0),
            "zone20" => Some(20.0),
            _ => None,
        };
    }
    let (num, factor) = if let Some(n) = v.strip_suffix("mph") {
        (n.trim(), 1.609_344)
    } else if let Some(n) = v.strip_suffix("km/h").or_else(|| v.strip_suffix("kmh")) {
        (n.trim(), 1.0)
    } else if v.ends_with("knots") {
        return None;
    } else {
        (v, 1.0)
    };
    let n: f32 = num.parse().ok()?;
    (n.is_finite() && n > 0.0).then(|| (n * factor as f32).clamp(5.0, 140.0))
}

/// Oneway answer of a value: forward, backward, both, or closed (reversible).
fn oneway_value(v: &str) -> Option<Dirs> {
    match v {
        "yes" | "true" | "1" => Some(Dirs::FORWARD),
        "-1" | "reverse" => Some(Dirs::BACKWARD),
        "no" | "false" | "0" => Some(Dirs::BOTH),
        "reversible" | "alternating" => Some(Dirs::NONE),
        _ => None,
    }
}

/// A way's tags, looked up by key.
struct Tags<'a>(&'a [(&'a str, &'a str)]);

impl<'a> Tags<'a> {
    fn get(&self, key: &str) -> Option<&'a str> {
        self.0.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }
}

/// Access of one highway way from its tags.
pub fn way_access<'a>(tags: &'a [(&'a str, &'a str)]) -> WayAccess {
    let get = &Tags(tags);
    let Some(highway) = get.get("highway") else {
        return WayAccess::default();
    };
    let Some((walk0, bike0, drive0)) = class_defaults(highway) else {
        return WayAccess::default();
    };
    if get.get("area") == Some("yes") {
        return WayAccess::default();
    }
    let motorroad = get.get("motorroad") == Some("yes");

    let explicit_yes = |k: &str| get.get(k).and_then(access_value) == Some(true);
    let walk = match resolve(get, &["access", "foot"]) {
        Some(a) => a && (walk0 || explicit_yes("foot")),
        None => walk0 && !motorroad,
    };
    let bike = highway != "steps"
        && match resolve(get, &["access", "vehicle", "bicycle"]) {
            Some(a) => a && (bike0 || explicit_yes("bicycle")),
            None => bike0 && !motorroad,
        };
    let drive = match resolve(get, &["access", "vehicle", "motor_vehicle", "motorcar"]) {
        Some(a) => a && (drive0 || drivable_class(highway) && explicit_car_yes(get)),
        None => drive0,
    };

    // Oneway for vehicles.
    let implied =
        matches!(get.get("junction"), Some("roundabout" | "circular")) || highway == "motorway";
    let oneway = get
        .get("oneway")
        .and_then(oneway_value)
        .unwrap_or(if implied { Dirs::FORWARD } else { Dirs::BOTH });
    let drive_dirs = if drive { oneway } else { Dirs::NONE };
    let contraflow = [
        "cycleway",
        "cycleway:left",
        "cycleway:right",
        "cycleway:both",
    ]
    .iter()
    .any(|k| get.get(k).is_some_and(|v| v.starts_with("opposite")));
    let bike_dirs = if !bike {
        Dirs::NONE
    } else if let Some(d) = get.get("oneway:bicycle").and_then(oneway_value) {
        d
    } else if contraflow || oneway == Dirs::NONE {
        Dirs::BOTH
    } else {
        oneway
    };
    let walk_dirs = if walk { Dirs::BOTH } else { Dirs::NONE };

    let drive_kmh = get
        .get("maxspeed")
        .and_then(parse_maxspeed)
        .unwrap_or_else(|| default_drive_kmh(highway));
    WayAccess {
        walk: walk_dirs,
        bike: bike_dirs,
        drive: drive_dirs,
        drive_kmh,
    }
}

fn explicit_car_yes(get: &Tags<'_>) -> bool {
    ["motor_vehicle", "motorcar"]
        .iter()
        .any(|k| get.get(k).and_then(access_value) == Some(true))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access(tags: &[(&str, &str)]) -> WayAccess {
        way_access(tags)
    }

    #[test]
    fn maxspeed_forms() {
        assert_eq!(parse_maxspeed("50"), Some(50.0));
        assert!((parse_maxspeed("30 mph").unwrap() - 48.28).abs() < 0.01);
        assert_eq!(parse_maxspeed("RU:urban"), Some(50.0));
        assert_eq!(parse_maxspeed("FR:rural"), Some(90.0));
        assert_eq!(parse_maxspeed("50;30"), Some(50.0));
        assert_eq!(parse_maxspeed("none"), None);
        assert_eq!(parse_maxspeed("signals"), None);
        assert_eq!(parse_maxspeed("walk"), Some(6.0));
    }

    #[test]
    fn classes_and_access() {
        let m = access(&[("highway", "motorway")]);
        assert_eq!(
            (m.walk, m.bike, m.drive),
            (Dirs::NONE, Dirs::NONE, Dirs::FORWARD)
        );
        let f = access(&[("highway", "footway")]);
        assert_eq!(
            (f.walk, f.bike, f.drive),
            (Dirs::BOTH, Dirs::NONE, Dirs::NONE)
        );
        let fb = access(&[("highway", "footway"), ("bicycle", "yes")]);
        assert_eq!(fb.bike, Dirs::BOTH);
        let p = access(&[("highway", "residential"), ("access", "private")]);
        assert!(!p.any());
        let d = access(&[("highway", "residential"), ("access", "destination")]);
        assert_eq!(d.drive, Dirs::BOTH);
        let nocar = access(&[("highway", "residential"), ("motor_vehicle", "no")]);
        assert_eq!((nocar.walk, nocar.drive), (Dirs::BOTH, Dirs::NONE));
        let area = access(&[("highway", "pedestrian"), ("area", "yes")]);
        assert!(!area.any());
        let steps = access(&[("highway", "steps"), ("bicycle", "yes")]);
        assert_eq!(steps.bike, Dirs::NONE);
        let foot_only = access(&[
            ("highway", "residential"),
            ("access", "no"),
            ("foot", "yes"),
        ]);
        assert_eq!(
            (foot_only.walk, foot_only.bike, foot_only.drive),
            (Dirs::BOTH, Dirs::NONE, Dirs::NONE)
        );
    }

    #[test]
    fn oneways() {
        let r = access(&[("highway", "primary"), ("oneway", "-1")]);
        assert_eq!(
            (r.walk, r.bike, r.drive),
            (Dirs::BOTH, Dirs::BACKWARD, Dirs::BACKWARD)
        );
        let ra = access(&[("highway", "primary"), ("junction", "roundabout")]);
        assert_eq!(ra.drive, Dirs::FORWARD);
        let c = access(&[
            ("highway", "residential"),
            ("oneway", "yes"),
            ("oneway:bicycle", "no"),
        ]);
        assert_eq!((c.bike, c.drive), (Dirs::BOTH, Dirs::FORWARD));
        let rev = access(&[("highway", "residential"), ("oneway", "reversible")]);
        assert_eq!(rev.drive, Dirs::NONE);
    }
}
