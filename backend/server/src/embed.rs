//! Framing: `/embed` (the map without Repère's header, for the DANE's site and the portals) may be
//! framed by the origins the deployment lists (`REPERE_EMBED_ORIGINS`); every other page only by
//! Repère itself, so that no other site can frame a signed-in page under a decoy.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::app::AppState;

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

/// Adds the framing policy to every response.
pub async fn framing(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let mut resp = next.run(req).await;
    let headers = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&frame_ancestors(&path, &app.embed_origins)) {
        headers.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    if !is_embed(&path) {
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
