//! Query-string parsing with errors that name the parameter: repeated keys, unknown keys,
//! numbers, bbox, limit and offset.

use super::error::{ApiError, ApiResult};

/// Default page size of `/items`.
pub const DEFAULT_LIMIT: usize = 100;
/// Largest page size of `/items`.
pub const MAX_LIMIT: usize = 10_000;

/// The decoded `key=value` pairs of a query string, in order.
#[derive(Debug, Clone, Default)]
pub struct Params(pub Vec<(String, String)>);

impl Params {
    pub fn parse(query: Option<&str>) -> ApiResult<Params> {
        match query {
            None | Some("") => Ok(Params::default()),
            Some(q) => serde_urlencoded::from_str::<Vec<(String, String)>>(q)
                .map(Params)
                .map_err(|e| {
                    ApiError::param("query", format!("cannot decode the query string: {e}"))
                }),
        }
    }

    /// Every value given for `name`.
    pub fn all<'a, 'n>(&'a self, name: &'n str) -> impl Iterator<Item = &'a str> + use<'a, 'n> {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of a parameter that may appear at most once.
    pub fn one(&self, name: &str) -> ApiResult<Option<&str>> {
        let mut it = self.all(name);
        let first = it.next();
        if it.next().is_some() {
            return Err(ApiError::param(name, "given more than once"));
        }
        Ok(first)
    }

    /// Rejects keys outside `allowed` (and the extra names `also` accepts).
    pub fn only(&self, allowed: &[&str], also: impl Fn(&str) -> bool) -> ApiResult<()> {
        self.only_with(allowed, also, "")
    }

    /// Like [`Params::only`]; `extra` completes the list of allowed names in the message.
    pub fn only_with(
        &self,
        allowed: &[&str],
        also: impl Fn(&str) -> bool,
        extra: &str,
    ) -> ApiResult<()> {
        for (k, _) in &self.0 {
            if !allowed.contains(&k.as_str()) && !also(k) {
                return Err(ApiError::param(
                    k.clone(),
                    format!(
                        "unknown query parameter '{k}' (allowed: {}{})",
                        allowed.join(", "),
                        extra
                    ),
                ));
            }
        }
        Ok(())
    }

    pub fn number(&self, name: &str) -> ApiResult<Option<f64>> {
        match self.one(name)? {
            None => Ok(None),
            Some(v) => parse_number(name, v).map(Some),
        }
    }

    pub fn boolean(&self, name: &str) -> ApiResult<Option<bool>> {
        match self.one(name)? {
            None => Ok(None),
            Some("true") | Some("1") => Ok(Some(true)),
            Some("false") | Some("0") => Ok(Some(false)),
            Some(v) => Err(ApiError::param(name, format!("'{v}' is not true or false"))),
        }
    }

    /// `limit`: an integer in 1..=max, default `default`.
    pub fn limit(&self, default: usize, max: usize) -> ApiResult<usize> {
        let Some(v) = self.one("limit")? else {
            return Ok(default);
        };
        let n: i64 = v.trim().parse().map_err(|_| {
            ApiError::param("limit", format!("'{v}' is not an integer (1 to {max})"))
        })?;
        if n < 1 || n as u64 > max as u64 {
            return Err(ApiError::param(
                "limit",
                format!("{n} is outside 1 to {max}"),
            ));
        }
        Ok(n as usize)
    }

    /// `offset`: an integer ≥ 0, default 0.
    pub fn offset(&self) -> ApiResult<usize> {
        let Some(v) = self.one("offset")? else {
            return Ok(0);
        };
        v.trim()
            .parse::<usize>()
            .map_err(|_| ApiError::param("offset", format!("'{v}' is not an integer ≥ 0")))
    }

    /// `bbox`: west,south,east,north in CRS84, each finite and in range, west ≤ east and
    /// south ≤ north.
    pub fn bbox(&self) -> ApiResult<Option<[f64; 4]>> {
        let Some(v) = self.one("bbox")? else {
            return Ok(None);
        };
        parse_bbox(v).map(Some)
    }
}

pub fn parse_number(name: &str, v: &str) -> ApiResult<f64> {
    match v.trim().parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ => Err(ApiError::param(
            name,
            format!("'{v}' is not a finite number"),
        )),
    }
}

/// The four numbers of a bbox, in whatever CRS they were given.
pub fn parse_bbox_numbers(v: &str) -> ApiResult<[f64; 4]> {
    let parts: Vec<&str> = v.split(',').collect();
    if parts.len() == 6 {
        return Err(ApiError::param(
            "bbox",
            "a 3-D bbox (6 numbers) is not supported; give west,south,east,north",
        ));
    }
    if parts.len() != 4 {
        return Err(ApiError::param(
            "bbox",
            format!(
                "expected 4 numbers (lower corner, upper corner; west,south,east,north in CRS84), got {}",
                parts.len()
            ),
        ));
    }
    let mut b = [0.0; 4];
    for (i, p) in parts.iter().enumerate() {
        b[i] = parse_number("bbox", p)?;
    }
    Ok(b)
}

/// A CRS84 bbox: four numbers, west,south,east,north, within the globe.
pub fn parse_bbox(v: &str) -> ApiResult<[f64; 4]> {
    check_lonlat_bbox(parse_bbox_numbers(v)?)
}

/// A bbox already in CRS84 (given so, or transformed from `bbox-crs`) checked for range and order.
pub fn check_lonlat_bbox(b: [f64; 4]) -> ApiResult<[f64; 4]> {
    if b[0].abs() > 180.0 || b[2].abs() > 180.0 || b[1].abs() > 90.0 || b[3].abs() > 90.0 {
        return Err(ApiError::param(
            "bbox",
            "longitudes must lie within ±180 and latitudes within ±90 (CRS84: lon,lat order)",
        ));
    }
    if b[1] > b[3] {
        return Err(ApiError::param("bbox", "south is greater than north"));
    }
    if b[0] > b[2] {
        return Err(ApiError::param(
            "bbox",
            "west is greater than east (boxes across the antimeridian are not supported)",
        ));
    }
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bbox_checks() {
        assert!(parse_bbox("113,34,114,35").is_ok());
        for bad in [
            "1,2,3",
            "a,b,c,d",
            "114,34,113,35",
            "113,35,114,34",
            "NaN,1,2,3",
            "0,0,200,1",
            "1,2,3,4,5,6",
        ] {
            assert!(parse_bbox(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn limit_and_offset() {
        let p = Params::parse(Some("limit=0")).unwrap();
        assert!(p.limit(100, 10_000).is_err());
        let p = Params::parse(Some("limit=10001")).unwrap();
        assert!(p.limit(100, 10_000).is_err());
        let p = Params::parse(Some("limit=7&offset=3")).unwrap();
        assert_eq!(p.limit(100, 10_000).unwrap(), 7);
        assert_eq!(p.offset().unwrap(), 3);
        let p = Params::parse(Some("limit=1&limit=2")).unwrap();
        assert!(p.limit(100, 10_000).is_err());
    }
}
