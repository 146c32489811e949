//! `repere import epci FILE [--dry-run]`: which EPCI each commune belongs to, from the official list of
//! EPCI in the JSON shape published with the Code officiel géographique (the `epci.json` of the
//! « découpage administratif » data): an array of `{"code": SIREN, "nom": …, "membres": [{"code":
//! INSEE commune code, "nom": …}, …]}`; other keys are ignored.
//!
//! A commune listed twice keeps its first EPCI and the second is rejected; an entry with a bad SIREN,
//! no name or a bad commune code is rejected whole, with its entry number (1 = first EPCI).

use std::collections::HashMap;
use std::path::Path;

use chrono::Utc;
use repere_core::establishments::{Epci, check_commune_code};
use repere_store::Store;
use repere_store::changes::Subject;
use serde::Deserialize;

use super::{ImportError, Rejected, Report};

#[derive(Deserialize)]
struct Entry {
    #[serde(default)]
    code: String,
    #[serde(default)]
    nom: String,
    #[serde(default)]
    membres: Vec<Member>,
}

#[derive(Deserialize)]
struct Member {
    #[serde(default)]
    code: String,
}

fn parse_entry(e: &Entry) -> Result<(Epci, Vec<String>), String> {
    let epci = Epci::new(&e.code, &e.nom).map_err(|e| e.message)?;
    if e.membres.is_empty() {
        return Err(format!("EPCI {} sans commune membre", epci.code));
    }
    let mut communes = Vec::with_capacity(e.membres.len());
    for m in &e.membres {
        let code = m.code.trim().to_ascii_uppercase();
        check_commune_code(&code).map_err(|err| format!("EPCI {} : {}", epci.code, err.message))?;
        communes.push(code);
    }
    Ok((epci, communes))
}

/// Imports a file from disk; see [`import_bytes`].
pub async fn import_file(store: &Store, path: &Path, dry_run: bool) -> Result<Report, ImportError> {
    let bytes = super::read(path)?;
    import_bytes(store, &bytes, dry_run).await
}

/// Validates every entry, then (unless `dry_run`) records every member commune of the valid ones, in
/// one transaction. `read` counts member communes.
pub async fn import_bytes(store: &Store, bytes: &[u8], dry_run: bool) -> Result<Report, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let entries: Vec<Entry> = serde_json::from_slice(bytes).map_err(|e| {
        ImportError::UnknownFormat(format!(
            "JSON attendu : une liste d'EPCI {{code, nom, membres: [{{code}}]}} ({e})"
        ))
    })?;
    let existing = repere_store::epci::load_all(store).await?;
    let mut report = Report {
        format: "Liste des EPCI (JSON du découpage administratif)".into(),
        dry_run,
        unit: "entrée",
        ..Default::default()
    };
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut to_write: Vec<(String, Epci)> = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let number = i as u64 + 1;
        report.read += entry.membres.len();
        let (epci, communes) = match parse_entry(entry) {
            Ok(v) => v,
            Err(reason) => {
                report.rejected.push(Rejected { line: number, reason });
                continue;
            }
        };
        for commune in communes {
            if let Some(first) = seen.get(&commune) {
                report.rejected.push(Rejected {
                    line: number,
                    reason: format!("commune {commune} déjà membre de l'EPCI {first}"),
                });
                continue;
            }
            seen.insert(commune.clone(), epci.code.clone());
            if report.counted(existing.get(&commune).map(|old| *old == epci)) {
                to_write.push((commune, epci.clone()));
            }
        }
    }
    if dry_run || to_write.is_empty() {
        return Ok(report);
    }
    let now = Utc::now();
    let mut unit = store.begin().await?;
    for (commune, epci) in &to_write {
        repere_store::epci::put(unit.conn(), commune, epci).await?;
    }
    unit.changed(Subject::All, now);
    unit.commit().await?;
    Ok(report)
}
