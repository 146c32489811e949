//! `repere import communes FILE [--dry-run]`: the outlines of the communes, for the choropleth of
//! their fibre coverage, from a GeoJSON FeatureCollection in CRS84 — IGN's Admin Express converted to
//! GeoJSON (`INSEE_COM`, `NOM`) or the usual open-data extracts of it (`code`, `nom`). Each outline is
//! simplified to about 100 m and its coordinates rounded to about 10 m: the map shows communes, not
//! parcels, and the whole académie stays a light download.
//!
//! A feature without a valid INSEE code, or whose geometry is not a polygon, is rejected with its number
//! (1 = first feature); a commune listed twice keeps its first outline.

use std::collections::HashSet;
use std::path::Path;

use chrono::Utc;
use geo::{Coord, MapCoords, MultiPolygon, Simplify};
use repere_core::establishments::check_commune_code;
use repere_core::fibre::{CommuneOutline, departement_of_commune};
use repere_store::Store;
use repere_store::changes::Subject;

use super::{ImportError, Rejected, Report};

/// Douglas–Peucker tolerance, degrees (≈ 100 m at 43° N).
const TOLERANCE: f64 = 0.001;
/// Coordinates kept to 4 decimals (≈ 10 m).
const ROUNDING: f64 = 1e4;

/// Imports a file from disk; see [`import_bytes`].
pub async fn import_file(store: &Store, path: &Path, dry_run: bool) -> Result<Report, ImportError> {
    let bytes = super::read(path)?;
    import_bytes(store, &bytes, dry_run).await
}

fn property<'a>(f: &'a geojson::Feature, names: &[&str]) -> Option<&'a str> {
    names
        .iter()
        .find_map(|n| f.property(n).and_then(|v| v.as_str()))
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// The simplified outline of one feature, or why it is rejected.
fn outline_of(f: &geojson::Feature) -> Result<CommuneOutline, String> {
    let code = property(f, &["INSEE_COM", "insee_com", "code", "code_insee", "code_commune"])
        .ok_or("pas de code INSEE (propriété code ou INSEE_COM)")?
        .to_ascii_uppercase();
    check_commune_code(&code).map_err(|e| e.message)?;
    let name = property(f, &["NOM", "nom", "NOM_COM", "nom_commune"])
        .unwrap_or(&code)
        .to_string();
    let geometry = f
        .geometry
        .as_ref()
        .ok_or_else(|| format!("commune {code} sans géométrie"))?;
    let shape: MultiPolygon<f64> = match geo::Geometry::<f64>::try_from(geometry.clone()) {
        Ok(geo::Geometry::Polygon(p)) => MultiPolygon(vec![p]),
        Ok(geo::Geometry::MultiPolygon(m)) => m,
        _ => return Err(format!("commune {code} : un Polygon ou un MultiPolygon est attendu")),
    };
    let in_degrees = |c: &Coord<f64>| c.x.abs() <= 180.0 && c.y.abs() <= 90.0;
    if !shape.0.iter().flat_map(|p| p.exterior().0.iter()).all(in_degrees) {
        return Err(format!(
            "commune {code} : coordonnées hors des degrés (CRS84 attendu ; reprojetez, ex. ogr2ogr -t_srs CRS:84)"
        ));
    }
    let round = |v: f64| (v * ROUNDING).round() / ROUNDING;
    let simplified = shape.simplify(TOLERANCE).map_coords(|c| Coord {
        x: round(c.x),
        y: round(c.y),
    });
    // A tiny commune may vanish under the tolerance: keep it as it came rather than lose it.
    let kept = if simplified.0.iter().all(|p| p.exterior().0.len() >= 4) {
        simplified
    } else {
        shape
    };
    let geometry = geojson::Geometry::from(&geo::Geometry::MultiPolygon(kept));
    Ok(CommuneOutline {
        departement: departement_of_commune(&code).to_string(),
        code,
        name,
        geometry: geometry.to_string(),
    })
}

/// Validates every feature, then (unless `dry_run`) records the outlines in one transaction.
pub async fn import_bytes(store: &Store, bytes: &[u8], dry_run: bool) -> Result<Report, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let collection: geojson::FeatureCollection = std::str::from_utf8(bytes)
        .map_err(|_| ImportError::Encoding { line: 1 })?
        .parse::<geojson::GeoJson>()
        .and_then(geojson::FeatureCollection::try_from)
        .map_err(|e| {
            ImportError::UnknownFormat(format!(
                "GeoJSON attendu : une FeatureCollection des communes (propriétés code et nom) ({e})"
            ))
        })?;
    let existing = repere_store::fibre::load_outlines(store).await?;
    let mut report = Report {
        format: "Contours des communes (GeoJSON)".into(),
        dry_run,
        unit: "entrée",
        ..Default::default()
    };
    let mut seen = HashSet::new();
    let mut to_write = Vec::new();
    for (i, feature) in collection.features.iter().enumerate() {
        let number = i as u64 + 1;
        report.read += 1;
        let outline = match outline_of(feature) {
            Ok(o) => o,
            Err(reason) => {
                report.rejected.push(Rejected { line: number, reason });
                continue;
            }
        };
        if !seen.insert(outline.code.clone()) {
            report.rejected.push(Rejected {
                line: number,
                reason: format!("commune {} déjà lue plus haut", outline.code),
            });
            continue;
        }
        if report.counted(existing.get(&outline.code).map(|old| *old == outline)) {
            to_write.push(outline);
        }
    }
    if dry_run || to_write.is_empty() {
        return Ok(report);
    }
    let mut unit = store.begin().await?;
    for outline in &to_write {
        repere_store::fibre::put_outline(unit.conn(), outline).await?;
    }
    unit.changed(Subject::All, Utc::now());
    unit.commit().await?;
    Ok(report)
}
