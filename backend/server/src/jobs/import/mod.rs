//! Importers of official files. Shared here: reading a `;`-separated CSV with an optional UTF-8 BOM,
//! looking columns up by header name, French decimals, and the report printed at the end.

pub mod bandwidth;
pub mod communes;
pub mod download;
pub mod epci;
pub mod establishments;
pub mod fibre;
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

/// Rejections listed one by one for each reason; past it, the others of the same reason are counted.
const SAME_REASON_SHOWN: usize = 5;

impl Report {
    /// Counts one valid row against what the store holds — `same` is `None` for a row the store does
    /// not have, else whether the store's is identical — and says whether the row is to be written
    /// (created or updated).
    pub fn counted(&mut self, same: Option<bool>) -> bool {
        match same {
            Some(true) => {
                self.unchanged += 1;
                false
            }
            Some(false) => {
                self.updated += 1;
                true
            }
            None => {
                self.created += 1;
                true
            }
        }
    }

    /// Whether lines were read and every one was rejected (the file is refused as a whole).
    pub fn nothing_valid(&self) -> bool {
        !self.rejected.is_empty() && self.created + self.updated + self.unchanged == 0
    }
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
        // The same reason a thousand times (a file in another encoding, a shifted column) is told a
        // few times, then counted.
        let mut told: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for r in &self.rejected {
            let n = told.entry(r.reason.as_str()).or_default();
            *n += 1;
            if *n <= SAME_REASON_SHOWN {
                writeln!(f, "{unit} {} : {}", r.line, r.reason)?;
            }
        }
        let mut more: Vec<(&str, usize)> = told
            .into_iter()
            .filter(|(_, n)| *n > SAME_REASON_SHOWN)
            .map(|(reason, n)| (reason, n - SAME_REASON_SHOWN))
            .collect();
        more.sort();
        for (reason, n) in more {
            writeln!(f, "… et {n} autres {unit}s rejetées pour la même raison : {reason}")?;
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
    /// The file is not UTF-8: refused as a whole, with the first line at fault (a Latin-1 file would
    /// otherwise import its plain-ASCII lines and reject the others one by one).
    #[error(
        "le fichier n'est pas encodé en UTF-8 (première ligne en cause : {line}) : réenregistrez-le en UTF-8 (« CSV UTF-8 » dans un tableur) puis recommencez"
    )]
    Encoding { line: u64 },
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
        Self::parse_with(bytes, b';')
    }

    /// Like [`Table::parse`], the separator (`;` or `,`) taken from the header line: whichever of the
    /// two it holds more of.
    pub fn parse_sniffed(bytes: &[u8]) -> Result<Self, ImportError> {
        let header = bytes.split(|&b| b == b'\n').next().unwrap_or(&[]);
        let count = |c: u8| header.iter().filter(|&&b| b == c).count();
        Self::parse_with(bytes, if count(b',') > count(b';') { b',' } else { b';' })
    }

    fn parse_with(bytes: &[u8], delimiter: u8) -> Result<Self, ImportError> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        if let Err(e) = std::str::from_utf8(bytes) {
            let line = 1 + bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() as u64;
            return Err(ImportError::Encoding { line });
        }
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
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
                    if record.iter().any(|f| f.contains(&b'\n') || f.contains(&b'\r')) {
                        // A quote left open swallowed the next lines into one field: each of those
                        // lines is read on its own, and the one with the stray quote is rejected.
                        let start = record.position().map_or(0, |p| p.byte() as usize);
                        let end = (reader.position().byte() as usize).min(bytes.len());
                        rows.extend(lines_apart(&bytes[start..end], line, header_len, delimiter));
                        continue;
                    }
                    rows.push((line, fields_of(&record, header_len)));
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

    /// The column names, in the file's order.
    pub fn header(&self) -> Vec<String> {
        let mut named: Vec<(&String, &usize)> = self.columns.iter().collect();
        named.sort_by_key(|(_, i)| **i);
        named.into_iter().map(|(n, _)| n.clone()).collect()
    }

    /// Index of column `name`.
    pub fn col(&self, name: &str) -> Option<usize> {
        self.columns.get(name).copied()
    }
}

/// Longest field accepted, in characters (the longest official name is under 200).
pub const FIELD_MAX: usize = 1_000;

