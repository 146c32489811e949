//! `ApiError`: every failure of the HTTP API, rendered as RFC 9457 `application/problem+json`.
//! Client mistakes name the parameter at fault; database and internal errors are logged and answered
//! with an opaque 500.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use repere_core::Invalid;
use repere_store::StoreError;
use serde_json::json;

/// A lock whose writer panicked: an internal error rather than a panic in every later request.
pub fn poisoned() -> ApiError {
    ApiError::Internal("catalog lock poisoned".into())
}

/// Read access to `lock` (the catalogue), a poisoned lock being an internal error.
pub fn read_lock<T>(lock: &std::sync::RwLock<T>) -> Result<std::sync::RwLockReadGuard<'_, T>, ApiError> {
    lock.read().map_err(|_| poisoned())
}

/// Media type of problem details.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An API failure.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A query or path parameter is malformed, out of range or unknown (400).
    #[error("paramètre invalide {param} : {detail}")]
    InvalidParameter { param: String, detail: String },
    /// A field of a submitted body is missing or invalid (422), named.
    #[error("champ invalide {field} : {detail}")]
    InvalidField { field: String, detail: String },
    /// The action is not possible in the resource's current state (409).
    #[error("{0}")]
    Conflict(String),
    /// No session, or an expired one (401).
    #[error("authentification requise")]
    Unauthenticated,
    /// Wrong address or password; the message never says which (401).
    #[error("{0}")]
    BadCredentials(String),
    /// Signed in, but the role or ownership does not allow it (403).
    #[error("{0}")]
    Forbidden(String),
    /// Too many attempts (429), with the seconds to wait and what was attempted ("tentatives de
    /// connexion", "messages").
    #[error("trop de {what}")]
    TooManyRequests { retry_after_s: u64, what: &'static str },
    /// The resource does not exist, or is not visible to the caller (404).
    #[error("{0}")]
    NotFound(String),
    /// A service this request needs is not available on this machine (503), e.g. map rendering.
    #[error("{0}")]
    Unavailable(String),
    /// The body is larger than accepted (413).
    #[error("{0}")]
    TooLarge(String),
    /// Too busy to take the request now (503), with the seconds after which to try again.
    #[error("occupé")]
    Busy { retry_after_s: u64 },
    /// The store failed; details are logged, never sent (500).
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// Anything else unexpected (500).
    #[error("internal: {0}")]
    Internal(String),
}

impl ApiError {
    /// A 422 naming the body field at fault.
    pub fn field(e: Invalid) -> Self {
        Self::InvalidField {
            field: e.field.to_string(),
            detail: e.message,
        }
    }

    /// A 400 naming `param`.
    pub fn param(param: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::InvalidParameter {
            param: param.into(),
            detail: detail.into(),
        }
    }
}

impl From<Invalid> for ApiError {
    fn from(e: Invalid) -> Self {
        Self::param(e.field, e.message)
    }
}

/// Builds a problem+json response.
pub fn problem(status: StatusCode, title: &str, detail: &str, extra: Option<serde_json::Value>) -> Response {
    let mut body = json!({
        "type": "about:blank",
        "title": title,
        "status": status.as_u16(),
        "detail": detail,
    });
    if let (Some(obj), Some(serde_json::Value::Object(more))) = (body.as_object_mut(), extra) {
        obj.extend(more);
    }
    let mut resp = (status, body.to_string()).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    resp
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            Self::InvalidParameter { param, detail } => problem(
                StatusCode::BAD_REQUEST,
                "Paramètre invalide",
                &format!("{param} : {detail}"),
                Some(json!({ "invalid_params": [{ "name": param, "reason": detail }] })),
            ),
            Self::NotFound(detail) => problem(StatusCode::NOT_FOUND, "Introuvable", &detail, None),
            Self::Unavailable(detail) => {
                problem(StatusCode::SERVICE_UNAVAILABLE, "Service indisponible", &detail, None)
            }
            Self::InvalidField { field, detail } => problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Champ invalide",
                &format!("{field} : {detail}"),
                Some(json!({ "invalid_params": [{ "name": field, "reason": detail }] })),
            ),
            Self::Conflict(detail) => problem(StatusCode::CONFLICT, "Action impossible", &detail, None),
            Self::Unauthenticated => problem(
                StatusCode::UNAUTHORIZED,
                "Connexion requise",
                "Connectez-vous pour effectuer cette action (votre session a peut-être expiré).",
                None,
            ),
            Self::BadCredentials(detail) => problem(StatusCode::UNAUTHORIZED, "Connexion refusée", &detail, None),
            Self::Forbidden(detail) => problem(StatusCode::FORBIDDEN, "Action non autorisée", &detail, None),
            Self::TooManyRequests { retry_after_s, what } => {
                let mut resp = problem(
                    StatusCode::TOO_MANY_REQUESTS,
                    "Trop de demandes",
                    &if retry_after_s < 60 {
                        format!("Trop de {what} en peu de temps : réessayez dans {retry_after_s} s.")
                    } else {
                        format!(
                            "Trop de {what} en peu de temps : réessayez dans {} min.",
                            retry_after_s.div_ceil(60)
                        )
                    },
                    None,
                );
                resp.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_s));
                resp
            }
            Self::TooLarge(detail) => problem(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Requête trop volumineuse",
                &detail,
                Some(json!({ "invalid_params": [{ "name": "body", "reason": detail }] })),
            ),
            Self::Busy { retry_after_s } => {
                let mut resp = problem(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Service occupé",
                    &format!("Trop de cartes sont en cours de dessin : réessayez dans {retry_after_s} secondes."),
                    None,
                );
                resp.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_s));
                resp
            }
            Self::Store(e) => {
                tracing::error!(error = %e, "store failure");
                internal()
            }
            Self::Internal(e) => {
                tracing::error!(error = %e, "internal failure");
                internal()
            }
        }
    }
}

