//! Jobs: what the command line runs besides serving — the importers of official files (`import`) and
//! the generators of the demo and benchmark datasets (`demo`). Each writes through the store's units
//! of work; a running server follows through the change log.

pub mod demo;
pub mod import;
pub mod opendata;
