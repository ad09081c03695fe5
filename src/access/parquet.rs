//! A small GeoParquet writer for point tables: id, lon, lat, one DOUBLE column per measure
//! (null where absent) and a WKB `geometry` column, with the GeoParquet 1.1 `geo` metadata.
//! One row group, one uncompressed PLAIN data page per column, Thrift compact footer: enough
//! for pyarrow, GDAL and DuckDB, without the `parquet` crate's build cost.

/// A point table to write.
pub struct PointTable<'a> {
    pub ids: Vec<&'a str>,
    pub lonlat: Vec<[f64; 2]>,
    /// (column name, one value per row).
    pub measures: Vec<(String, Vec<Option<f64>>)>,
}

// Thrift compact protocol field types.
const T_I32: u8 = 5;
const T_I64: u8 = 6;
const T_BINARY: u8 = 8;
const T_LIST: u8 = 9;
const T_STRUCT: u8 = 12;

// Parquet enums.
const BYTE_ARRAY: i32 = 6;
const DOUBLE: i32 = 5;
const REQUIRED: i32 = 0;
const OPTIONAL: i32 = 1;
const PLAIN: i32 = 0;
const RLE: i32 = 3;
const UTF8: i32 = 0;

/// Thrift compact struct writer: tracks the last field id for the delta headers.
struct Thrift {
    out: Vec<u8>,
    last: Vec<i16>,
}

impl Thrift {
    fn new() -> Thrift {
        Thrift {
            out: Vec::new(),
            last: vec![0],
        }
    }

    fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.out.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.out.push(v as u8);
    }

    fn zigzag(&mut self, v: i64) {
        self.varint(((v << 1) ^ (v >> 63)) as u64);
    }

    fn field(&mut self, id: i16, ty: u8) {
        let last = self.last.last().copied().unwrap_or(0);
        let delta = id - last;
        if (1..=15).contains(&delta) {
            self.out.push(((delta as u8) << 4) | ty);
        } else {
            self.out.push(ty);
            self.zigzag(i64::from(id));
        }
        if let Some(l) = self.last.last_mut() {
            *l = id;
        }
    }

    fn i32(&mut self, id: i16, v: i32) {
        self.field(id, T_I32);
        self.zigzag(i64::from(v));
    }

    fn i64(&mut self, id: i16, v: i64) {
        self.field(id, T_I64);
        self.zigzag(v);
    }

    fn string(&mut self, id: i16, s: &str) {
        self.field(id, T_BINARY);
        self.varint(s.len() as u64);
        self.out.extend_from_slice(s.as_bytes());
    }

    fn list_header(&mut self, id: i16, len: usize, elem: u8) {
        self.field(id, T_LIST);
        if len < 15 {
            self.out.push(((len as u8) << 4) | elem);
        } else {
            self.out.push(0xF0 | elem);
            self.varint(len as u64);
        }
    }

    fn begin(&mut self, id: Option<i16>) {
        if let Some(id) = id {
            self.field(id, T_STRUCT);
        }
        self.last.push(0);
    }

    fn end(&mut self) {
        self.out.push(0);
        self.last.pop();
    }
}

/// One column: its name, type, whether it may hold nulls, and its page bytes.
struct Column {
    name: String,
    ty: i32,
    optional: bool,
    page: Vec<u8>,
    offset: u64,
    size: u64,
}

/// Definition levels (1 present, 0 null) as RLE runs, with the v1 page's length prefix.
fn def_levels(present: impl Iterator<Item = bool>) -> Vec<u8> {
    let mut runs: Vec<(bool, u64)> = Vec::new();
    for p in present {
        match runs.last_mut() {
            Some((v, n)) if *v == p => *n += 1,
            _ => runs.push((p, 1)),
        }
    }
    let mut t = Thrift::new();
    for (v, n) in runs {
        t.varint(n << 1);
        t.out.push(u8::from(v));
    }
    let mut out = (t.out.len() as u32).to_le_bytes().to_vec();
    out.extend(t.out);
    out
}

fn byte_array_page(values: impl Iterator<Item = Vec<u8>>) -> Vec<u8> {
    let mut out = Vec::new();
    for v in values {
        out.extend_from_slice(&(v.len() as u32).to_le_bytes());
        out.extend(v);
    }
    out
}

/// ISO WKB of a point, little-endian.
fn wkb_point(p: [f64; 2]) -> Vec<u8> {
    let mut out = vec![1, 1, 0, 0, 0];
    out.extend_from_slice(&p[0].to_le_bytes());
    out.extend_from_slice(&p[1].to_le_bytes());
    out
}

