//! GTFS feeds read the way R5 and OpenTripPlanner read real ones: a byte-order mark, CRLF line
//! ends, spaces around header names, a missing final newline, unknown columns and files, short
//! rows and invalid colours are tolerated; blank intermediate stop times are interpolated.
//! What cannot be used is refused with an error naming the feed, file, line and field.
//!
//! A feed keeps its trips (stop sequence with arrival and departure seconds), calendars,
//! frequencies and transfers, so a timetable search can run on them; `transit.rs` derives the
//! frequency-based patterns from the same trips.

use crate::geodesy::haversine_m;
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Latest time accepted in a feed (one week past midnight): later ones are refused, not
/// overflowed. Times past 24:00:00 are ordinary (trips after midnight of the service day).
pub const MAX_TIME_S: u32 = 7 * 24 * 3600;

/// The files a feed must have; everything else is optional.
pub const REQUIRED_FILES: [&str; 4] = ["stops.txt", "routes.txt", "trips.txt", "stop_times.txt"];

#[derive(Debug, thiserror::Error)]
pub enum GtfsError {
    #[error("GTFS feed {feed}: {file} line {line}, field {field}: {message}")]
    Field {
        feed: String,
        file: String,
        line: u64,
        field: String,
        message: String,
    },
    #[error("GTFS feed {feed}: {file}: {message}")]
    File {
        feed: String,
        file: String,
        message: String,
    },
    #[error("GTFS feed {feed}: {message}")]
    Feed { feed: String, message: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Stop {
    pub id: String,
    /// The stop's name, or its id when the feed gives none.
    pub name: String,
    /// `tts_stop_name`, where the feed has one.
    pub tts_name: Option<String>,
    /// `None` for generic nodes and boarding areas without coordinates.
    pub lonlat: Option<[f64; 2]>,
    pub location_type: u8,
    pub parent_station: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    pub id: String,
    pub agency_id: Option<String>,
    pub short_name: String,
    pub long_name: String,
    pub route_type: i32,
    /// `#RRGGBB`; an invalid or short colour in the feed is ignored.
    pub color: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StopTime {
    /// Index into the feed's `stops`.
    pub stop: u32,
    /// Seconds after midnight of the service day (may pass 24:00:00).
    pub arrival_s: u32,
    pub departure_s: u32,
    /// Whether the feed left this time blank and it was interpolated.
    pub interpolated: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Trip {
    pub id: String,
    /// Index into the feed's `routes`.
    pub route: u32,
    pub service_id: String,
    pub direction_id: Option<u8>,
    /// In `stop_sequence` order.
    pub stop_times: Vec<StopTime>,
}

/// A `YYYYMMDD` date as the number 20190513.
pub type GtfsDate = u32;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    pub service_id: String,
    /// Monday first.
    pub days: [bool; 7],
    pub start_date: GtfsDate,
    pub end_date: GtfsDate,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarDate {
    pub service_id: String,
    pub date: GtfsDate,
    /// `exception_type` 1 (service added) rather than 2 (removed).
    pub added: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frequency {
    /// Index into the feed's `trips`.
    pub trip: u32,
    pub start_s: u32,
    pub end_s: u32,
    pub headway_s: u32,
    pub exact_times: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransferRule {
    /// Indices into the feed's `stops`.
    pub from: u32,
    pub to: u32,
    pub transfer_type: u8,
    pub min_transfer_s: Option<u32>,
}

/// One feed, with every id already prefixed by the feed name when several feeds are loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct Feed {
    /// Short name: the zip file's stem or the sub-folder's name (`gtfs` for a single folder).
    pub name: String,
    /// Where it was read from, for messages.
    pub label: String,
    pub stops: Vec<Stop>,
    pub routes: Vec<Route>,
    pub trips: Vec<Trip>,
    pub calendar: Vec<Calendar>,
    pub calendar_dates: Vec<CalendarDate>,
    pub frequencies: Vec<Frequency>,
    pub transfers: Vec<TransferRule>,
}

/// Where a feed's files are read from.
enum Files {
    Dir(PathBuf),
    Zip {
        archive: zip::ZipArchive<std::fs::File>,
        /// Base name → entry name (feeds are often zipped with a folder inside).
        entries: HashMap<String, String>,
    },
    Memory(HashMap<String, Vec<u8>>),
}

impl Files {
    fn read(&mut self, feed: &str, name: &str) -> Result<Option<Vec<u8>>, GtfsError> {
        let file_err = |message: String| GtfsError::File {
            feed: feed.to_string(),
            file: name.to_string(),
            message,
        };
        match self {
            Files::Dir(dir) => match std::fs::read(dir.join(name)) {
                Ok(b) => Ok(Some(b)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(file_err(e.to_string())),
            },
            Files::Zip { archive, entries } => {
                let Some(entry) = entries.get(name) else {
                    return Ok(None);
                };
                let mut f = archive
                    .by_name(entry)
                    .map_err(|e| file_err(e.to_string()))?;
                let mut bytes = Vec::new();
                f.read_to_end(&mut bytes)
                    .map_err(|e| file_err(e.to_string()))?;
                Ok(Some(bytes))
            }
            Files::Memory(files) => Ok(files.get(name).cloned()),
        }
    }
}

/// Loads every feed in a `gtfs/` folder: the folder itself when it holds `stops.txt`, else each
/// `*.zip` file and sub-folder in it. With several feeds, ids are prefixed `name:`.
pub fn load_folder(dir: &Path) -> Result<Vec<Feed>, GtfsError> {
    let label = dir.display().to_string();
    let feed_err = |message: String| GtfsError::Feed {
        feed: label.clone(),
        message,
    };
    if dir.join("stops.txt").is_file() {
        let mut files = Files::Dir(dir.to_path_buf());
        return Ok(vec![read_feed(&mut files, "gtfs", &label, None)?]);
    }
    let mut found: Vec<(String, PathBuf)> = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|e| feed_err(e.to_string()))?;
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let is_zip = path.is_file() && file_name.to_ascii_lowercase().ends_with(".zip");
        if is_zip {
            let stem = file_name[..file_name.len() - 4].to_string();
            found.push((stem, path));
        } else if path.is_dir() && !file_name.starts_with('.') && file_name != "__MACOSX" {
            found.push((file_name, path));
        }
    }
    found.sort();
    if found.is_empty() {
        return Err(feed_err(
            "no feed: expected stops.txt and the other files here, or *.zip files or sub-folders \
             each holding one feed"
                .into(),
        ));
    }
    for pair in found.windows(2) {
        if pair[0].0 == pair[1].0 {
            return Err(feed_err(format!(
                "two feeds are named '{}' ({} and {})",
                pair[0].0,
                pair[0].1.display(),
                pair[1].1.display()
            )));
        }
    }
    let several = found.len() > 1;
    let mut feeds = Vec::with_capacity(found.len());
    for (name, path) in &found {
        let label = path.display().to_string();
        let mut files = if path.is_dir() {
            Files::Dir(path.clone())
        } else {
            open_zip(path, &label)?
        };
        let prefix = several.then_some(name.as_str());
        feeds.push(read_feed(&mut files, name, &label, prefix)?);
    }
    Ok(feeds)
}

/// Reads one feed from files in memory (name → content), e.g. the embedded city's.
pub fn load_memory(
    name: &str,
    label: &str,
    files: HashMap<String, Vec<u8>>,
    prefix: Option<&str>,
) -> Result<Feed, GtfsError> {
    read_feed(&mut Files::Memory(files), name, label, prefix)
}

fn open_zip(path: &Path, label: &str) -> Result<Files, GtfsError> {
    let zip_err = |message: String| GtfsError::Feed {
        feed: label.to_string(),
        message: format!("not a readable zip file: {message}"),
    };
    let file = std::fs::File::open(path).map_err(|e| zip_err(e.to_string()))?;
    let archive = zip::ZipArchive::new(file).map_err(|e| zip_err(e.to_string()))?;
    // The shallowest entry of each base name wins (a feed zipped with its folder inside).
    let mut entries: HashMap<String, String> = HashMap::new();
    for full in archive.file_names() {
        if full.ends_with('/') || full.starts_with("__MACOSX") {
            continue;
        }
        let base = full.rsplit('/').next().unwrap_or(full).to_string();
        let depth = full.matches('/').count();
        match entries.get(&base) {
            Some(old) if old.matches('/').count() <= depth => {}
            _ => {
                entries.insert(base, full.to_string());
            }
        }
    }
    Ok(Files::Zip { archive, entries })
}

/// One CSV file of a feed, with columns looked up by (trimmed) header name.
struct Table<'a> {
    feed: &'a str,
    file: &'static str,
    columns: HashMap<String, usize>,
}

/// One row: its line in the file and its fields.
struct Row<'a> {
    table: &'a Table<'a>,
    line: u64,
    record: &'a csv::ByteRecord,
}

impl Row<'_> {
    fn err(&self, field: &str, message: impl Into<String>) -> GtfsError {
        GtfsError::Field {
            feed: self.table.feed.to_string(),
            file: self.table.file.to_string(),
            line: self.line,
            field: field.to_string(),
            message: message.into(),
        }
    }

    /// The field's value; `None` when the column is absent, the row short or the value blank.
    fn get(&self, field: &str) -> Option<String> {
        let i = *self.table.columns.get(field)?;
        let bytes = self.record.get(i)?;
        let text = String::from_utf8_lossy(bytes);
        let text = text.trim();
        (!text.is_empty()).then(|| text.to_string())
    }

    fn required(&self, field: &str) -> Result<String, GtfsError> {
        self.get(field).ok_or_else(|| self.err(field, "is blank"))
    }

    fn parse<T: std::str::FromStr>(&self, field: &str, what: &str) -> Result<Option<T>, GtfsError> {
        match self.get(field) {
            None => Ok(None),
            Some(v) => v
                .parse()
                .map(Some)
                .map_err(|_| self.err(field, format!("'{v}' is not {what}"))),
        }
    }

    fn time(&self, field: &str) -> Result<Option<u32>, GtfsError> {
        match self.get(field) {
            None => Ok(None),
            Some(v) => parse_time(&v).map(Some).map_err(|m| self.err(field, m)),
        }
    }

    fn date(&self, field: &str) -> Result<GtfsDate, GtfsError> {
        let v = self.required(field)?;
        parse_date(&v).ok_or_else(|| self.err(field, format!("'{v}' is not a YYYYMMDD date")))
    }
}

/// Reads `file` of a feed row by row; `None` when the file is absent. The required columns
/// must be in the header.
fn read_table(
    files: &mut Files,
    feed: &str,
    file: &'static str,
    required: &[&str],
    mut each: impl FnMut(&Row) -> Result<(), GtfsError>,
) -> Result<Option<usize>, GtfsError> {
    let Some(bytes) = files.read(feed, file)? else {
        return Ok(None);
    };
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(body);
    let file_err = |message: String| GtfsError::File {
        feed: feed.to_string(),
        file: file.to_string(),
        message,
    };
    let headers = reader
        .byte_headers()
        .map_err(|e| file_err(format!("cannot read the header: {e}")))?;
    let mut columns = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        let name = String::from_utf8_lossy(h).trim().to_string();
        columns.entry(name).or_insert(i);
    }
    let table = Table {
        feed,
        file,
        columns,
    };
    for field in required {
        if !table.columns.contains_key(*field) {
            return Err(GtfsError::Field {
                feed: feed.to_string(),
                file: file.to_string(),
                line: 1,
                field: field.to_string(),
                message: "required column is missing from the header".into(),
            });
        }
    }
    let mut record = csv::ByteRecord::new();
    let mut rows = 0;
    // (byte offset, 1-based line number) of the last row read.
    let mut seen = (0usize, 1u64);
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                return Err(file_err(format!("unreadable CSV: {e}")));
            }
        }
        // A blank line (or one of only commas) is not a row.
        if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        // Lines as an editor counts them (the csv crate's count drifts on CRLF files).
        let mut byte = record.position().map_or(seen.0, |p| p.byte() as usize);
        // On CRLF files the record may appear to start at the line end before it.
        while matches!(body.get(byte), Some(b'\r' | b'\n')) {
            byte += 1;
        }
        seen.1 += body
            .get(seen.0..byte)
            .map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count() as u64);
        seen.0 = byte;
        let line = seen.1;
        each(&Row {
            table: &table,
            line,
            record: &record,
        })?;
        rows += 1;
    }
    Ok(Some(rows))
}

