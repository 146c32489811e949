//! The open-data package: the published practices, the Fab' École and tiers-lieux, and the
//! establishments with their public bandwidth class, as CSV files described by a Data Package
//! descriptor (Table Schema, French field descriptions, Licence Ouverte / Etalab 2.0). Built from the
//! collections' public features, so that nothing the API does not publish can be in it (no author, no
//! contact, no note). `repere export opendata DIR` writes it; `/api/opendata/` serves it.

use chrono::{DateTime, Utc};
use repere_catalog::Catalog;
use serde_json::{Value, json};

use crate::collection::{Collection, Feature};
use crate::error::ApiError;

/// A column: CSV name, property read from the public feature (`@lon`, `@lat`: the position), Table
/// Schema type, French description.
type Column = (&'static str, &'static str, &'static str, &'static str);

/// The resources: file name, collection, title, columns.
const RESOURCES: [(&str, Collection, &str, &[Column]); 3] = [
    (
        "usages",
        Collection::Practices,
        "Usages numériques innovants publiés",
        &[
            ("id", "id", "integer", "Identifiant de l'usage dans Repère"),
            ("titre", "title", "string", "Titre de l'usage"),
            ("resume", "summary", "string", "Résumé de l'usage"),
            (
                "disciplines",
                "disciplines",
                "string",
                "Disciplines concernées, séparées par des virgules",
            ),
            (
                "niveaux",
                "levels",
                "string",
                "Niveaux de classe, séparés par des virgules",
            ),
            (
                "outils",
                "tools",
                "string",
                "Outils numériques utilisés, séparés par des virgules",
            ),
            ("themes", "themes", "string", "Thèmes, séparés par des virgules"),
            ("annee_scolaire", "school_year", "string", "Année scolaire (AAAA-AAAA)"),
            ("uai", "uai", "string", "Code UAI de l'établissement"),
            (
                "etablissement",
                "establishment_name",
                "string",
                "Nom de l'établissement",
            ),
            ("code_commune", "commune_code", "string", "Code INSEE de la commune"),
            ("commune", "commune_name", "string", "Nom de la commune"),
            ("departement", "departement", "string", "Code du département"),
            ("longitude", "@lon", "number", "Longitude WGS84 (degrés)"),
            ("latitude", "@lat", "number", "Latitude WGS84 (degrés)"),
            ("publie_le", "published_at", "datetime", "Date de publication (UTC)"),
        ],
    ),
    (
        "tiers_lieux",
        Collection::Sites,
        "Fab' École, tiers-lieux et fablabs éducatifs",
        &[
            ("id", "id", "integer", "Identifiant du lieu dans Repère"),
            ("nom", "name", "string", "Nom du lieu"),
            ("type", "kind", "string", "Type : fab_ecole, tiers_lieu ou fablab"),
            (
                "statut",
                "status",
                "string",
                "Statut : open (ouvert) ou planned (en projet)",
            ),
            ("uai", "uai", "string", "Code UAI de l'établissement d'accueil"),
            ("departement", "departement", "string", "Code du département"),
            ("ouverture", "opened_on", "string", "Date d'ouverture (AAAA-MM-JJ)"),
            (
                "equipements",
                "equipment",
                "string",
                "Équipements, séparés par des virgules",
            ),
            (
                "partenaires",
                "partners",
                "string",
                "Partenaires, séparés par des virgules",
            ),
            ("longitude", "@lon", "number", "Longitude WGS84 (degrés)"),
            ("latitude", "@lat", "number", "Latitude WGS84 (degrés)"),
        ],
    ),
    (
        "etablissements",
        Collection::Establishments,
        "Établissements et classe de débit publique",
        &[
            ("uai", "uai", "string", "Code UAI de l'établissement"),
            ("nom", "name", "string", "Nom de l'établissement"),
            ("type", "kind", "string", "Type : ecole, college, lycee, lp, other"),
            ("code_commune", "commune_code", "string", "Code INSEE de la commune"),
            ("commune", "commune_name", "string", "Nom de la commune"),
            ("departement", "departement", "string", "Code du département"),
            (
                "classe_debit",
                "bandwidth_class",
                "string",
                "Classe de débit descendant : lt8, 8-30, 30-100, gte100, unknown",
            ),
            ("longitude", "@lon", "number", "Longitude WGS84 (degrés)"),
            ("latitude", "@lat", "number", "Latitude WGS84 (degrés)"),
        ],
    ),
];

