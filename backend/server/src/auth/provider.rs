//! The configured OpenID provider: its settings, the HTTP client that talks to it (no redirects
//! followed) and its discovered metadata and keys, kept ten minutes.

use std::time::{Duration, Instant};

use openidconnect::core::CoreProviderMetadata;
use openidconnect::{IssuerUrl, RedirectUrl};

use crate::config::OidcConfig;

/// How long discovered metadata (and the issuer's keys) are kept.
const METADATA_TTL: Duration = Duration::from_secs(600);

/// The configured provider and what discovery taught about it.
pub struct Provider {
    pub config: OidcConfig,
    redirect_url: String,
    http: openidconnect::reqwest::Client,
    metadata: tokio::sync::Mutex<Option<(Instant, CoreProviderMetadata)>>,
}

impl Provider {
    /// The provider of `config`; its redirect URL defaults to `{public_url}/api/auth/oidc/callback`.
    pub fn new(config: OidcConfig, public_url: &str) -> anyhow::Result<Self> {
        IssuerUrl::new(config.issuer.clone()).map_err(|e| anyhow::anyhow!("REPERE_OIDC_ISSUER invalide : {e}"))?;
        let redirect_url = config
            .redirect_url
            .clone()
            .unwrap_or_else(|| format!("{}/api/auth/oidc/callback", public_url.trim_end_matches('/')));
        RedirectUrl::new(redirect_url.clone())
            .map_err(|e| anyhow::anyhow!("REPERE_OIDC_REDIRECT_URL invalide : {e}"))?;
        let http = openidconnect::reqwest::ClientBuilder::new()
            // No redirects: a provider cannot bounce Repère's requests elsewhere (SSRF).
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()?;
        Ok(Self {
            config,
            redirect_url,
            http,
            metadata: tokio::sync::Mutex::new(None),
        })
    }

    pub(super) async fn metadata(&self) -> Result<CoreProviderMetadata, String> {
        let mut cached = self.metadata.lock().await;
        if let Some((at, m)) = cached.as_ref()
            && at.elapsed() < METADATA_TTL
        {
            return Ok(m.clone());
        }
        let issuer = IssuerUrl::new(self.config.issuer.clone()).map_err(|e| e.to_string())?;
        let m = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| format!("discovery: {e}"))?;
        *cached = Some((Instant::now(), m.clone()));
        Ok(m)
    }

    pub(super) fn redirect_url(&self) -> &str {
        &self.redirect_url
    }

    pub(super) fn http(&self) -> &openidconnect::reqwest::Client {
        &self.http
    }
}