fn with_prefix(prefix: Option<&str>, id: String) -> String {
    match prefix {
        Some(p) => format!("{p}:{id}"),
        None => id,
    }
}

/// A stop time as read, before sorting and interpolation.
struct RawStopTime {
    sequence: u32,
    stop: u32,
    arrival: Option<u32>,
    departure: Option<u32>,
    line: u64,
}

fn read_feed(
    files: &mut Files,
    name: &str,
    label: &str,
    prefix: Option<&str>,
) -> Result<Feed, GtfsError> {
    let id = |v: String| with_prefix(prefix, v);
    let missing = |file: &str| GtfsError::File {
        feed: label.to_string(),
        file: file.to_string(),
        message: "required file is missing".into(),
    };

    let mut stops = Vec::new();
    let mut stop_index: HashMap<String, (u32, u64)> = HashMap::new();
    read_table(files, label, "stops.txt", &["stop_id"], |row| {
        let stop_id = id(row.required("stop_id")?);
        if let Some((_, first)) = stop_index.get(&stop_id) {
            return Err(row.err("stop_id", format!("'{stop_id}' repeats line {first}")));
        }
        let lat: Option<f64> = row.parse("stop_lat", "a number")?;
        let lon: Option<f64> = row.parse("stop_lon", "a number")?;
        let lonlat = match (lon, lat) {
            (Some(lon), Some(lat)) => {
                if !lon.is_finite() || !lat.is_finite() || lon.abs() > 180.0 || lat.abs() > 90.0 {
                    return Err(row.err(
                        "stop_lat",
                        format!("coordinates ({lon}, {lat}) are not a valid lon/lat"),
                    ));
                }
                Some([lon, lat])
            }
            (None, None) => None,
            (None, Some(_)) => return Err(row.err("stop_lon", "is blank but stop_lat is not")),
            (Some(_), None) => return Err(row.err("stop_lat", "is blank but stop_lon is not")),
        };
        stop_index.insert(stop_id.clone(), (stops.len() as u32, row.line));
        stops.push(Stop {
            name: row.get("stop_name").unwrap_or_else(|| stop_id.clone()),
            id: stop_id,
            tts_name: row.get("tts_stop_name"),
            lonlat,
            location_type: row
                .parse("location_type", "a location type (0–4)")?
                .unwrap_or(0),
            parent_station: row.get("parent_station").map(&id),
        });
        Ok(())
    })?
    .ok_or_else(|| missing("stops.txt"))?;

    let mut routes = Vec::new();
    let mut route_index: HashMap<String, (u32, u64)> = HashMap::new();
    read_table(
        files,
        label,
        "routes.txt",
        &["route_id", "route_type"],
        |row| {
            let route_id = id(row.required("route_id")?);
            if let Some((_, first)) = route_index.get(&route_id) {
                return Err(row.err("route_id", format!("'{route_id}' repeats line {first}")));
            }
            let route_type = row
                .parse("route_type", "a route type (an integer)")?
                .ok_or_else(|| row.err("route_type", "is blank"))?;
            route_index.insert(route_id.clone(), (routes.len() as u32, row.line));
            routes.push(Route {
                id: route_id,
                agency_id: row.get("agency_id"),
                short_name: row.get("route_short_name").unwrap_or_default(),
                long_name: row.get("route_long_name").unwrap_or_default(),
                route_type,
                color: row.get("route_color").and_then(|c| parse_color(&c)),
            });
            Ok(())
        },
    )?
    .ok_or_else(|| missing("routes.txt"))?;

    let mut trips = Vec::new();
    let mut trip_index: HashMap<String, (u32, u64)> = HashMap::new();
    read_table(
        files,
        label,
        "trips.txt",
        &["route_id", "service_id", "trip_id"],
        |row| {
            let trip_id = id(row.required("trip_id")?);
            if let Some((_, first)) = trip_index.get(&trip_id) {
                return Err(row.err("trip_id", format!("'{trip_id}' repeats line {first}")));
            }
            let route_id = id(row.required("route_id")?);
            let Some(&(route, _)) = route_index.get(&route_id) else {
                return Err(row.err("route_id", format!("'{route_id}' is not in routes.txt")));
            };
            trip_index.insert(trip_id.clone(), (trips.len() as u32, row.line));
            trips.push(Trip {
                id: trip_id,
                route,
                service_id: id(row.required("service_id")?),
                direction_id: row.parse("direction_id", "0 or 1")?,
                stop_times: Vec::new(),
            });
            Ok(())
        },
    )?
    .ok_or_else(|| missing("trips.txt"))?;

    let mut raw: Vec<Vec<RawStopTime>> = (0..trips.len()).map(|_| Vec::new()).collect();
    read_table(
        files,
        label,
        "stop_times.txt",
        &[
            "trip_id",
            "arrival_time",
            "departure_time",
            "stop_id",
            "stop_sequence",
        ],
        |row| {
            let trip_id = id(row.required("trip_id")?);
            let Some(&(trip, _)) = trip_index.get(&trip_id) else {
                return Err(row.err("trip_id", format!("'{trip_id}' is not in trips.txt")));
            };
            let stop_id = id(row.required("stop_id")?);
            let Some(&(stop, _)) = stop_index.get(&stop_id) else {
                return Err(row.err("stop_id", format!("'{stop_id}' is not in stops.txt")));
            };
            if stops[stop as usize].lonlat.is_none() {
                return Err(row.err(
                    "stop_id",
                    format!("stop '{stop_id}' has no coordinates in stops.txt"),
                ));
            }
            let sequence = row
                .parse("stop_sequence", "a non-negative integer")?
                .ok_or_else(|| row.err("stop_sequence", "is blank"))?;
            raw[trip as usize].push(RawStopTime {
                sequence,
                stop,
                arrival: row.time("arrival_time")?,
                departure: row.time("departure_time")?,
                line: row.line,
            });
            Ok(())
        },
    )?
    .ok_or_else(|| missing("stop_times.txt"))?;

    for (trip, mut list) in trips.iter_mut().zip(raw) {
        list.sort_by_key(|r| r.sequence);
        trip.stop_times = timed_stop_times(&list, &stops, &trip.id, label)?;
    }

    let mut calendar = Vec::new();
    read_table(files, label, "calendar.txt", &["service_id"], |row| {
        let mut days = [false; 7];
        let names = [
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
        ];
        for (d, day) in days.iter_mut().zip(names) {
            *d = match row.get(day).as_deref() {
                Some("1") => true,
                Some("0") | None => false,
                Some(v) => return Err(row.err(day, format!("'{v}' is not 0 or 1"))),
            };
        }
        calendar.push(Calendar {
            service_id: id(row.required("service_id")?),
            days,
            start_date: row.date("start_date")?,
            end_date: row.date("end_date")?,
        });
        Ok(())
    })?;

    let mut calendar_dates = Vec::new();
    read_table(
        files,
        label,
        "calendar_dates.txt",
        &["service_id", "date", "exception_type"],
        |row| {
            let added = match row.required("exception_type")?.as_str() {
                "1" => true,
                "2" => false,
                v => return Err(row.err("exception_type", format!("'{v}' is not 1 or 2"))),
            };
            calendar_dates.push(CalendarDate {
                service_id: id(row.required("service_id")?),
                date: row.date("date")?,
                added,
            });
            Ok(())
        },
    )?;

    let mut frequencies = Vec::new();
    read_table(
        files,
        label,
        "frequencies.txt",
        &["trip_id", "start_time", "end_time", "headway_secs"],
        |row| {
            let trip_id = id(row.required("trip_id")?);
            let Some(&(trip, _)) = trip_index.get(&trip_id) else {
                return Err(row.err("trip_id", format!("'{trip_id}' is not in trips.txt")));
            };
            let start_s = row
                .time("start_time")?
                .ok_or_else(|| row.err("start_time", "is blank"))?;
            let end_s = row
                .time("end_time")?
                .ok_or_else(|| row.err("end_time", "is blank"))?;
            let headway_s = row
                .parse("headway_secs", "a whole number of seconds")?
                .ok_or_else(|| row.err("headway_secs", "is blank"))?;
            frequencies.push(Frequency {
                trip,
                start_s,
                end_s,
                headway_s,
                exact_times: row.get("exact_times").as_deref() == Some("1"),
            });
            Ok(())
        },
    )?;

    let mut transfers = Vec::new();
    read_table(
        files,
        label,
        "transfers.txt",
        &["from_stop_id", "to_stop_id"],
        |row| {
            let mut ends = [0u32; 2];
            for (end, field) in ends.iter_mut().zip(["from_stop_id", "to_stop_id"]) {
                let stop_id = id(row.required(field)?);
                let Some(&(i, _)) = stop_index.get(&stop_id) else {
                    return Err(row.err(field, format!("'{stop_id}' is not in stops.txt")));
                };
                *end = i;
            }
            transfers.push(TransferRule {
                from: ends[0],
                to: ends[1],
                transfer_type: row
                    .parse("transfer_type", "a transfer type (0–5)")?
                    .unwrap_or(0),
                min_transfer_s: row.parse("min_transfer_time", "a whole number of seconds")?,
            });
            Ok(())
        },
    )?;

    Ok(Feed {
        name: name.to_string(),
        label: label.to_string(),
        stops,
        routes,
        trips,
        calendar,
        calendar_dates,
        frequencies,
        transfers,
    })
}

