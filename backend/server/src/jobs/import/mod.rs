//! Importers of official files. Shared here: reading a `;`-separated CSV with an optional UTF-8 BOM,
//! looking columns up by header name, French decimals, and the report printed at the end.

pub mod bandwidth;
pub mod epci;
pub mod establishments;
pub mod opinee;

/// Rows written per transaction.
pub const BATCH: usize = 500;

use std::collections::HashMap;
use std::fmt;

/// One rejected line: its number in the file (the header is line 1; for a JSON file, the entry's
/// number) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub line: u64,
    pub reason: String,
}

/// What an import did (or, with `--dry-run`, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Which format was recognised.
    pub format: String,
    pub dry_run: bool,
    /// Data lines read.
    pub read: usize,
    pub created: usize,
    pub updated: usize,
    /// Lines identical to what the store already holds.
    pub unchanged: usize,
    pub rejected: Vec<Rejected>,
    /// Establishments without a position (UAI and line), listed apart: they are imported but cannot
    /// be drawn on the map.
    pub without_position: Vec<(u64, repere_core::Uai)>,
    /// How many of those were placed at their commune (`--place-at-commune`).
    pub placed_at_commune: usize,
    /// What a rejected number counts: `ligne` (CSV, the default) or `entrée` (JSON).
    pub unit: &'static str,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.dry_run {
            writeln!(f, "Simulation (--dry-run) : rien n'a été écrit.")?;
        }
        writeln!(f, "Format reconnu : {}", self.format)?;
        writeln!(
            f,
            "Lignes lues : {} · créés : {} · mis à jour : {} · inchangés : {} · rejetées : {}",
            self.read,
            self.created,
            self.updated,
            self.unchanged,
            self.rejected.len()
        )?;
        let unit = if self.unit.is_empty() { "ligne" } else { self.unit };
        for r in &self.rejected {
            writeln!(f, "{unit} {} : {}", r.line, r.reason)?;
        }
        if !self.without_position.is_empty() || self.placed_at_commune > 0 {
            writeln!(
                f,
                "Sans position dans le fichier : {} · placés à leur commune (--place-at-commune) : {}",
                self.without_position.len() + self.placed_at_commune,
                self.placed_at_commune
            )?;
            const SHOWN: usize = 20;
            for (line, uai) in self.without_position.iter().take(SHOWN) {
                writeln!(f, "  sans position : {uai} (ligne {line})")?;
            }
            if self.without_position.len() > SHOWN {
                writeln!(f, "  … et {} autres", self.without_position.len() - SHOWN)?;
            }
        }
        Ok(())
    }
}

/// Errors that stop an import before any row is written.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("impossible de lire {path} : {source}")]
    Read { path: String, source: std::io::Error },
    #[error("fichier vide ou sans en-tête")]
    NoHeader,
    #[error("en-tête non reconnu : {0}")]
    UnknownFormat(String),
    #[error("lecture CSV : {0}")]
    Csv(#[from] csv::Error),
    #[error("base de données : {0}")]
    Store(#[from] repere_store::StoreError),
}

/// The bytes of the file an import reads; an unreadable file stops the import before anything is written.
pub(crate) fn read(path: &std::path::Path) -> Result<Vec<u8>, ImportError> {
    std::fs::read(path).map_err(|source| ImportError::Read {
        path: path.display().to_string(),
        source,
    })
}

/// A CSV file read in full: header positions and raw records with their line numbers.
pub struct Table {
    columns: HashMap<String, usize>,
    pub header_len: usize,
    pub rows: Vec<(u64, Result<Vec<String>, String>)>,
}

impl Table {
    /// Parses `bytes` as a `;`-separated CSV, stripping a UTF-8 BOM. Each record is kept with its line
    /// number; a record that is not UTF-8 or has the wrong number of fields carries an error instead.
    pub fn parse(bytes: &[u8]) -> Result<Self, ImportError> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(b';')
            .flexible(true)
            .has_headers(true)
            .from_reader(bytes);
        let header = reader.byte_headers()?.clone();
        if header.is_empty() || header.iter().all(|h| h.is_empty()) {
            return Err(ImportError::NoHeader);
        }
        let columns = header
            .iter()
            .enumerate()
            .map(|(i, h)| (String::from_utf8_lossy(h).trim().to_string(), i))
            .collect::<HashMap<_, _>>();
        let header_len = header.len();
        // The csv crate skips blank lines without counting them, and a record's position is where the
        // reader started, before any blank line it skipped: count newlines up to the record's first
        // byte instead, incrementally (records come in order), so that line numbers match an editor.
        let mut counted_to = 0usize;
        let mut newlines = 0u64;
        let mut line_of = |byte: u64| {
            let mut at = (byte as usize).min(bytes.len());
            while at < bytes.len() && (bytes[at] == b'\n' || bytes[at] == b'\r') {
                at += 1;
            }
            if at >= counted_to {
                newlines += bytes[counted_to..at].iter().filter(|&&b| b == b'\n').count() as u64;
                counted_to = at;
            }
            1 + newlines
        };
        let mut rows = Vec::new();
        let mut record = csv::ByteRecord::new();
        loop {
            match reader.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {
                    let line = record.position().map(|p| line_of(p.byte())).unwrap_or(0);
                    if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
                        continue;
                    }
                    let fields = if record.len() != header_len {
                        Err(format!("{} champs au lieu de {header_len}", record.len()))
                    } else {
                        record
                            .iter()
                            .map(|f| std::str::from_utf8(f).map(|s| s.trim().to_string()))
                            .collect::<Result<Vec<_>, _>>()
                            .map_err(|_| "texte non UTF-8 (réenregistrez le fichier en UTF-8)".to_string())
                    };
                    rows.push((line, fields));
                }
                Err(e) => {
                    let line = e.position().map(|p| line_of(p.byte())).unwrap_or(0);
                    rows.push((line, Err(format!("ligne CSV illisible : {e}"))));
                }
            }
        }
        Ok(Self {
            columns,
            header_len,
            rows,
        })
    }

    /// Whether the header has a column called `name`.
    pub fn has(&self, name: &str) -> bool {
        self.columns.contains_key(name)
    }

    /// Index of column `name`.
    pub fn col(&self, name: &str) -> Option<usize> {
        self.columns.get(name).copied()
    }
}

