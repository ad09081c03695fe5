//! A GeoTIFF writer for accessibility grids: float32 bands, one plane per band, georeferenced
//! in EPSG:4326, band descriptions and the no-data value in GDAL's own tags so that `gdalinfo`,
//! QGIS and rasterio show them.
//!
//! The layout is baseline TIFF 6.0 with the GeoTIFF 1.0 keys (model pixel scale, tie point,
//! geographic model, WGS 84, pixel-is-area). It is small enough to write directly; the `tiff`
//! crate's encoder only writes colour types of up to four samples.

use super::grid::Grid;
use std::io::Write;

const SHORT: u16 = 3;
const LONG: u16 = 4;
const ASCII: u16 = 2;
const DOUBLE: u16 = 12;

/// One IFD entry: tag, type, count and the value bytes (inline when ≤ 4 bytes).
struct Entry {
    tag: u16,
    ty: u16,
    count: u32,
    bytes: Vec<u8>,
}

fn shorts(tag: u16, v: &[u16]) -> Entry {
    Entry {
        tag,
        ty: SHORT,
        count: v.len() as u32,
        bytes: v.iter().flat_map(|x| x.to_le_bytes()).collect(),
    }
}

fn longs(tag: u16, v: &[u32]) -> Entry {
    Entry {
        tag,
        ty: LONG,
        count: v.len() as u32,
        bytes: v.iter().flat_map(|x| x.to_le_bytes()).collect(),
    }
}

fn doubles(tag: u16, v: &[f64]) -> Entry {
    Entry {
        tag,
        ty: DOUBLE,
        count: v.len() as u32,
        bytes: v.iter().flat_map(|x| x.to_le_bytes()).collect(),
    }
}

