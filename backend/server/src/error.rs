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
    /// Too many failed attempts (429), with the seconds to wait.
    #[error("trop de tentatives")]
    TooManyRequests { retry_after_s: u64 },
    /// The resource does not exist, or is not visible to the caller (404).
    #[error("{0}")]
    NotFound(String),
    /// A service this request needs is not available on this machine (503), e.g. map rendering.
    #[error("{0}")]
    Unavailable(String),
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
            Self::TooManyRequests { retry_after_s } => {
                let mut resp = problem(
                    StatusCode::TOO_MANY_REQUESTS,
                    "Trop de tentatives",
                    &format!(
                        "Trop de tentatives de connexion : réessayez dans {} minutes.",
                        retry_after_s.div_ceil(60)
                    ),
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