fn internal() -> Response {
    problem(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Erreur interne",
        "Une erreur inattendue est survenue ; elle a été journalisée. Réessayez plus tard.",
        None,
    )
}

/// Longest error body read back to be rewritten as problem+json.
const ERROR_BODY_MAX: usize = 16 * 1024;

fn title_of(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "Paramètre invalide",
        401 => "Connexion requise",
        403 => "Action non autorisée",
        404 => "Introuvable",
        405 => "Méthode non acceptée",
        408 => "Requête trop lente",
        409 => "Action impossible",
        413 => "Requête trop volumineuse",
        415 => "Type de contenu non accepté",
        422 => "Champ invalide",
        429 => "Trop de demandes",
        503 => "Service indisponible",
        s if s >= 500 => "Erreur interne",
        _ => "Requête refusée",
    }
}

/// What an error the framework wrote means, in French (its English text is kept after it).
fn detail_of(status: StatusCode, text: &str, allow: Option<&str>) -> String {
    let said = text.trim();
    let base = match status.as_u16() {
        400 => "la requête est mal formée",
        405 => "cette adresse n'accepte pas cette méthode",
        413 => "le corps de la requête dépasse la taille acceptée",
        415 => "le corps doit être du JSON (Content-Type: application/json)",
        422 => "le corps JSON n'a pas la forme attendue",
        404 => "aucune ressource à cette adresse",
        _ => "la requête n'a pas abouti",
    };
    let mut d = base.to_string();
    if let Some(allow) = allow {
        d.push_str(&format!(" (méthodes acceptées : {allow})"));
    }
    if !said.is_empty() {
        d.push_str(&format!(" : {said}"));
    }
    d
}

/// The parameter an extractor's error names: `` `key` `` in its text, else the only `{param}` of the
/// route.
fn param_of(text: &str, route: Option<&str>) -> Option<String> {
    if let Some(rest) = text.split("Cannot parse `").nth(1)
        && let Some(key) = rest.split('`').next()
        && !key.is_empty()
        && text.contains("with value")
    {
        return Some(key.to_string());
    }
    let route = route?;
    let params: Vec<&str> = route
        .split('/')
        .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
        .collect();
    (params.len() == 1).then(|| params[0].to_string())
}

/// Under `/api` every error leaves as `application/problem+json`, those the framework writes itself
/// too (a path id that is not a number, a body that is not the JSON expected, too large, a method the
/// route does not take), naming the parameter when it can be known (`route`: the matched path).
/// Headers such as `Allow` and `Retry-After` are kept. Called by `auth::api_answers`.
pub async fn as_problem(route: Option<axum::extract::MatchedPath>, resp: Response) -> Response {
    let route = route.as_ref().map(axum::extract::MatchedPath::as_str);
    let status = resp.status();
    let is_problem = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(PROBLEM_JSON));
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, ERROR_BODY_MAX).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes);
    let allow = parts.headers.get(header::ALLOW).and_then(|v| v.to_str().ok());
    let detail = detail_of(status, &text, allow);
    let extra = if status == StatusCode::BAD_REQUEST || status == StatusCode::UNPROCESSABLE_ENTITY {
        let name = param_of(&text, route).unwrap_or_else(|| "body".into());
        let name = if status == StatusCode::UNPROCESSABLE_ENTITY {
            "body".to_string()
        } else {
            name
        };
        Some(json!({ "invalid_params": [{ "name": name, "reason": detail }] }))
    } else {
        None
    };
    let mut out = problem(status, title_of(status), &detail, extra);
    for (k, v) in &parts.headers {
        if k != header::CONTENT_TYPE && k != header::CONTENT_LENGTH {
            out.headers_mut().insert(k.clone(), v.clone());
        }
    }
    out
}

#[cfg(test)]
mod problem_tests {
    use super::*;

    #[test]
    fn the_parameter_at_fault_is_named() {
        assert_eq!(
            param_of("Invalid URL: Cannot parse `id` with value `abc` to a `i64`", None).as_deref(),
            Some("id")
        );
        assert_eq!(
            param_of(
                "Invalid URL: Cannot parse `abc` to a `i64`",
                Some("/api/practices/{id}/neighbourhood")
            )
            .as_deref(),
            Some("id")
        );
        assert_eq!(param_of("x", Some("/api/a/{b}/{c}")), None);
        assert!(detail_of(StatusCode::METHOD_NOT_ALLOWED, "", Some("GET,HEAD")).contains("GET,HEAD"));
    }
}
