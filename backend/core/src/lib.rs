//! Repère core: the domain types and their validation, the in-memory spatial index and the small pure
//! helpers (text folding, time intervals, projections) the other crates share. No I/O lives here: no
//! database, no HTTP, no files, so everything is testable with plain unit tests.
//!
//! Coordinates are WGS84 longitude/latitude in degrees (EPSG:4326); distances are metres on the sphere
//! (Haversine, mean Earth radius), as everywhere in Repère.

pub mod establishments;
pub mod index;
pub mod links;
pub mod lonlat;
pub mod practices;
pub mod projection;
pub mod school_year;
pub mod sites;
pub mod temporal;
pub mod text;
pub mod uai;

pub use lonlat::{Bbox, LonLat};
pub use school_year::SchoolYear;
pub use uai::Uai;

/// A value that failed validation at the edge; the message is French (it reaches users) and `field`
/// names the input at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} : {message}")]
pub struct Invalid {
    /// Name of the field or parameter at fault (API name, e.g. `bbox`, `uai`).
    pub field: &'static str,
    /// Human-readable reason, in French.
    pub message: String,
}

impl Invalid {
    /// Builds an error for `field` with a French `message`.
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}
