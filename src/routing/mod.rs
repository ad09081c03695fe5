//! Routing engines: searches over the compiled networks, below the analyses that call them.

pub mod transit;
