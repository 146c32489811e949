//! Jobs: what the command line runs besides serving — the importers of official files (`import`), the
//! generators of the demo and benchmark datasets (`demo`), each writing through the store's units of
//! work (a running server follows through the change log), and the open-data package (`opendata`,
//! read from the catalogue; also served at `/api/opendata/`).

pub mod demo;
pub mod import;
pub mod opendata;
