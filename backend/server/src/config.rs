//! Configuration: defaults in code, then environment variables, then command-line flags (clap reads
//! both, flags winning). Secrets (the database password) are never logged: see `repere_store::redact`.

use std::path::PathBuf;

/// Default database: an SQLite file beside the working directory, created if missing.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/repere.db";
/// Default listening address.
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
/// Default folder of the built frontend.
pub const DEFAULT_FRONTEND_DIR: &str = "frontend/dist";

/// What `repere serve` needs.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Address to listen on; port 0 picks a free port (tests).
    pub bind: String,
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// Folder served at `/`; when it does not exist, a built-in placeholder page is served.
    pub frontend_dir: PathBuf,
    /// MapLibre style URL of a production basemap (e.g. IGN Plan IGN); `None` keeps the offline
    /// basemap. The page falls back to the offline basemap when this style cannot be reached.
    pub basemap_style_url: Option<String>,
    /// Mark the session cookie `Secure` (set it when Repère is served over TLS, directly or behind a
    /// proxy).
    pub secure_cookies: bool,
    /// Published reports expected per school year (the CARDIE's target).
    pub target: u32,
    /// Whether static map images are rendered (`false`: their routes answer 503, as on a machine
    /// without any rendering adapter).
    pub static_maps: bool,
    /// Origins (`https://www.ac-nice.fr`) whose pages may frame `/embed`; none by default.
    pub embed_origins: Vec<String>,
    /// Encoded vector tiles kept in memory (valid for one catalogue generation); 0: no tile cache.
    pub tile_cache: usize,
}

/// Default size of the tile cache, in tiles (a few KB each).
pub const DEFAULT_TILE_CACHE: usize = 10_000;

impl ServeConfig {
    /// The configuration with every default, on `database_url`.
    pub fn new(database_url: impl Into<String>) -> Self {
        Self {
            bind: DEFAULT_BIND.into(),
            database_url: database_url.into(),
            frontend_dir: PathBuf::from(DEFAULT_FRONTEND_DIR),
            basemap_style_url: None,
            secure_cookies: false,
            target: repere_core::indicators::DEFAULT_TARGET,
            static_maps: true,
            embed_origins: Vec::new(),
            tile_cache: DEFAULT_TILE_CACHE,
        }
    }
}

/// Parses a comma-separated list of origins (`https://host[:port]`, no path): each trimmed, without a
/// final `/`; the first that is not an origin is the error, in French.
pub fn parse_origins(list: &str) -> Result<Vec<String>, String> {
    parse_origin_list(list).map(|o| o.0)
}

/// The origins allowed to frame `/embed`, as read from the command line.
#[derive(Debug, Clone, Default)]
pub struct Origins(pub Vec<String>);

/// [`parse_origins`] for clap.
pub fn parse_origin_list(list: &str) -> Result<Origins, String> {
    let mut out = Vec::new();
    for raw in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let o = raw.trim_end_matches('/');
        let host = o.strip_prefix("https://").or_else(|| o.strip_prefix("http://"));
        let ok = host.is_some_and(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        });
        if !ok {
            return Err(format!(
                "« {raw} » n'est pas une origine (attendu : https://site.exemple.fr, sans chemin)"
            ));
        }
        out.push(o.to_ascii_lowercase());
    }
    Ok(Origins(out))
}

#[cfg(test)]
mod tests {
    use super::parse_origins;

    #[test]
    fn origins_are_checked() {
        assert_eq!(
            parse_origins(" https://www.ac-nice.fr/, http://localhost:8081 ,").unwrap(),
            vec!["https://www.ac-nice.fr", "http://localhost:8081"]
        );
        assert!(parse_origins("www.ac-nice.fr").is_err());
        assert!(
            parse_origins("https://www.ac-nice.fr/dane")
                .unwrap_err()
                .contains("/dane")
        );
        assert!(parse_origins("https://a.fr; frame-ancestors *").is_err());
        assert_eq!(parse_origins("").unwrap(), Vec::<String>::new());
    }
}
