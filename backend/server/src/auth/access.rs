//! How people may sign in on this instance: local passwords, the identity provider, the domains
//! allowed to create an account through it. Held in the state.

use super::provider::Provider;

/// How people may sign in on this instance.
pub struct Access {
    /// Whether local passwords are accepted.
    pub password_login: bool,
    /// Domains whose addresses may sign in through the provider.
    pub allowed_domains: Vec<String>,
    pub oidc: Option<Provider>,
}

impl Access {
    /// From the configuration; the provider's links start at `public_url`.
    pub fn new(config: &crate::config::AuthConfig, public_url: &str) -> anyhow::Result<Self> {
        Ok(Self {
            password_login: config.password_login,
            allowed_domains: config.allowed_domains.clone(),
            oidc: config.oidc.clone().map(|o| Provider::new(o, public_url)).transpose()?,
        })
    }
}
