//! `repere import opinee FILE [--dry-run]`: OPINEE levels and labels per establishment and school year.
//!
//! The file is a `;`-separated CSV (optional BOM) with this header:
//!
//! ```text
//! uai;school_year;equipment_devices;equipment_network;equipment_resources;usage_teaching;usage_pupils;usage_training;usage_communication;label
//! 0060842H;2025-2026;7;8;6;5;6;4;7;2
//! 0830148K;2025-2026;;;;;;;;1
//! ```
//!
//! The seven levels (0–10) go together: all given or all empty. `label` (1–3) may be empty. A row
//! replaces what Repère held for that establishment and school year. A school year that has not begun
//! is refused, as is an unknown UAI.

use std::collections::HashMap;
use std::path::Path;

use chrono::Utc;
use repere_core::opinee::{Field, Levels, Profile, check_year, label};
use repere_core::{SchoolYear, Uai};
use repere_store::Store;

use super::{ImportError, Rejected, Report, Table};

/// The columns the file must have, in this order in the documentation (any order in the file).
pub const COLUMNS: [&str; 10] = [
    "uai",
    "school_year",
    "equipment_devices",
    "equipment_network",
    "equipment_resources",
    "usage_teaching",
    "usage_pupils",
    "usage_training",
    "usage_communication",
    "label",
];

fn integer(field: &str, s: &str) -> Result<Option<i64>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<i64>()
        .map(Some)
        .map_err(|_| format!("{field} « {s} » n'est pas un nombre entier"))
}

fn parse_row(
    cols: &[usize; 10],
    row: &[String],
    known: &HashMap<Uai, Vec<Profile>>,
    today: chrono::NaiveDate,
) -> Result<(Uai, Profile), String> {
    let get = |i: usize| row.get(cols[i]).map(String::as_str).unwrap_or("");
    let uai = Uai::parse(get(0)).map_err(|e| e.message)?;
    if !known.contains_key(&uai) {
        return Err(format!("établissement {uai} inconnu (importez d'abord l'annuaire)"));
    }
    let year = SchoolYear::parse(get(1)).map_err(|e| e.message)?;
    check_year(year, today).map_err(|e| e.message)?;
    let mut values = [None; 7];
    for (i, slot) in values.iter_mut().enumerate() {
        *slot = integer(COLUMNS[2 + i], get(2 + i))?;
    }
    let levels = match values.iter().filter(|v| v.is_some()).count() {
        0 => None,
        7 => Some(Levels::new(values.map(|v| v.unwrap_or_default())).map_err(|e| e.to_string())?),
        _ => {
            let missing: Vec<&str> = Field::ALL
                .iter()
                .zip(values)
                .filter(|(_, v)| v.is_none())
                .map(|(f, _)| f.as_str())
                .collect();
            return Err(format!(
                "niveaux OPINEE incomplets (manquent : {}) : les 7 vont ensemble",
                missing.join(", ")
            ));
        }
    };
    let label = integer("label", get(9))?
        .map(label)
        .transpose()
        .map_err(|e| e.message)?;
    let profile = Profile {
        school_year: year,
        levels,
        label,
    };
    if profile.is_empty() {
        return Err("ni niveaux OPINEE ni label".into());
    }
    Ok((uai, profile))
}

/// Imports a file from disk; see [`import_bytes`].
pub async fn import_file(store: &Store, path: &Path, dry_run: bool, progress: bool) -> Result<Report, ImportError> {
    let bytes = super::read(path)?;
    import_bytes(store, &bytes, dry_run, progress).await
}

/// Validates every row, then (unless `dry_run`) records the valid ones. Returns the report.
pub async fn import_bytes(store: &Store, bytes: &[u8], dry_run: bool, progress: bool) -> Result<Report, ImportError> {
    let table = Table::parse(bytes)?;
    let mut cols = [0usize; 10];
    for (slot, name) in cols.iter_mut().zip(COLUMNS) {
        *slot = table.col(name).ok_or_else(|| {
            ImportError::UnknownFormat(format!(
                "colonne {name} absente ; colonnes attendues : {}",
                COLUMNS.join(";")
            ))
        })?;
    }
    let known: HashMap<Uai, Vec<Profile>> = repere_store::establishments::load_all(store)
        .await?
        .into_iter()
        .map(|e| (e.uai, e.profiles))
        .collect();
    let today = Utc::now().date_naive();
    let mut report = Report {
        format: "OPINEE et labels".into(),
        dry_run,
        read: table.rows.len(),
        ..Default::default()
    };
    let mut seen: HashMap<(Uai, SchoolYear), u64> = HashMap::new();
    let mut to_write: Vec<(Uai, Profile)> = Vec::new();
    for (line, fields) in &table.rows {
        let parsed = fields
            .as_ref()
            .map_err(Clone::clone)
            .and_then(|row| parse_row(&cols, row, &known, today));
        match parsed {
            Err(reason) => report.rejected.push(Rejected { line: *line, reason }),
            Ok((uai, p)) => {
                if let Some(first) = seen.get(&(uai, p.school_year)) {
                    report.rejected.push(Rejected {
                        line: *line,
                        reason: format!("{uai} {} déjà donné ligne {first}", p.school_year),
                    });
                    continue;
                }
                seen.insert((uai, p.school_year), *line);
                match known[&uai].iter().find(|old| old.school_year == p.school_year) {
                    Some(old) if *old == p => report.unchanged += 1,
                    Some(_) => {
                        report.updated += 1;
                        to_write.push((uai, p));
                    }
                    None => {
                        report.created += 1;
                        to_write.push((uai, p));
                    }
                }
            }
        }
    }
    if dry_run || to_write.is_empty() {
        return Ok(report);
    }
    let uai = |(uai, _): &(Uai, Profile)| *uai;
    super::write_in_batches(store, &to_write, "profils", progress, uai, async |conn, chunk, now| {
        for (uai, p) in chunk {
            repere_store::opinee::put(conn, *uai, p, now).await?;
        }
        Ok(())
    })
    .await?;
    Ok(report)
}
