//! Framing: `/embed` (the map without Repère's header, for the DANE's site and the portals) may be
//! framed by the origins the deployment lists (`REPERE_EMBED_ORIGINS`); every other page only by
//! Repère itself, so that no other site can frame a signed-in page under a decoy.

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

/// The two policies, built once: `/embed`'s and every other page's.
#[derive(Debug, Clone)]
pub struct Framing {
    embed: HeaderValue,
    other: HeaderValue,
}

impl Framing {
    /// Fails on an origin that cannot stand in a header (the command line checked them already).
    pub fn new(origins: &[String]) -> anyhow::Result<Self> {
        Ok(Self {
            embed: HeaderValue::from_str(&frame_ancestors("/embed", origins))?,
            other: HeaderValue::from_str(&frame_ancestors("/", origins))?,
        })
    }
}

/// Adds the framing policy to every response.
pub async fn framing(State(framing): State<Framing>, req: Request, next: Next) -> Response {
    let embed = is_embed(req.uri().path());
    let mut resp = next.run(req).await;
    let headers = resp.headers_mut();
    if embed {
        headers.insert(header::CONTENT_SECURITY_POLICY, framing.embed.clone());
    } else {
        headers.insert(header::CONTENT_SECURITY_POLICY, framing.other.clone());
        // For browsers that predate frame-ancestors.
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
    }
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
}