impl PointTable<'_> {
    /// The whole file.
    pub fn to_bytes(&self) -> Vec<u8> {
        let n = self.ids.len();
        let doubles = |v: &mut dyn Iterator<Item = f64>| -> Vec<u8> {
            v.flat_map(|x| x.to_le_bytes()).collect()
        };
        let mut cols = vec![
            Column {
                name: "id".into(),
                ty: BYTE_ARRAY,
                optional: false,
                page: byte_array_page(self.ids.iter().map(|s| s.as_bytes().to_vec())),
                offset: 0,
                size: 0,
            },
            Column {
                name: "lon".into(),
                ty: DOUBLE,
                optional: false,
                page: doubles(&mut self.lonlat.iter().map(|p| p[0])),
                offset: 0,
                size: 0,
            },
            Column {
                name: "lat".into(),
                ty: DOUBLE,
                optional: false,
                page: doubles(&mut self.lonlat.iter().map(|p| p[1])),
                offset: 0,
                size: 0,
            },
        ];
        for (name, values) in &self.measures {
            let mut page = def_levels(values.iter().map(Option::is_some));
            page.extend(doubles(&mut values.iter().flatten().copied()));
            cols.push(Column {
                name: name.clone(),
                ty: DOUBLE,
                optional: true,
                page,
                offset: 0,
                size: 0,
            });
        }
        cols.push(Column {
            name: "geometry".into(),
            ty: BYTE_ARRAY,
            optional: false,
            page: byte_array_page(self.lonlat.iter().map(|&p| wkb_point(p))),
            offset: 0,
            size: 0,
        });

        let mut out = b"PAR1".to_vec();
        for c in &mut cols {
            let mut h = Thrift::new();
            h.begin(None);
            h.i32(1, 0); // DATA_PAGE
            h.i32(2, c.page.len() as i32);
            h.i32(3, c.page.len() as i32);
            h.begin(Some(5));
            h.i32(1, n as i32);
            h.i32(2, PLAIN);
            h.i32(3, RLE);
            h.i32(4, RLE);
            h.end();
            h.end();
            c.offset = out.len() as u64;
            out.extend(&h.out);
            out.extend(&c.page);
            c.size = out.len() as u64 - c.offset;
        }

        let mut m = Thrift::new();
        m.begin(None);
        m.i32(1, 1);
        m.list_header(2, cols.len() + 1, T_STRUCT);
        m.begin(None);
        m.string(4, "schema");
        m.i32(5, cols.len() as i32);
        m.end();
        for c in &cols {
            m.begin(None);
            m.i32(1, c.ty);
            m.i32(3, if c.optional { OPTIONAL } else { REQUIRED });
            m.string(4, &c.name);
            if c.name == "id" {
                m.i32(6, UTF8);
            }
            m.end();
        }
        m.i64(3, n as i64);
        m.list_header(4, 1, T_STRUCT);
        m.begin(None);
        m.list_header(1, cols.len(), T_STRUCT);
        for c in &cols {
            m.begin(None);
            m.i64(2, c.offset as i64);
            m.begin(Some(3));
            m.i32(1, c.ty);
            m.list_header(2, 2, T_I32);
            m.zigzag(i64::from(PLAIN));
            m.zigzag(i64::from(RLE));
            m.list_header(3, 1, T_BINARY);
            m.varint(c.name.len() as u64);
            m.out.extend_from_slice(c.name.as_bytes());
            m.i32(4, 0); // UNCOMPRESSED
            m.i64(5, n as i64);
            m.i64(6, c.size as i64);
            m.i64(7, c.size as i64);
            m.i64(9, c.offset as i64);
            m.end();
            m.end();
        }
        m.i64(2, cols.iter().map(|c| c.size as i64).sum());
        m.i64(3, n as i64);
        m.end();
        let bbox = self.lonlat.iter().fold(
            [
                f64::INFINITY,
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::NEG_INFINITY,
            ],
            |b, p| {
                [
                    b[0].min(p[0]),
                    b[1].min(p[1]),
                    b[2].max(p[0]),
                    b[3].max(p[1]),
                ]
            },
        );
        let mut geometry = serde_json::json!({
            "encoding": "WKB",
            "geometry_types": ["Point"],
        });
        if n > 0 {
            geometry["bbox"] = serde_json::json!(bbox);
        }
        let geo = serde_json::json!({
            "version": "1.1.0",
            "primary_column": "geometry",
            "columns": {"geometry": geometry},
        });
        m.list_header(5, 1, T_STRUCT);
        m.begin(None);
        m.string(1, "geo");
        m.string(2, &geo.to_string());
        m.end();
        m.string(6, concat!("cityreach ", env!("CARGO_PKG_VERSION")));
        m.end();
        out.extend(&m.out);
        out.extend_from_slice(&(m.out.len() as u32).to_le_bytes());
        out.extend_from_slice(b"PAR1");
        out
    }
}