/// A trip's stop times with every time known: a blank arrival takes the departure and vice
/// versa; stops with neither get times between the nearest timed stops in proportion to the
/// distance along the stops (evenly where the stops coincide), rounded to the second.
fn timed_stop_times(
    list: &[RawStopTime],
    stops: &[Stop],
    trip_id: &str,
    feed: &str,
) -> Result<Vec<StopTime>, GtfsError> {
    let err = |r: &RawStopTime, field: &str, message: String| GtfsError::Field {
        feed: feed.to_string(),
        file: "stop_times.txt".into(),
        line: r.line,
        field: field.to_string(),
        message,
    };
    for pair in list.windows(2) {
        if pair[0].sequence == pair[1].sequence {
            return Err(err(
                &pair[1],
                "stop_sequence",
                format!(
                    "{} repeats line {} of trip '{trip_id}'",
                    pair[1].sequence, pair[0].line
                ),
            ));
        }
    }
    let (Some(first), Some(last)) = (list.first(), list.last()) else {
        return Ok(Vec::new());
    };
    for (r, which) in [(first, "first"), (last, "last")] {
        if r.arrival.is_none() && r.departure.is_none() {
            return Err(err(
                r,
                "arrival_time",
                format!("the {which} stop of trip '{trip_id}' has no time (GTFS requires one)"),
            ));
        }
    }
    let mut out: Vec<StopTime> = list
        .iter()
        .map(|r| StopTime {
            stop: r.stop,
            arrival_s: r.arrival.or(r.departure).unwrap_or(0),
            departure_s: r.departure.or(r.arrival).unwrap_or(0),
            interpolated: r.arrival.is_none() && r.departure.is_none(),
        })
        .collect();
    let lonlat = |i: usize| stops[list[i].stop as usize].lonlat.unwrap_or([0.0, 0.0]);
    let mut prev = 0usize;
    for i in 0..out.len() {
        if out[i].interpolated {
            continue;
        }
        if out[i].departure_s < out[i].arrival_s {
            return Err(err(
                &list[i],
                "departure_time",
                format!(
                    "{} is before the arrival {} at this stop of trip '{trip_id}'",
                    format_time(out[i].departure_s),
                    format_time(out[i].arrival_s)
                ),
            ));
        }
        if i == 0 {
            continue;
        }
        let t0 = out[prev].departure_s;
        let t1 = out[i].arrival_s;
        if t1 < t0 {
            return Err(err(
                &list[i],
                "arrival_time",
                format!(
                    "{} is before the departure {} of the previous timed stop of trip '{trip_id}'",
                    format_time(t1),
                    format_time(t0)
                ),
            ));
        }
        if i - prev > 1 {
            let legs: Vec<f64> = (prev..i)
                .map(|k| haversine_m(lonlat(k), lonlat(k + 1)))
                .collect();
            let total: f64 = legs.iter().sum();
            let mut along = 0.0;
            for k in 1..(i - prev) {
                along += legs[k - 1];
                let frac = if total > 0.0 {
                    along / total
                } else {
                    k as f64 / (i - prev) as f64
                };
                let t = (t0 as f64 + frac * (t1 - t0) as f64).round() as u32;
                out[prev + k].arrival_s = t;
                out[prev + k].departure_s = t;
            }
        }
        prev = i;
    }
    Ok(out)
}