fn ascii(tag: u16, s: &str) -> Entry {
    let mut bytes = s.as_bytes().to_vec();
    bytes.push(0);
    Entry {
        tag,
        ty: ASCII,
        count: bytes.len() as u32,
        bytes,
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Writes `bands` (each `grid.rows × grid.cols`, row-major from the north-west corner; NaN is
/// no data) with their descriptions.
pub fn write(
    out: &mut impl Write,
    grid: &Grid,
    bands: &[Vec<f32>],
    descriptions: &[String],
) -> std::io::Result<()> {
    let n = bands.len().max(1);
    let cells = grid.rows * grid.cols;
    let plane_bytes = cells * 4;
    let data_start = 8usize;
    let data_len = plane_bytes * n;
    if data_start + data_len + 1_000_000 > u32::MAX as usize {
        return Err(std::io::Error::other(
            "the grid is too large for a classic TIFF (4 GB)",
        ));
    }
    let offsets: Vec<u32> = (0..n)
        .map(|b| (data_start + b * plane_bytes) as u32)
        .collect();
    let counts: Vec<u32> = vec![plane_bytes as u32; n];

    let mut metadata = String::from("<GDALMetadata>");
    for (i, d) in descriptions.iter().enumerate() {
        metadata.push_str(&format!(
            "<Item name=\"DESCRIPTION\" sample=\"{i}\" role=\"description\">{}</Item>",
            xml_escape(d)
        ));
    }
    metadata.push_str("</GDALMetadata>");

    let mut entries = vec![
        longs(256, &[grid.cols as u32]),
        longs(257, &[grid.rows as u32]),
        shorts(258, &vec![32; n]),
        shorts(259, &[1]), // no compression
        shorts(262, &[1]), // black is zero
        longs(273, &offsets),
        shorts(277, &[n as u16]),
        longs(278, &[grid.rows as u32]),
        longs(279, &counts),
        shorts(284, &[2]), // one plane per band
    ];
    if n > 1 {
        entries.push(shorts(338, &vec![0; n - 1])); // extra samples: unspecified data
    }
    entries.push(shorts(339, &vec![3; n])); // IEEE float
    entries.push(doubles(33550, &[grid.dlon, grid.dlat, 0.0]));
    entries.push(doubles(33922, &[0.0, 0.0, 0.0, grid.west, grid.north, 0.0]));
    // GeoKeyDirectory: version 1.1.0, 4 keys: geographic model, pixel is area, WGS 84,
    // angular unit degree.
    entries.push(shorts(
        34735,
        &[
            1, 1, 0, 4, //
            1024, 0, 1, 2, //
            1025, 0, 1, 1, //
            2048, 0, 1, 4326, //
            2054, 0, 1, 9102,
        ],
    ));
    entries.push(ascii(42112, &metadata));
    entries.push(ascii(42113, "nan"));
    entries.sort_by_key(|e| e.tag);

    // After the data: the values too long to sit in their entries, then the IFD.
    let mut extra: Vec<u8> = Vec::new();
    let extra_start = data_start + data_len;
    let mut value_fields: Vec<[u8; 4]> = Vec::with_capacity(entries.len());
    for e in &entries {
        if e.bytes.len() <= 4 {
            let mut f = [0u8; 4];
            f[..e.bytes.len()].copy_from_slice(&e.bytes);
            value_fields.push(f);
        } else {
            if extra.len() % 2 == 1 {
                extra.push(0); // word alignment
            }
            let at = (extra_start + extra.len()) as u32;
            extra.extend_from_slice(&e.bytes);
            value_fields.push(at.to_le_bytes());
        }
    }
    if extra.len() % 2 == 1 {
        extra.push(0);
    }
    let ifd_at = (extra_start + extra.len()) as u32;

    out.write_all(b"II")?;
    out.write_all(&42u16.to_le_bytes())?;
    out.write_all(&ifd_at.to_le_bytes())?;
    let mut buf = Vec::with_capacity(plane_bytes.min(1 << 20));
    for b in 0..n {
        let empty = Vec::new();
        let band = bands.get(b).unwrap_or(&empty);
        buf.clear();
        for i in 0..cells {
            let v = band.get(i).copied().unwrap_or(f32::NAN);
            buf.extend_from_slice(&v.to_le_bytes());
            if buf.len() >= 1 << 20 {
                out.write_all(&buf)?;
                buf.clear();
            }
        }
        out.write_all(&buf)?;
    }
    out.write_all(&extra)?;
    out.write_all(&(entries.len() as u16).to_le_bytes())?;
    for (e, v) in entries.iter().zip(&value_fields) {
        out.write_all(&e.tag.to_le_bytes())?;
        out.write_all(&e.ty.to_le_bytes())?;
        out.write_all(&e.count.to_le_bytes())?;
        out.write_all(v)?;
    }
    out.write_all(&0u32.to_le_bytes())?; // no next IFD
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads back the IFD with a separate minimal parser: tags, counts and the pixel data.
    #[test]
    fn writes_a_readable_tiff() {
        let g = Grid::over([113.0, 34.0, 113.01, 34.01], 500.0, None).unwrap();
        let cells = g.rows * g.cols;
        let a: Vec<f32> = (0..cells).map(|i| i as f32).collect();
        let b: Vec<f32> = vec![f32::NAN; cells];
        let mut out = Vec::new();
        write(
            &mut out,
            &g,
            &[a, b],
            &["first".into(), "second <b>".into()],
        )
        .unwrap();
        assert_eq!(&out[..4], b"II\x2a\x00");
        let ifd = u32::from_le_bytes(out[4..8].try_into().unwrap()) as usize;
        let count = u16::from_le_bytes(out[ifd..ifd + 2].try_into().unwrap()) as usize;
        let mut tags = Vec::new();
        for k in 0..count {
            let e = ifd + 2 + 12 * k;
            tags.push(u16::from_le_bytes(out[e..e + 2].try_into().unwrap()));
        }
        let mut sorted = tags.clone();
        sorted.sort();
        assert_eq!(tags, sorted, "tags ascending");
        for t in [
            256, 257, 258, 273, 277, 279, 284, 339, 33550, 33922, 34735, 42112,
        ] {
            assert!(tags.contains(&t), "tag {t}");
        }
        // The first plane starts at byte 8; its third value is 2.0.
        let v = f32::from_le_bytes(out[8 + 8..8 + 12].try_into().unwrap());
        assert_eq!(v, 2.0);
        let text = String::from_utf8_lossy(&out);
        assert!(text.contains("second &lt;b&gt;"));
    }
}
