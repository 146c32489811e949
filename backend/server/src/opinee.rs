//! Editing OPINEE levels and labels (admins): one establishment, one school year at a time. Each change
//! is audited (old and new values) and applied to the catalogue through the change log. Reading is
//! part of the establishment (`/api/collections/establishments/items/{uai}`); the compilation by
//! territory is in `indicators::opinee`.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use repere_core::opinee::{Field, Levels, Profile, ProfileDto, check_year, label};
use repere_core::users::Role;
use repere_core::{Invalid, SchoolYear, Uai};
use repere_store::changes::Subject;
use repere_store::unit::Trace;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::request::json_body;
use crate::routes::Routes;
use crate::state::AppState;

/// The body of a PUT: `{"levels": {field: 0–10, …} | null, "label": 1–3 | null}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileInput {
    #[serde(default)]
    levels: Option<BTreeMap<String, Value>>,
    #[serde(default)]
    label: Option<Value>,
}

fn integer(field: &'static str, v: &Value) -> Result<i64, Invalid> {
    v.as_i64()
        .ok_or_else(|| Invalid::new(field, format!("nombre entier attendu, reçu {v}")))
}

impl ProfileInput {
    fn validate(&self, school_year: SchoolYear) -> Result<Profile, Invalid> {
        let levels = match &self.levels {
            None => None,
            Some(map) => {
                if let Some(unknown) = map.keys().find(|k| Field::parse("levels", k).is_err()) {
                    return Err(Field::parse("levels", unknown).unwrap_err());
                }
                let mut values = [0i64; 7];
                for (slot, f) in values.iter_mut().zip(Field::ALL) {
                    let v = map.get(f.as_str()).ok_or_else(|| {
                        Invalid::new(f.as_str(), "niveau manquant : les 7 champs OPINEE vont ensemble")
                    })?;
                    *slot = integer(f.as_str(), v)?;
                }
                Some(Levels::new(values)?)
            }
        };
        let label = match &self.label {
            None | Some(Value::Null) => None,
            Some(v) => Some(label(integer("label", v)?)?),
        };
        Ok(Profile {
            school_year,
            levels,
            label,
        })
    }
}

fn path_params(uai: &str, year: &str) -> Result<(Uai, SchoolYear), ApiError> {
    let uai = Uai::parse(uai).map_err(|e| ApiError::param("uai", e.message))?;
    let year = SchoolYear::parse(year).map_err(|e| ApiError::param("school_year", e.message))?;
    check_year(year, Utc::now().date_naive()).map_err(|e| ApiError::param("school_year", e.message))?;
    Ok((uai, year))
}

/// The profile held for `uai` and `year`, or 404 when the establishment is unknown.
fn held(app: &AppState, uai: Uai, year: SchoolYear) -> Result<Option<Profile>, ApiError> {
    let c = app.read_catalog()?;
    let e = c
        .establishments
        .get(&uai)
        .ok_or_else(|| ApiError::NotFound(format!("aucun établissement {uai}")))?;
    Ok(e.establishment.profiles.iter().find(|p| p.school_year == year).cloned())
}

/// Writes (or, for an empty profile, removes) the profile with its audit entry and change-log row.
async fn record(
    app: &AppState,
    user: &CurrentUser,
    uai: Uai,
    old: Option<&Profile>,
    new: &Profile,
) -> Result<(), ApiError> {
    let now = Utc::now();
    let mut unit = app.store.begin().await?;
    repere_store::opinee::put(unit.conn(), uai, new, now).await?;
    let dto = |p: Option<&Profile>| p.filter(|p| !p.is_empty()).map(ProfileDto::from);
    let changes = json!({ "school_year": new.school_year, "old": dto(old), "new": dto(Some(new)) });
    let action = if new.is_empty() { "opinee_delete" } else { "opinee_put" };
    unit.audit(Trace {
        entity: "establishment",
        key: uai.as_str().to_string(),
        user: Some(user.0.id),
        action,
        changes,
        at: now,
    })
    .await?;
    unit.changed(Subject::Establishment(uai), now);
    app.commit(unit).await?;
    Ok(())
}

/// PUT /api/establishments/{uai}/opinee/{school_year} — admins: records the OPINEE levels and label of
/// that year (replacing what was there). Answers the profile as recorded.
pub async fn put(
    State(app): State<AppState>,
    user: CurrentUser,
    Path((uai, year)): Path<(String, String)>,
    body: Result<Json<ProfileInput>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    user.require(&[Role::Admin])?;
    let (uai, year) = path_params(&uai, &year)?;
    let input = json_body(body)?;
    let profile = input.validate(year).map_err(ApiError::field)?;
    if profile.is_empty() {
        return Err(ApiError::field(Invalid::new(
            "levels",
            "ni niveaux OPINEE ni label : pour tout retirer, utilisez DELETE",
        )));
    }
    let old = held(&app, uai, year)?;
    record(&app, &user, uai, old.as_ref(), &profile).await?;
    Ok(Json(ProfileDto::from(&profile)).into_response())
}

/// DELETE /api/establishments/{uai}/opinee/{school_year} — admins: removes that year's levels and label.
pub async fn delete(
    State(app): State<AppState>,
    user: CurrentUser,
    Path((uai, year)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    user.require(&[Role::Admin])?;
    let (uai, year) = path_params(&uai, &year)?;
    let Some(old) = held(&app, uai, year)? else {
        return Err(ApiError::NotFound(format!("aucun profil OPINEE pour {uai} en {year}")));
    };
    let empty = Profile {
        school_year: year,
        levels: None,
        label: None,
    };
    record(&app, &user, uai, Some(&old), &empty).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// An establishment's OPINEE profile of a school year (admins).
pub fn routes() -> Routes {
    Routes::new()
        .put("/establishments/{uai}/opinee/{school_year}", put)
        .delete("/establishments/{uai}/opinee/{school_year}", delete)
}
