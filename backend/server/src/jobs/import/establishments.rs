//! `repere import establishments FILE [--dry-run]`: the two official exports, recognised by header.
//!
//! - Annuaire de l'éducation (`fr-en-annuaire-education`, 71 columns, `Identifiant_de_l_etablissement`);
//! - Adresse et géolocalisation des établissements (35 columns, `numero_uai`, Lambert-93
//!   `coordonnee_x/y`).
//!
//! Every row is validated first; valid rows are upserted by UAI in batches, each batch one transaction,
//! so no establishment is ever half-written, and a bad row never stops the others.
//!
//! Rows without a usable position are imported and listed apart in the report. With
//! `--place-at-commune` they are placed at the centre of the positioned establishments of the same
//! commune (from the file and from the store) and flagged `placed_at_commune`; a commune with no
//! positioned establishment leaves them without position.

use std::collections::HashMap;
use std::path::Path;

use repere_core::establishments::{
    Establishment, EstablishmentKind, Sector, check_commune_code, normalise_departement,
};
use repere_core::text::fold;
use repere_core::{LonLat, Uai};
use repere_store::Store;

use super::{ImportError, Rejected, Report, Table, decimal};

/// The official formats this importer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Annuaire,
    Adresse,
}

impl Format {
    /// Recognises the format from the header.
    pub fn detect(t: &Table) -> Result<Self, ImportError> {
        if t.has("Identifiant_de_l_etablissement") {
            Ok(Self::Annuaire)
        } else if t.has("numero_uai") {
            Ok(Self::Adresse)
        } else {
            Err(ImportError::UnknownFormat(
                "attendu l'Annuaire de l'éducation (colonne Identifiant_de_l_etablissement) ou « adresse et géolocalisation » (colonne numero_uai)".into(),
            ))
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Annuaire => "Annuaire de l'éducation",
            Self::Adresse => "Adresse et géolocalisation des établissements",
        }
    }

    /// Column names, in the order of [`Columns`].
    fn names(self) -> [&'static str; 12] {
        match self {
            Self::Annuaire => [
                "Identifiant_de_l_etablissement",
                "Nom_etablissement",
                "Type_etablissement",
                "libelle_nature",
                "Statut_public_prive",
                "Code_commune",
                "Nom_commune",
                "Code_departement",
                "latitude",
                "longitude",
                "coordX_origine",
                "coordY_origine",
            ],
            Self::Adresse => [
                "numero_uai",
                "appellation_officielle",
                "nature_uai_libe",
                "nature_uai_libe",
                "secteur_public_prive_libe",
                "code_commune",
                "libelle_commune",
                "code_departement",
                "latitude",
                "longitude",
                "coordonnee_x",
                "coordonnee_y",
            ],
        }
    }

    fn epsg_column(self) -> &'static str {
        match self {
            Self::Annuaire => "epsg_origine",
            Self::Adresse => "EPSG",
        }
    }
}

/// Column positions of the fields the importer reads.
struct Columns {
    idx: [Option<usize>; 12],
    epsg: Option<usize>,
    voie_pro: Option<usize>,
    voie_gen: Option<usize>,
    voie_techno: Option<usize>,
    fallback_name: Option<usize>,
}

const UAI: usize = 0;
const NAME: usize = 1;
const TYPE: usize = 2;
const NATURE: usize = 3;
const SECTOR: usize = 4;
const COMMUNE_CODE: usize = 5;
const COMMUNE_NAME: usize = 6;
const DEPT: usize = 7;
const LAT: usize = 8;
const LON: usize = 9;
const X: usize = 10;
const Y: usize = 11;

impl Columns {
    fn new(t: &Table, f: Format) -> Result<Self, ImportError> {
        let names = f.names();
        let idx = names.map(|n| t.col(n));
        for required in [UAI, NAME, SECTOR, COMMUNE_CODE, DEPT] {
            if idx[required].is_none() {
                return Err(ImportError::UnknownFormat(format!(
                    "colonne {} absente",
                    names[required]
                )));
            }
        }
        Ok(Self {
            idx,
            epsg: t.col(f.epsg_column()),
            voie_pro: t.col("Voie_professionnelle"),
            voie_gen: t.col("Voie_generale"),
            voie_techno: t.col("Voie_technologique"),
            fallback_name: t.col("denomination_principale"),
        })
    }

    fn get<'a>(&self, row: &'a [String], i: usize) -> &'a str {
        self.idx[i].and_then(|c| row.get(c)).map(String::as_str).unwrap_or("")
    }

    fn opt<'a>(&self, row: &'a [String], c: Option<usize>) -> &'a str {
        c.and_then(|c| row.get(c)).map(String::as_str).unwrap_or("")
    }
}

