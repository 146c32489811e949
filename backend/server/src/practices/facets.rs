//! GET /api/practices/facets — the values of each facet (discipline, level, tool, school year,
//! département) among the published practices, with how many practices each would show. A facet is
//! counted under every *other* filter of the request, so the filter panel can offer the alternatives to
//! the value already chosen and hide the values that would lead to nothing.

use std::collections::HashMap;

use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::{Filter, INFO};
use crate::error::ApiError;
use crate::request::{candidates, parse_items_query};
use crate::state::AppState;
use repere_catalog::PracticeEntry;

/// The facets, in the order of the filter panel.
pub const FACETS: [&str; 5] = ["discipline", "level", "tool", "school_year", "departement"];

#[derive(Serialize)]
struct Value {
    value: String,
    count: usize,
}

#[derive(Serialize)]
struct Body {
    #[serde(rename = "numberMatched")]
    number_matched: usize,
    facets: HashMap<&'static str, Vec<Value>>,
}

/// The values an entry contributes to facet `i` of [`FACETS`].
fn values(e: &PracticeEntry, i: usize, out: &mut Vec<String>) {
    let p = &e.practice;
    match i {
        0 => out.extend(p.disciplines.iter().map(|v| v.to_string())),
        1 => out.extend(p.levels.iter().map(|v| v.to_string())),
        2 => out.extend(p.tools.iter().map(|v| v.to_string())),
        3 => out.push(p.school_year.to_string()),
        _ => out.push(e.departement().to_string()),
    }
}

pub async fn facets(State(app): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let q = parse_items_query(raw.as_deref(), &INFO)?;
    let filter = Filter::parse(&q)?;
    let c = app.read_catalog()?;
    let keys = q.bbox.map(|b| c.practice_index.in_bbox(&b).collect());
    let mut counts: Vec<HashMap<String, usize>> = vec![HashMap::new(); FACETS.len()];
    let mut matched = 0;
    let mut scratch = Vec::new();
    for e in candidates(&c.practices, keys) {
        // Passing everything: it counts in every facet. Failing one facet only: it counts in that facet
        // (choosing another value there would show it). Failing two or more: it counts nowhere.
        let facets = match filter.failed_facets(e) {
            None => continue,
            Some(0) => {
                matched += 1;
                0..FACETS.len()
            }
            Some(failed) => {
                let i = failed.trailing_zeros() as usize;
                i..i + 1
            }
        };
        for i in facets {
            scratch.clear();
            values(e, i, &mut scratch);
            scratch.sort();
            scratch.dedup();
            for v in scratch.drain(..) {
                *counts[i].entry(v).or_default() += 1;
            }
        }
    }
    let facets = FACETS
        .iter()
        .zip(counts)
        .map(|(name, m)| {
            let mut v: Vec<Value> = m.into_iter().map(|(value, count)| Value { value, count }).collect();
            v.sort_by(|a, b| a.value.cmp(&b.value));
            (*name, v)
        })
        .collect();
    Ok(axum::Json(Body {
        number_matched: matched,
        facets,
    })
    .into_response())
}