/// The trimmed fields of a record, or why it is rejected (count of fields, length).
fn fields_of(record: &csv::ByteRecord, header_len: usize) -> Result<Vec<String>, String> {
    if record.len() != header_len {
        return Err(format!("{} champs au lieu de {header_len}", record.len()));
    }
    let fields = record
        .iter()
        .map(|f| String::from_utf8_lossy(f).trim().to_string())
        .collect::<Vec<_>>();
    if let Some((i, f)) = fields.iter().enumerate().find(|(_, f)| f.chars().count() > FIELD_MAX) {
        return Err(format!(
            "champ n° {} trop long ({} caractères ; {FIELD_MAX} au plus)",
            i + 1,
            f.chars().count()
        ));
    }
    Ok(fields)
}

/// The lines of `raw` (first at `first_line`), each read as a record of its own without quoting; the
/// line that holds a stray quote is rejected with its number.
fn lines_apart(
    raw: &[u8],
    first_line: u64,
    header_len: usize,
    delimiter: u8,
) -> Vec<(u64, Result<Vec<String>, String>)> {
    let mut out = Vec::new();
    for (i, text) in raw.split(|&b| b == b'\n').enumerate() {
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        if text.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let line = first_line + i as u64;
        if text.contains(&b'"') {
            out.push((
                line,
                Err(
                    "guillemet ouvert et jamais refermé : la ligne est rejetée, les suivantes sont lues une à une"
                        .to_string(),
                ),
            ));
            continue;
        }
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .quoting(false)
            .has_headers(false)
            .flexible(true)
            .from_reader(text);
        let mut record = csv::ByteRecord::new();
        let fields = match reader.read_byte_record(&mut record) {
            Ok(true) => fields_of(&record, header_len),
            _ => Err("ligne CSV illisible".to_string()),
        };
        out.push((line, fields));
    }
    out
}

/// Writes `rows` in one unit of work (all or nothing), [`BATCH`] rows per statement, announcing the
/// establishments it touched (`uai` of a row) in the change log, with a progress bar of `what` when
/// `progress`. `write` writes one batch through the unit's connection.
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
    // One unit of work for the whole file: an import interrupted half-way leaves nothing behind.
    let mut unit = store.begin().await?;
    for chunk in rows.chunks(BATCH) {
        write(unit.conn(), chunk, now).await?;
        bar.inc(chunk.len() as u64);
    }
    unit.changed_many(
        rows.iter()
            .map(|r| repere_store::changes::Subject::Establishment(uai(r))),
        now,
    );
    unit.commit().await?;
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
    fn a_reason_repeated_a_thousand_times_is_counted_and_a_file_without_valid_line_is_refused() {
        let mut report = Report {
            read: 1002,
            ..Report::default()
        };
        for line in 2..1002 {
            report.rejected.push(Rejected {
                line,
                reason: "UAI invalide".into(),
            });
        }
        report.rejected.push(Rejected {
            line: 1002,
            reason: "latitude hors de France".into(),
        });
        let text = report.to_string();
        assert_eq!(text.matches("UAI invalide").count(), 6, "{text}");
        assert!(text.contains("… et 995 autres lignes rejetées pour la même raison : UAI invalide"));
        assert!(text.contains("ligne 1002 : latitude hors de France"));
        assert!(report.nothing_valid());
        report.created = 1;
        assert!(!report.nothing_valid());
    }

    #[test]
    fn a_stray_quote_swallows_no_line_and_long_fields_are_refused() {
        let file = "nom;commune\nA;Nice\n\"B;Antibes\nC;Toulon\nD;Hyères\n";
        let t = Table::parse(file.as_bytes()).unwrap();
        let lines: Vec<u64> = t.rows.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [2, 3, 4, 5], "every line read once: {:?}", t.rows);
        assert!(t.rows[1].1.as_ref().unwrap_err().contains("guillemet"));
        assert_eq!(t.rows[2].1, Ok(vec!["C".to_string(), "Toulon".to_string()]));
        assert_eq!(t.rows[3].1, Ok(vec!["D".to_string(), "Hyères".to_string()]));
        let long = format!("nom;commune\n{};Nice\n", "x".repeat(FIELD_MAX + 1));
        let t = Table::parse(long.as_bytes()).unwrap();
        assert!(t.rows[0].1.as_ref().unwrap_err().contains("trop long"));
        let latin1 = b"nom;commune\nA;Nice\nColl\xe8ge;Hy\xe8res\n";
        assert!(matches!(Table::parse(latin1), Err(ImportError::Encoding { line: 3 })));
    }

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
