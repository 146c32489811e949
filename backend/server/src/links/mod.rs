//! The `links` collection: links between two published practices, as LineStrings from one to the other.

pub mod write;

use std::collections::HashSet;

use repere_catalog::{Catalog, LinkEntry};
use repere_core::links::LinkKind;
use repere_core::temporal::Interval;
use repere_core::text::{Query, fold};
use serde::Serialize;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::geojson::{Extent, feature};
use crate::request::{CollectionInfo, ItemsQuery, candidates, paginate, parse_count};

pub const INFO: CollectionInfo = CollectionInfo {
    id: "links",
    title: "Liens entre projets",
    description: "Mises en relation entre deux usages publiés, tracées de l'un à l'autre.",
    filters: &[
        (
            "kind",
            "Type : inspired_by, collaboration, same_tool, visit, training, same_site",
        ),
        ("practice", "Identifiant d'un usage à l'une des deux extrémités"),
        (
            "network",
            "Identifiant d'un réseau (son plus petit identifiant d'usage, voir /api/networks)",
        ),
    ],
    temporal: Some("created_at"),
};

#[derive(Debug, Default)]
pub struct Filter {
    kind: Option<LinkKind>,
    practice: Option<i64>,
    network: Option<i64>,
    /// Members of the requested network, filled from the catalogue.
    members: Option<HashSet<i64>>,
    q: Option<Query>,
    datetime: Option<Interval>,
}

impl Filter {
    pub fn parse(q: &ItemsQuery) -> Result<Self, ApiError> {
        Ok(Self {
            kind: q.filter("kind").map(|k| LinkKind::parse("kind", k)).transpose()?,
            practice: q
                .filter("practice")
                .map(|p| parse_count("practice", p).map(|n| n as i64))
                .transpose()?,
            network: q
                .filter("network")
                .map(|p| parse_count("network", p).map(|n| n as i64))
                .transpose()?,
            members: None,
            q: q.q.clone(),
            datetime: q.datetime,
        })
    }

    pub fn matches(&self, e: &LinkEntry) -> bool {
        let l = &e.link;
        e.public
            && self.kind.is_none_or(|k| k == l.kind)
            && self.practice.is_none_or(|p| p == l.from_practice || p == l.to_practice)
            && self.members.as_ref().is_none_or(|m| m.contains(&l.from_practice))
            && self.q.as_ref().is_none_or(|q| {
                // Only the note is searched; few links have one, so it is folded here rather than
                // kept folded for two million links.
                l.note.as_deref().is_some_and(|n| q.matches(&fold(n)))
            })
            && self.datetime.is_none_or(|i| i.contains(l.created_at))
    }
}

/// The properties of a link as the API serves them; its OpenAPI schema (`LinkProperties`) is derived
/// from this struct, and the site's types from that schema.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = LinkProperties, description = "Propriétés d'un lien entre deux usages publiés")]
pub struct Properties<'a> {
    id: i64,
    from_practice: i64,
    to_practice: i64,
    kind: &'static str,
    /// Le type de lien, en toutes lettres.
    kind_label: &'static str,
    #[schema(value_type = Option<String>, required = true)]
    note: Option<&'a str>,
    #[schema(value_type = String, format = DateTime)]
    created_at: chrono::DateTime<chrono::Utc>,
    #[schema(value_type = String, format = DateTime)]
    updated_at: chrono::DateTime<chrono::Utc>,
}

pub fn render(e: &LinkEntry) -> Value {
    let l = &e.link;
    let geometry = match e.segment {
        Some((a, b)) => {
            json!({ "type": "LineString", "coordinates": [[a.lon, a.lat], [b.lon, b.lat]] })
        }
        None => Value::Null,
    };
    let properties = Properties {
        id: l.id,
        from_practice: l.from_practice,
        to_practice: l.to_practice,
        kind: l.kind.as_str(),
        kind_label: l.kind.label(),
        note: l.note.as_deref(),
        created_at: l.created_at,
        updated_at: l.updated_at,
    };
    feature(
        json!(l.id),
        geometry,
        serde_json::to_value(properties).unwrap_or(Value::Null),
    )
}

pub fn items(c: &Catalog, q: &ItemsQuery) -> Result<(usize, Vec<Value>), ApiError> {
    let mut f = Filter::parse(q)?;
    if let Some(network) = f.network {
        f.members = Some(c.network.network(network).into_iter().collect());
    }
    // The links of one practice come from its own list, not from a scan of every link.
    let keys = match (q.bbox, f.practice) {
        (Some(b), _) => Some(c.link_index.in_bbox(&b).collect()),
        (None, Some(p)) => Some(c.link_ids_of(p)),
        (None, None) => None,
    };
    let (n, page) = paginate(candidates(&c.links, keys).filter(|e| f.matches(e)), q);
    Ok((n, page.into_iter().map(|e| render(e)).collect()))
}

pub fn one(c: &Catalog, id: &str) -> Option<Value> {
    let id: i64 = id.parse().ok()?;
    c.links.get(&id).filter(|e| e.public).map(|e| render(e))
}

/// Spatial extent of the public links' ends, and the span of their creation.
pub fn extent(c: &Catalog) -> Extent {
    let mut x = Extent::default();
    for l in c.links.values().filter(|l| l.public) {
        if let Some((a, b)) = l.segment {
            x.grow(a);
            x.grow(b);
        }
        x.span(l.link.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    }
    x
}
