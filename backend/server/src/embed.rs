//! Security headers of every response. Framing: `/embed` (the map without Repère's header, for the
//! DANE's site and the portals) may be framed by the origins the deployment lists
//! (`REPERE_EMBED_ORIGINS`); every other page only by Repère itself, so that no other site can frame a
//! signed-in page under a decoy. A strict Content-Security-Policy (scripts from Repère only — the
//! pages are built by Vite, the one inline script of `/api/docs` allowed by its hash; workers and
//! images from `blob:` for the map), `nosniff`, a referrer policy and a permissions policy (the
//! position for "Autour de moi" only).

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// The embeddable page's address.
pub fn is_embed(path: &str) -> bool {
    matches!(path, "/embed" | "/embed/")
}

/// The `frame-ancestors` policy for `path`.
pub fn frame_ancestors(path: &str, origins: &[String]) -> String {
    let mut policy = String::from("frame-ancestors 'self'");
    if is_embed(path) {
        for o in origins {
            policy.push(' ');
            policy.push_str(o);
        }
    }
    policy
}

/// Everything but `frame-ancestors`: where scripts, styles, images, workers and requests may come from.
/// `remote_basemap`: a basemap style is fetched from another site (its tiles and glyphs too, from hosts
/// the style names), so requests may go to any `https:` address.
pub fn content_policy(remote_basemap: bool) -> String {
    use sha2::Digest;
    let docs = include_str!("openapi/docs.html");
    let script = docs
        .split("<script>")
        .nth(1)
        .and_then(|s| s.split("</script>").next())
        .unwrap_or_default();
    let hash = sha2::Sha256::digest(script.as_bytes());
    let hash = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, hash);
    let connect = if remote_basemap { "'self' https:" } else { "'self'" };
    let images = if remote_basemap {
        "'self' data: blob: https:"
    } else {
        "'self' data: blob:"
    };
    format!(
        "default-src 'self'; script-src 'self' 'sha256-{hash}'; style-src 'self' 'unsafe-inline'; img-src {images}; \
         font-src 'self' data:; connect-src {connect}; worker-src 'self' blob:; child-src 'self' blob:; \
         object-src 'none'; base-uri 'self'; form-action 'self'"
    )
}

/// The two policies, built once: `/embed`'s and every other page's.
#[derive(Debug, Clone)]
pub struct Framing {
    embed: HeaderValue,
    other: HeaderValue,
}

impl Framing {
    /// Fails on an origin that cannot stand in a header (the command line checked them already).
    pub fn new(origins: &[String], remote_basemap: bool) -> anyhow::Result<Self> {
        let content = content_policy(remote_basemap);
        Ok(Self {
            embed: HeaderValue::from_str(&format!("{content}; {}", frame_ancestors("/embed", origins)))?,
            other: HeaderValue::from_str(&format!("{content}; {}", frame_ancestors("/", origins)))?,
        })
    }
}

/// Adds the security headers: `nosniff` to every response; to documents (HTML pages, which are what a
/// policy governs and what may be framed) the Content-Security-Policy with its `frame-ancestors`,
/// `X-Frame-Options`, the referrer and the permissions policies — not to every tile and item, so that
/// a visit on a slow line does not carry them two dozen times.
pub async fn framing(State(framing): State<Framing>, req: Request, next: Next) -> Response {
    let embed = is_embed(req.uri().path());
    let mut resp = next.run(req).await;
    let headers = resp.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    let document = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !document {
        return resp;
    }
    if embed {
        headers.insert(header::CONTENT_SECURITY_POLICY, framing.embed.clone());
    } else {
        headers.insert(header::CONTENT_SECURITY_POLICY, framing.other.clone());
        // For browsers that predate frame-ancestors.
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
    }
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("geolocation=(self), camera=(), microphone=(), payment=(), usb=()"),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_embed_page_lists_the_origins() {
        let o = vec![
            "https://www.ac-nice.fr".to_string(),
            "http://localhost:8081".to_string(),
        ];
        assert_eq!(
            frame_ancestors("/embed", &o),
            "frame-ancestors 'self' https://www.ac-nice.fr http://localhost:8081"
        );
        assert_eq!(frame_ancestors("/", &o), "frame-ancestors 'self'");
        assert_eq!(frame_ancestors("/embed.html", &o), "frame-ancestors 'self'");
        assert_eq!(frame_ancestors("/embed", &[]), "frame-ancestors 'self'");
    }

    #[test]
    fn the_policy_allows_repere_and_the_docs_script_only() {
        let p = content_policy(false);
        assert!(p.contains("script-src 'self' 'sha256-"), "{p}");
        assert!(
            !p.contains("unsafe-eval") && !p.contains("script-src 'self' 'unsafe-inline'"),
            "{p}"
        );
        assert!(p.contains("connect-src 'self';"), "{p}");
        assert!(content_policy(true).contains("connect-src 'self' https:"));
    }
}