/// Writes `rows` in units of work of [`BATCH`] rows, each announcing the establishments it touched
/// (`uai` of a row) in the change log, with a progress bar of `what` when `progress`. `write` writes one
/// batch through the unit's connection.
pub async fn write_in_batches<T>(
    store: &repere_store::Store,
    rows: &[T],
    what: &str,
    progress: bool,
    uai: impl Fn(&T) -> repere_core::Uai,
    write: impl AsyncFn(
        &mut repere_store::AnyConnection,
        &[T],
        chrono::DateTime<chrono::Utc>,
    ) -> Result<(), repere_store::StoreError>,
) -> Result<(), repere_store::StoreError> {
    let bar = progress_bar(rows.len(), what, progress);
    let now = chrono::Utc::now();
    for chunk in rows.chunks(BATCH) {
        let mut unit = store.begin().await?;
        write(unit.conn(), chunk, now).await?;
        unit.changed_many(
            chunk
                .iter()
                .map(|r| repere_store::changes::Subject::Establishment(uai(r))),
            now,
        );
        unit.commit().await?;
        bar.inc(chunk.len() as u64);
    }
    bar.finish_and_clear();
    Ok(())
}

/// A progress bar on stderr for `len` rows of `what` (hidden in tests and when not wanted).
pub fn progress_bar(len: usize, what: &str, visible: bool) -> indicatif::ProgressBar {
    let bar = if visible {
        indicatif::ProgressBar::new(len as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    if let Ok(style) = indicatif::ProgressStyle::with_template(&format!("{{bar:40}} {{pos}}/{{len}} {what} ({{eta}})"))
    {
        bar.set_style(style);
    }
    bar
}

/// Parses a decimal written either way (`43.7` or `43,7`); empty means absent.
pub fn decimal(field: &str, s: &str) -> Result<Option<f64>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .map(Some)
        .ok_or_else(|| format!("{field} « {s} » n'est pas un nombre"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_and_english_decimals() {
        assert_eq!(decimal("x", "43,5").unwrap(), Some(43.5));
        assert_eq!(decimal("x", " 7.25 ").unwrap(), Some(7.25));
        assert_eq!(decimal("x", "").unwrap(), None);
        assert!(decimal("x", "abc").is_err());
        assert!(decimal("x", "NaN").is_err());
    }

    #[test]
    fn bom_is_stripped_and_short_rows_are_flagged() {
        let t = Table::parse("\u{feff}a;b\n1;2\n3\n\n4;5\n".as_bytes()).unwrap();
        assert!(t.has("a"));
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.rows[0], (2, Ok(vec!["1".into(), "2".into()])));
        assert_eq!(t.rows[1].0, 3);
        assert!(t.rows[1].1.is_err());
        assert_eq!(t.rows[2].0, 5);
    }
}