/// `H:MM:SS` (hours may pass 24 and have any number of digits) as seconds after midnight.
pub fn parse_time(text: &str) -> Result<u32, String> {
    let bad = || format!("'{text}' is not a time HH:MM:SS");
    let mut parts = text.trim().split(':');
    let (Some(h), Some(m), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    let digits = |p: &str, max_len: usize| {
        (!p.is_empty() && p.len() <= max_len && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<u64>().ok())
            .flatten()
    };
    let (Some(h), Some(m), Some(s)) = (digits(h, 12), digits(m, 2), digits(s, 2)) else {
        return Err(bad());
    };
    if m >= 60 || s >= 60 {
        return Err(bad());
    }
    let secs = h * 3600 + m * 60 + s;
    if secs > MAX_TIME_S as u64 {
        return Err(format!(
            "'{text}' is out of range (at most {})",
            format_time(MAX_TIME_S)
        ));
    }
    Ok(secs as u32)
}

/// Seconds after midnight as `HH:MM:SS`.
pub fn format_time(secs: u32) -> String {
    format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

fn parse_date(text: &str) -> Option<GtfsDate> {
    if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u32 = text.parse().ok()?;
    let (month, day) = (n / 100 % 100, n % 100);
    ((1..=12).contains(&month) && (1..=31).contains(&day)).then_some(n)
}

/// `RRGGBB` (a leading `#` tolerated) as `#RRGGBB`; anything else is not a colour.
fn parse_color(text: &str) -> Option<String> {
    let hex = text.strip_prefix('#').unwrap_or(text);
    (hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| format!("#{}", hex.to_ascii_uppercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_past_midnight_parse_and_absurd_ones_are_refused() {
        assert_eq!(parse_time("05:06:00"), Ok(5 * 3600 + 6 * 60));
        assert_eq!(parse_time(" 7:00:05 "), Ok(7 * 3600 + 5));
        assert_eq!(parse_time("25:30:00"), Ok(25 * 3600 + 30 * 60));
        assert!(parse_time("99999999:00:00")
            .unwrap_err()
            .contains("out of range"));
        assert!(parse_time("99999999999999999999999:00:00").is_err());
        for bad in [
            "",
            "12:00",
            "12:60:00",
            "12:00:60",
            "a:00:00",
            "12:00:00:00",
            "-1:00:00",
        ] {
            assert!(parse_time(bad).is_err(), "{bad}");
        }
        assert_eq!(format_time(25 * 3600 + 61), "25:01:01");
    }

    #[test]
    fn colours_are_six_hex_digits_or_nothing() {
        assert_eq!(parse_color("fc0601").as_deref(), Some("#FC0601"));
        assert_eq!(parse_color("#00FF00").as_deref(), Some("#00FF00"));
        for bad in ["0", "FFF", "GGGGGG", "FF00000", ""] {
            assert_eq!(parse_color(bad), None, "{bad}");
        }
    }

    #[test]
    fn dates_are_yyyymmdd() {
        assert_eq!(parse_date("20190513"), Some(20190513));
        for bad in ["2019051", "20191301", "20190500", "2019-05-13"] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }
}