fn cell(f: &Value, prop: &str) -> String {
    let v = match prop {
        "@lon" => &f["geometry"]["coordinates"][0],
        "@lat" => &f["geometry"]["coordinates"][1],
        "id" => &f["id"],
        p => &f["properties"][p],
    };
    crate::response::cell_text(v)
}

/// Every public feature of `collection`.
fn features(c: &Catalog, collection: Collection) -> Result<Vec<Value>, ApiError> {
    let mut q = crate::request::parse_items_query(None, collection.info())?;
    q.limit = usize::MAX;
    let (_, list) = collection.select(c, &q)?;
    Ok(list.into_iter().map(Feature::into_value).collect())
}

/// The package: (file name, bytes) for each CSV and `datapackage.json`.
pub fn package(c: &Catalog, at: DateTime<Utc>) -> Result<Vec<(String, Vec<u8>)>, ApiError> {
    let mut files = Vec::new();
    let mut resources = Vec::new();
    for (name, collection, title, columns) in RESOURCES {
        let mut w = csv::Writer::from_writer(Vec::new());
        let err = |e: csv::Error| ApiError::Internal(e.to_string());
        w.write_record(columns.iter().map(|c| c.0)).map_err(err)?;
        for f in features(c, collection)? {
            w.write_record(columns.iter().map(|col| cell(&f, col.1))).map_err(err)?;
        }
        let bytes = w.into_inner().map_err(|e| ApiError::Internal(e.to_string()))?;
        resources.push(json!({
            "name": name,
            "title": title,
            "path": format!("{name}.csv"),
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": {
                "fields": columns.iter().map(|(n, _, t, d)| json!({ "name": n, "type": t, "description": d })).collect::<Vec<_>>(),
                "primaryKey": [columns[0].0],
            },
        }));
        files.push((format!("{name}.csv"), bytes));
    }
    let descriptor = json!({
        "profile": "tabular-data-package",
        "name": "repere-academie-de-nice",
        "title": "Repère — usages numériques innovants, tiers-lieux et débit des établissements de l'académie de Nice",
        "description": "Usages numériques innovants publiés par les enseignants et validés par la CARDIE et la DANE, Fab' École et tiers-lieux éducatifs, établissements des Alpes-Maritimes et du Var avec leur classe de débit. Aucune donnée personnelle.",
        "licenses": [{ "name": "etalab-2.0", "title": "Licence Ouverte / Open Licence version 2.0", "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/" }],
        "contributors": [{ "title": "CARDIE et DANE de l'académie de Nice", "role": "publisher" }],
        "created": crate::response::rfc3339(at),
        "keywords": ["éducation", "numérique", "académie de Nice", "Alpes-Maritimes", "Var"],
        "resources": resources,
    });
    files.push((
        "datapackage.json".into(),
        serde_json::to_vec_pretty(&descriptor).map_err(|e| ApiError::Internal(e.to_string()))?,
    ));
    Ok(files)
}

/// `repere export opendata DIR`: writes the package into `dir` (created if needed).
pub fn write(c: &Catalog, dir: &std::path::Path, at: DateTime<Utc>) -> anyhow::Result<Vec<String>> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for (name, bytes) in package(c, at).map_err(|e| anyhow::anyhow!("{e}"))? {
        std::fs::write(dir.join(&name), bytes)?;
        written.push(name);
    }
    Ok(written)
}