/// The establishment kind from the type and nature labels of either format.
fn kind(type_label: &str, nature: &str, pro: bool, general: bool) -> EstablishmentKind {
    let t = fold(type_label);
    let n = fold(nature);
    if t.starts_with("ecole") || n.starts_with("ecole") {
        EstablishmentKind::Ecole
    } else if t.starts_with("college") || n.starts_with("college") {
        EstablishmentKind::College
    } else if n.contains("professionnel") && !n.contains("polyvalent") {
        EstablishmentKind::Lp
    } else if t.starts_with("lycee") || n.starts_with("lycee") {
        if pro && !general {
            EstablishmentKind::Lp
        } else {
            EstablishmentKind::Lycee
        }
    } else {
        EstablishmentKind::Other
    }
}

fn sector(s: &str) -> Result<Sector, String> {
    let f = fold(s);
    if f.starts_with("public") {
        Ok(Sector::Public)
    } else if f.starts_with("prive") {
        Ok(Sector::Private)
    } else {
        Err(format!("secteur « {s} » inconnu (Public ou Privé attendu)"))
    }
}

fn position(cols: &Columns, row: &[String]) -> Result<Option<LonLat>, String> {
    let lat = decimal("latitude", cols.get(row, LAT))?;
    let lon = decimal("longitude", cols.get(row, LON))?;
    match (lon, lat) {
        (Some(lon), Some(lat)) => return LonLat::new(lon, lat).map(Some).map_err(|e| e.message),
        (Some(_), None) | (None, Some(_)) => {
            return Err("latitude et longitude doivent être données ensemble".into());
        }
        (None, None) => {}
    }
    let x = decimal("coordonnée X", cols.get(row, X))?;
    let y = decimal("coordonnée Y", cols.get(row, Y))?;
    let epsg = cols.opt(row, cols.epsg);
    match (x, y) {
        (Some(x), Some(y)) if epsg.is_empty() || epsg.ends_with("2154") => crate::crs::from_lambert93(x, y)
            .and_then(|(lon, lat)| LonLat::new(lon, lat).ok())
            .map(Some)
            .ok_or_else(|| format!("coordonnées Lambert-93 ({x}, {y}) invalides")),
        // Overseas rows use local projections this importer does not convert: keep them without position.
        _ => Ok(None),
    }
}

fn parse_row(cols: &Columns, row: &[String]) -> Result<Establishment, String> {
    let uai = Uai::parse(cols.get(row, UAI)).map_err(|e| e.message)?;
    let mut name = cols.get(row, NAME).to_string();
    if name.is_empty() {
        name = cols.opt(row, cols.fallback_name).to_string();
    }
    if name.is_empty() {
        return Err("nom de l'établissement manquant".into());
    }
    let flag = |c: Option<usize>| cols.opt(row, c) == "1";
    let commune_code = cols.get(row, COMMUNE_CODE).to_ascii_uppercase();
    check_commune_code(&commune_code).map_err(|e| e.message)?;
    let e = Establishment {
        uai,
        name,
        kind: kind(
            cols.get(row, TYPE),
            cols.get(row, NATURE),
            flag(cols.voie_pro),
            flag(cols.voie_gen) || flag(cols.voie_techno),
        ),
        sector: sector(cols.get(row, SECTOR))?,
        commune_code,
        commune_name: cols.get(row, COMMUNE_NAME).to_string(),
        departement: normalise_departement(cols.get(row, DEPT)).map_err(|e| e.message)?,
        position: position(cols, row)?,
        placed_at_commune: false,
        profiles: Vec::new(),
        bandwidth: Vec::new(),
    };
    e.validate().map_err(|e| e.message)?;
    Ok(e)
}

/// Same establishment fields (bandwidth is not part of these files).
fn same(a: &Establishment, b: &Establishment) -> bool {
    a.name == b.name
        && a.kind == b.kind
        && a.sector == b.sector
        && a.commune_code == b.commune_code
        && a.commune_name == b.commune_name
        && a.departement == b.departement
        && a.position == b.position
        && a.placed_at_commune == b.placed_at_commune
}

/// How to import.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Check and report without writing.
    pub dry_run: bool,
    /// Place establishments without position at their commune.
    pub place_at_commune: bool,
    /// Show a progress bar on stderr.
    pub progress: bool,
}

/// Imports a file from disk; see [`import_bytes`].
pub async fn import_file(store: &Store, path: &Path, options: Options) -> Result<Report, ImportError> {
    let bytes = super::read(path)?;
    import_bytes(store, &bytes, options).await
}

