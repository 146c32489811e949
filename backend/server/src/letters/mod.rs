//! La lettre des usages (roadmap action 1-1): the editions inspectors write for their discipline
//! (`editions`), sent to the discipline's subscribers through the outbox (`send`), read on the web, in
//! the archive and in an Atom feed (`reading`), subscribed to with a double opt-in (`subscriptions`),
//! planned and measured (`planning`). The ad-hoc digest of `/lettre?since=` stays in `crate::letter`.

pub mod editions;
pub mod markdown;
pub mod planning;
pub mod reading;
pub mod send;
pub mod subscriptions;

use repere_core::letters::{edits_something, may_edit};
use repere_core::text::fold;
use repere_store::letters::Edition;

use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::routes::Routes;
use crate::state::AppState;

/// The disciplines `user` is bound to (scopes of kind `discipline`).
pub async fn my_disciplines(app: &AppState, user: &CurrentUser) -> Result<Vec<String>, ApiError> {
    Ok(repere_store::intentions::scopes_of(&app.store, user.0.id)
        .await?
        .into_iter()
        .filter(|(k, _)| k == "discipline")
        .map(|(_, v)| v)
        .collect())
}

/// Why someone may not write any edition, and what to do.
pub const NOT_AN_EDITOR: &str = "la lettre s'écrit par les inspecteurs et les IAN rattachés à leur discipline, et par la DANE : demandez à un administrateur de Repère de vous rattacher à votre discipline (Comptes, Rattachements)";

/// 403 unless `user` may write the editions of `discipline`.
pub async fn require_editor(app: &AppState, user: &CurrentUser, discipline: &str) -> Result<(), ApiError> {
    let mine = my_disciplines(app, user).await?;
    if may_edit(user.0.role, &mine, discipline) {
        Ok(())
    } else if edits_something(user.0.role, &mine) {
        Err(ApiError::Forbidden(format!(
            "vous n'éditez pas la lettre de « {discipline} » (vos disciplines : {})",
            mine.join(", ")
        )))
    } else {
        Err(ApiError::Forbidden(NOT_AN_EDITOR.into()))
    }
}

/// The key a discipline is matched by (case and accents folded).
pub fn key(discipline: &str) -> String {
    fold(discipline.trim())
}

/// The levels a plan or a subscription names: trimmed, blanks dropped; 30 at most, of 60 characters
/// each.
pub fn levels(given: &[String]) -> Result<Vec<String>, ApiError> {
    let levels: Vec<String> = given
        .iter()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    if levels.len() > 30 || levels.iter().any(|l| l.chars().count() > 60) {
        return Err(ApiError::field(repere_core::Invalid::new(
            "levels",
            "30 niveaux au plus, de 60 caractères chacun",
        )));
    }
    Ok(levels)
}

/// Every discipline of the published practices, as first written, sorted.
pub fn disciplines(app: &AppState) -> Result<Vec<String>, ApiError> {
    let c = app.read_catalog()?;
    let mut seen = std::collections::BTreeMap::new();
    for e in c.practices.values().filter(|e| e.practice.is_public()) {
        for d in e.practice.disciplines.iter() {
            seen.entry(fold(d)).or_insert_with(|| d.to_string());
        }
    }
    Ok(seen.into_values().collect())
}

/// An edition's public address.
pub fn edition_path(e: &Edition) -> String {
    format!("/lettre/{}", e.id)
}

/// The API routes (the reading pages are in [`reading::pages`]).
pub fn routes() -> Routes {
    editions::routes()
        .merge(planning::routes())
        .merge(subscriptions::routes())
}

/// Routes without session or CSRF token: the one-click unsubscribe of the editions' mails.
pub fn open_routes() -> Routes {
    subscriptions::open_routes()
}
