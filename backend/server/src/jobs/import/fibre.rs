//! `repere import fibre FILE [--dry-run]`: the fibre (FttH) coverage of each commune from ARCEP's
//! deployment observatory (« Le marché du haut et très haut débit fixe — déploiements »), one row per
//! commune: `code_commune`, `nom_commune`, `logements`, `etablissements` (the premises counted) and one
//! `locaux_raccordables_<trimestre>` column per quarter (`locaux_raccordables_2018T1`); other columns
//! (`categorie_…`, `zone_tres_dense`, operators…) are read by nobody. The latest quarter of the file is
//! imported. Separator `,` or `;`, BOM optional; counts may carry spaces or thin spaces as thousands
//! separators, and `-` or an empty cell means none.
//!
//! A row with a bad commune code or count is rejected with its line; a commune listed twice keeps its
//! first row.

use std::collections::HashSet;
use std::path::Path;

use chrono::Utc;
use repere_core::fibre::{CommuneFibre, parse_quarter};
use repere_store::Store;
use repere_store::changes::Subject;

use super::{ImportError, Rejected, Report, Table, progress_bar};

const PREFIX: &str = "locaux_raccordables_";

/// Imports a file from disk; see [`import_bytes`].
pub async fn import_file(store: &Store, path: &Path, dry_run: bool, progress: bool) -> Result<Report, ImportError> {
    let bytes = super::read(path)?;
    import_bytes(store, &bytes, dry_run, progress).await
}

/// A count as ARCEP writes it: `24 966`, `24 966` (thin space), `-` or empty for none.
fn count(field: &str, s: &str) -> Result<u64, String> {
    let digits: String = s.chars().filter(|c| !c.is_whitespace() && *c != '\u{202f}').collect();
    if digits.is_empty() || digits == "-" {
        return Ok(0);
    }
    digits
        .parse::<u64>()
        .map_err(|_| format!("{field} : nombre entier attendu, « {s} » lu"))
}

/// The latest quarter the header has a `locaux_raccordables_` column for, with that column's name.
fn latest_quarter(table: &Table, header: &[String]) -> Option<(String, usize)> {
    header
        .iter()
        .filter_map(|h| {
            let q = parse_quarter(h.strip_prefix(PREFIX)?).ok()?;
            Some((q, table.col(h)?))
        })
        .max_by(|a, b| a.0.cmp(&b.0))
}

/// Validates every row, then (unless `dry_run`) records the coverage of the valid ones in one
/// transaction.
pub async fn import_bytes(store: &Store, bytes: &[u8], dry_run: bool, progress: bool) -> Result<Report, ImportError> {
    let table = Table::parse_sniffed(bytes)?;
    let header = table.header();
    let (Some(code_col), Some((quarter, connectable_col))) =
        (table.col("code_commune"), latest_quarter(&table, &header))
    else {
        return Err(ImportError::UnknownFormat(format!(
            "fichier ARCEP des déploiements FttH par commune attendu : colonnes code_commune, nom_commune, \
             logements, etablissements et {PREFIX}<trimestre> (ex. {PREFIX}2018T1)"
        )));
    };
    let name_col = table.col("nom_commune").or_else(|| table.col("nom"));
    let logements = table.col("logements");
    let etablissements = table.col("etablissements");
    let existing = repere_store::fibre::load_coverage(store).await?;
    let mut report = Report {
        format: format!("ARCEP, déploiements FttH par commune (trimestre {quarter})"),
        dry_run,
        unit: "ligne",
        ..Default::default()
    };
    let mut seen = HashSet::new();
    let mut to_write = Vec::new();
    for (line, fields) in &table.rows {
        report.read += 1;
        let row = fields.as_ref().map_err(Clone::clone).and_then(|f| {
            let cell = |c: Option<usize>| c.and_then(|i| f.get(i)).map_or("", String::as_str);
            let premises = count("logements", cell(logements))? + count("etablissements", cell(etablissements))?;
            let connectable = count(&format!("{PREFIX}{quarter}"), cell(Some(connectable_col)))?;
            let code = cell(Some(code_col));
            let name = match cell(name_col) {
                "" => code,
                n => n,
            };
            CommuneFibre::new(code, name, premises, connectable, &quarter).map_err(|e| e.message)
        });
        let commune = match row {
            Ok(c) => c,
            Err(reason) => {
                report.rejected.push(Rejected { line: *line, reason });
                continue;
            }
        };
        if !seen.insert(commune.code.clone()) {
            report.rejected.push(Rejected {
                line: *line,
                reason: format!("commune {} déjà lue plus haut", commune.code),
            });
            continue;
        }
        if report.counted(existing.get(&commune.code).map(|old| *old == commune)) {
            to_write.push(commune);
        }
    }
    if dry_run || to_write.is_empty() {
        return Ok(report);
    }
    let bar = progress_bar(to_write.len(), "communes", progress);
    let mut unit = store.begin().await?;
    for commune in &to_write {
        repere_store::fibre::put_coverage(unit.conn(), commune).await?;
        bar.inc(1);
    }
    unit.changed(Subject::All, Utc::now());
    unit.commit().await?;
    bar.finish_and_clear();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn counts_are_read_as_arcep_writes_them() {
        assert_eq!(count("x", "24966"), Ok(24_966));
        assert_eq!(count("x", "24 966"), Ok(24_966));
        assert_eq!(count("x", "24\u{202f}966"), Ok(24_966));
        assert_eq!(count("x", "24\u{a0}966"), Ok(24_966));
        assert_eq!(count("x", "-"), Ok(0));
        assert_eq!(count("x", ""), Ok(0));
        assert!(count("x", "12,5").is_err());
        assert!(count("x", "-3").is_err());
    }
}
