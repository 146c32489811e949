//! The Annuaire de l'éducation fetched from the ministry's open-data portal (the Explore v2.1 export of
//! the dataset, CSV, filtered by département), then imported through the same importer as a file:
//! `repere import establishments --from-opendata --departements 06,83`.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// The export endpoint of the Annuaire de l'éducation (Explore API v2.1, CSV).
pub const ANNUAIRE_EXPORT: &str =
    "https://data.education.gouv.fr/api/explore/v2.1/catalog/datasets/fr-en-annuaire-education/exports/csv";

/// Why a download did not give a file to import.
#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    #[error("département « {0} » illisible (ex. 06, 83, 2A)")]
    Departement(String),
    #[error("le portail de données a répondu {status} pour {url}")]
    Status { status: u16, url: String },
    #[error("téléchargement impossible depuis {url} : {reason}")]
    Network { url: String, reason: String },
}

/// The Annuaire's three-character département code (`06` → `006`, `2A` stays `02A`).
pub fn annuaire_code(d: &str) -> Result<String, DownloadError> {
    let d = d.trim().to_uppercase();
    let ok = (1..=3).contains(&d.len()) && d.chars().all(|c| c.is_ascii_digit() || c == 'A' || c == 'B');
    if !ok || d.is_empty() {
        return Err(DownloadError::Departement(d));
    }
    Ok(format!("{d:0>3}"))
}

/// The export address for `departements` (comma-separated), semicolon-separated CSV.
pub fn annuaire_url(endpoint: &str, departements: &str) -> Result<String, DownloadError> {
    let codes: Vec<String> = departements
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(annuaire_code)
        .collect::<Result<_, _>>()?;
    if codes.is_empty() {
        return Err(DownloadError::Departement(departements.to_string()));
    }
    let list = codes.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
    let mut url = url::Url::parse(endpoint).map_err(|e| DownloadError::Network {
        url: endpoint.to_string(),
        reason: e.to_string(),
    })?;
    url.query_pairs_mut()
        .append_pair("delimiter", ";")
        .append_pair("where", &format!("code_departement in ({list})"));
    Ok(url.to_string())
}

/// Downloads `url` in full, with a progress bar on the terminal when `progress`.
pub async fn fetch(url: &str, progress: bool) -> Result<Vec<u8>, DownloadError> {
    let network = |e: reqwest::Error| DownloadError::Network {
        url: url.to_string(),
        reason: e.to_string(),
    };
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(900))
        .build()
        .map_err(network)?;
    let mut resp = client.get(url).send().await.map_err(network)?;
    if !resp.status().is_success() {
        return Err(DownloadError::Status {
            status: resp.status().as_u16(),
            url: url.to_string(),
        });
    }
    let bar = if progress {
        let bar = ProgressBar::new(resp.content_length().unwrap_or(0));
        bar.set_style(
            ProgressStyle::with_template("Téléchargement de l'Annuaire {bytes}/{total_bytes} {bar:30} {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let mut out = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(network)? {
        out.extend_from_slice(&chunk);
        bar.inc(chunk.len() as u64);
    }
    bar.finish_and_clear();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_export_address_names_the_departements() {
        let u = annuaire_url(ANNUAIRE_EXPORT, "06, 83").unwrap();
        assert!(u.starts_with(ANNUAIRE_EXPORT));
        let decoded: Vec<(String, String)> = url::Url::parse(&u).unwrap().query_pairs().into_owned().collect();
        assert!(decoded.contains(&("where".into(), r#"code_departement in ("006", "083")"#.into())));
        assert!(decoded.contains(&("delimiter".into(), ";".into())));
        assert_eq!(annuaire_code("2a").unwrap(), "02A");
        assert!(annuaire_url(ANNUAIRE_EXPORT, "Alpes").is_err());
        assert!(annuaire_url(ANNUAIRE_EXPORT, " , ").is_err());
    }
}
