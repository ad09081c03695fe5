//! Transit: GTFS feeds and scenario overlays, compiled into compact arrays for the search.
