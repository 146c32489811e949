//! Repère core: the domain types and their validation, the in-memory spatial index and the small pure
//! helpers (text folding, time intervals) the other crates share. No I/O lives here: no
//! database, no HTTP, no files, so everything is testable with plain unit tests.
//!
//! Coordinates are WGS84 longitude/latitude in degrees (EPSG:4326); distances are metres on the sphere
//! (Haversine, mean Earth radius), as everywhere in Repère.

/// Defines a closed set of API values as an enum with `ALL`, `as_str` and `parse`, whose error is a
/// French message naming the field and listing the accepted values; serde uses the same strings.
#[macro_export]
macro_rules! api_enum {
    ($(#[$m:meta])* $name:ident, $unknown:literal { $($(#[$vm:meta])* $variant:ident => $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vm])* #[serde(rename = $s)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The API value, e.g. `college`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $s),+
                }
            }

            /// Parses an API value; `field` names the input in the error.
            pub fn parse(field: &'static str, s: &str) -> Result<Self, $crate::Invalid> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s).ok_or_else(|| {
                    $crate::Invalid::new(field, format!("{} « {s} » ({})", $unknown, [$($s),+].join(", ")))
                })
            }
        }
    };
}

pub mod establishments;
pub mod fibre;
#[cfg(any(test, feature = "fixtures"))]
pub mod fixtures;
pub mod index;
pub mod indicators;
pub mod intentions;
pub mod letters;
pub mod links;
pub mod lonlat;
pub mod networks;
pub mod opinee;
pub mod places;
pub mod practices;
pub mod school_year;
pub mod sites;
pub mod temporal;
pub mod text;
pub mod tiles;
pub mod uai;
pub mod users;

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
