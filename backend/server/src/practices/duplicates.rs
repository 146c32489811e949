//! Duplicates: before submitting, the reports of the same establishment with a similar title or the
//! same tool — published ones, one's own, and colleagues' reports awaiting moderation.

use std::collections::BTreeSet;

use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use repere_core::Uai;
use repere_core::practices::PracticeStatus;
use repere_core::text::fold;
use serde::Deserialize;
use serde_json::{Value, json};

use super::contribution::REPORTERS;
use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct DuplicateQuery {
    uai: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    tool: Option<String>,
}

/// Words of a title that carry meaning (folded, 4 letters or more).
fn words(s: &str) -> BTreeSet<String> {
    fold(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 4)
        .map(str::to_owned)
        .collect()
}

/// GET /api/practices/duplicates?uai=&title=&tool= — reports of the same establishment with a
/// similar title or the same tool, to show before submitting.
pub async fn duplicates(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(q): Query<DuplicateQuery>,
) -> Result<Response, ApiError> {
    user.require(&REPORTERS)?;
    let uai = Uai::parse(&q.uai)?;
    let wanted = words(&q.title);
    let tool = q.tool.as_deref().map(fold).filter(|t| !t.trim().is_empty());
    let list: Vec<Value> = {
        let c = app.read_catalog()?;
        c.practices_of(uai)
            .filter_map(|e| {
                let yours = e.practice.author_id == Some(user.0.id);
                // A colleague's report awaiting moderation counts too (their drafts stay theirs).
                let seen = yours || e.practice.is_public() || e.practice.status == PracticeStatus::Submitted;
                let common = words(&e.practice.title).intersection(&wanted).count();
                let similar = !wanted.is_empty() && common * 2 >= wanted.len().max(1);
                let same_tool = tool.as_ref().is_some_and(|t| crate::request::has(&e.practice.tools, t));
                (seen && (similar || same_tool)).then(|| {
                    json!({ "id": e.practice.id, "title": e.practice.title, "status": e.practice.status.as_str(),
                            "yours": yours, "reason": if similar { "titre proche" } else { "même outil" } })
                })
            })
            .collect()
    };
    Ok(Json(json!({ "duplicates": list })).into_response())
}
