//! The HTTP service: OGC API Features, the reach API and the web map.
