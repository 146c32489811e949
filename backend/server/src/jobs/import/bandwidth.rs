//! `repere import bandwidth FILE [--dry-run]`: bandwidth measurements per establishment.
//!
//! The file is a `;`-separated CSV (optional BOM, French or English decimals) with this header:
//!
//! ```text
//! uai;down_mbps;up_mbps;technology;source;date
//! 0060842H;500;200;ftth;measured;2025-10-01
//! ```
//!
//! `technology` is one of adsl, vdsl, ftth (or fibre), cable, thd_radio, satellite, mobile, other;
//! `source` is potential (or potentiel) or measured (or mesure/mesuré); `date` is YYYY-MM-DD or
//! DD/MM/YYYY and not in the future. Rows add to the establishment's history: the most recent value is
//! its current bandwidth. The same (UAI, date, source, technology) replaces the earlier value.

use std::collections::HashMap;
use std::path::Path;

use chrono::{NaiveDate, Utc};
use repere_core::Uai;
use repere_core::establishments::{Bandwidth, BandwidthSource, Technology};
use repere_core::text::fold;
use repere_store::Store;

use super::{ImportError, Rejected, Report, Table, decimal};

/// The columns the file must have.
pub const COLUMNS: [&str; 6] = ["uai", "down_mbps", "up_mbps", "technology", "source", "date"];

type Key = (Uai, NaiveDate, BandwidthSource, Technology);

fn technology(s: &str) -> Result<Technology, String> {
    match fold(s).trim() {
        "fibre" | "fttb" | "ftth" => Ok(Technology::Ftth),
        other => Technology::parse("technology", other).map_err(|e| e.message),
    }
}

fn source(s: &str) -> Result<BandwidthSource, String> {
    match fold(s).trim() {
        "potential" | "potentiel" => Ok(BandwidthSource::Potential),
        "measured" | "mesure" => Ok(BandwidthSource::Measured),
        other => Err(format!("source « {other} » inconnue (potential ou measured)")),
    }
}

fn date(s: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    let s = s.trim();
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .map_err(|_| format!("date « {s} » illisible (AAAA-MM-JJ ou JJ/MM/AAAA)"))?;
    if d > today {
        return Err(format!("date {d} dans le futur"));
    }
    Ok(d)
}

fn parse_row(
    cols: &[usize; 6],
    row: &[String],
    known: &HashMap<Uai, ()>,
    today: NaiveDate,
) -> Result<(Uai, Bandwidth), String> {
    let get = |i: usize| row.get(cols[i]).map(String::as_str).unwrap_or("");
    let uai = Uai::parse(get(0)).map_err(|e| e.message)?;
    if !known.contains_key(&uai) {
        return Err(format!("établissement {uai} inconnu (importez d'abord l'annuaire)"));
    }
    let down = decimal("down_mbps", get(1))?.ok_or("down_mbps manquant")?;
    let up = decimal("up_mbps", get(2))?.ok_or("up_mbps manquant")?;
    let b =
        Bandwidth::new(down, up, technology(get(3))?, source(get(4))?, date(get(5), today)?).map_err(|e| e.message)?;
    Ok((uai, b))
}

/// Imports a file from disk; see [`import_bytes`].
pub async fn import_file(store: &Store, path: &Path, dry_run: bool, progress: bool) -> Result<Report, ImportError> {
    let bytes = super::read(path)?;
    import_bytes(store, &bytes, dry_run, progress).await
}

/// Validates every row, then (unless `dry_run`) records the valid ones. Returns the report.
pub async fn import_bytes(store: &Store, bytes: &[u8], dry_run: bool, progress: bool) -> Result<Report, ImportError> {
    let table = Table::parse(bytes)?;
    let mut cols = [0usize; 6];
    for (slot, name) in cols.iter_mut().zip(COLUMNS) {
        *slot = table.col(name).ok_or_else(|| {
            ImportError::UnknownFormat(format!(
                "colonne {name} absente ; colonnes attendues : {}",
                COLUMNS.join(";")
            ))
        })?;
    }
    let establishments = repere_store::establishments::load_all(store).await?;
    let known: HashMap<Uai, ()> = establishments.iter().map(|e| (e.uai, ())).collect();
    let mut existing: HashMap<Key, (f64, f64)> = HashMap::new();
    for e in &establishments {
        for b in &e.bandwidth {
            existing.insert((e.uai, b.date, b.source, b.technology), (b.down_mbps, b.up_mbps));
        }
    }
    let today = Utc::now().date_naive();
    let mut report = Report {
        format: "Débits des établissements".into(),
        dry_run,
        read: table.rows.len(),
        ..Default::default()
    };
    let mut seen: HashMap<Key, u64> = HashMap::new();
    let mut to_write: Vec<(Uai, Bandwidth)> = Vec::new();
    for (line, fields) in &table.rows {
        match fields
            .as_ref()
            .map_err(Clone::clone)
            .and_then(|row| parse_row(&cols, row, &known, today))
        {
            Err(reason) => report.rejected.push(Rejected { line: *line, reason }),
            Ok((uai, b)) => {
                let key = (uai, b.date, b.source, b.technology);
                if let Some(first) = seen.get(&key) {
                    report.rejected.push(Rejected {
                        line: *line,
                        reason: format!("même mesure que la ligne {first}"),
                    });
                    continue;
                }
                seen.insert(key, *line);
                if report.counted(existing.get(&key).map(|&(d, u)| d == b.down_mbps && u == b.up_mbps)) {
                    to_write.push((uai, b));
                }
            }
        }
    }
    if dry_run || to_write.is_empty() {
        return Ok(report);
    }
    let uai = |(uai, _): &(Uai, Bandwidth)| *uai;
    super::write_in_batches(store, &to_write, "mesures", progress, uai, async |conn, chunk, now| {
        for (uai, b) in chunk {
            repere_store::establishments::add_bandwidth(conn, *uai, b, now).await?;
        }
        Ok(())
    })
    .await?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabulary_accepts_french_spellings() {
        assert_eq!(technology("Fibre").unwrap(), Technology::Ftth);
        assert_eq!(technology("thd_radio").unwrap(), Technology::ThdRadio);
        assert!(technology("pigeon").is_err());
        assert_eq!(source("Mesuré").unwrap(), BandwidthSource::Measured);
        assert_eq!(source("potentiel").unwrap(), BandwidthSource::Potential);
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        assert_eq!(
            date("01/10/2025", today).unwrap(),
            NaiveDate::from_ymd_opt(2025, 10, 1).unwrap()
        );
        assert!(date("2027-01-01", today).is_err());
        assert!(date("hier", today).is_err());
    }
}