/// The centre (mean lon/lat) of the positioned establishments of each commune: those of the file win
/// over the store's for the same UAI. Communes of the académie span a few kilometres, so a plain mean
/// of degrees is a fair "somewhere in the commune".
fn commune_centres<'a>(
    parsed: impl Iterator<Item = &'a Establishment>,
    existing: &'a HashMap<Uai, Establishment>,
) -> HashMap<String, LonLat> {
    let mut by_uai: HashMap<Uai, (&str, LonLat)> = HashMap::new();
    for e in existing.values().chain(parsed) {
        match e.position {
            Some(p) if !e.placed_at_commune => {
                by_uai.insert(e.uai, (e.commune_code.as_str(), p));
            }
            _ => {
                by_uai.remove(&e.uai);
            }
        }
    }
    let mut sums: HashMap<&str, (f64, f64, u32)> = HashMap::new();
    for (commune, p) in by_uai.values() {
        let s = sums.entry(commune).or_default();
        s.0 += p.lon;
        s.1 += p.lat;
        s.2 += 1;
    }
    sums.into_iter()
        .filter_map(|(c, (lon, lat, n))| {
            LonLat::new(lon / f64::from(n), lat / f64::from(n))
                .ok()
                .map(|p| (c.to_string(), p))
        })
        .collect()
}

/// Validates every row, then (unless `dry_run`) upserts the valid ones by UAI. Returns the report.
pub async fn import_bytes(store: &Store, bytes: &[u8], options: Options) -> Result<Report, ImportError> {
    let Options {
        dry_run,
        place_at_commune,
        progress,
    } = options;
    let table = Table::parse(bytes)?;
    let format = Format::detect(&table)?;
    let cols = Columns::new(&table, format)?;
    let existing: HashMap<Uai, Establishment> = repere_store::establishments::load_all(store)
        .await?
        .into_iter()
        .map(|e| (e.uai, e))
        .collect();

    let mut report = Report {
        format: format.label().to_string(),
        dry_run,
        read: table.rows.len(),
        ..Default::default()
    };
    let mut seen: HashMap<Uai, u64> = HashMap::new();
    let mut valid: Vec<(u64, Establishment)> = Vec::new();
    for (line, fields) in &table.rows {
        let parsed = fields
            .as_ref()
            .map_err(Clone::clone)
            .and_then(|row| parse_row(&cols, row));
        match parsed {
            Err(reason) => report.rejected.push(Rejected { line: *line, reason }),
            Ok(e) => {
                if let Some(first) = seen.get(&e.uai) {
                    report.rejected.push(Rejected {
                        line: *line,
                        reason: format!("UAI {} déjà présent ligne {first}", e.uai),
                    });
                    continue;
                }
                seen.insert(e.uai, *line);
                valid.push((*line, e));
            }
        }
    }
    let centres = if place_at_commune {
        commune_centres(valid.iter().map(|(_, e)| e), &existing)
    } else {
        HashMap::new()
    };
    let mut to_write: Vec<Establishment> = Vec::new();
    for (line, mut e) in valid {
        if e.position.is_none() {
            match centres.get(&e.commune_code) {
                Some(&p) => {
                    e.position = Some(p);
                    e.placed_at_commune = true;
                    report.placed_at_commune += 1;
                }
                None => report.without_position.push((line, e.uai)),
            }
        }
        if report.counted(existing.get(&e.uai).map(|old| same(old, &e))) {
            to_write.push(e);
        }
    }
    if dry_run || to_write.is_empty() {
        return Ok(report);
    }

    let uai = |e: &Establishment| e.uai;
    super::write_in_batches(
        store,
        &to_write,
        "établissements",
        progress,
        uai,
        async |conn, chunk, now| repere_store::establishments::upsert_many(conn, chunk, now).await,
    )
    .await?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_official_labels() {
        assert_eq!(
            kind("Ecole", "ECOLE DE NIVEAU ELEMENTAIRE", false, false),
            EstablishmentKind::Ecole
        );
        assert_eq!(kind("Collège", "COLLEGE", false, false), EstablishmentKind::College);
        assert_eq!(kind("Lycée", "LYCEE PROFESSIONNEL", true, false), EstablishmentKind::Lp);
        assert_eq!(kind("Lycée", "LYCEE POLYVALENT", true, true), EstablishmentKind::Lycee);
        assert_eq!(
            kind("", "LYCEE D ENSEIGNEMENT GENERAL ET TECHNOLOGIQUE", false, false),
            EstablishmentKind::Lycee
        );
        assert_eq!(
            kind("EREA", "ETABLISSEMENT REGIONAL D'ENSEIGNEMENT ADAPTE", false, false),
            EstablishmentKind::Other
        );
    }

    #[test]
    fn sectors() {
        assert_eq!(sector("Privé").unwrap(), Sector::Private);
        assert_eq!(sector("Public").unwrap(), Sector::Public);
        assert!(sector("?").is_err());
    }
}
