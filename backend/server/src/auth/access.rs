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
    /// Whether cookies are marked `Secure` (Repère served over HTTPS).
    pub secure_cookies: bool,
    /// Proxies whose `X-Forwarded-For` tells the client's address (the documented nginx).
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl Access {
    /// From the configuration; the provider's links start at `public_url`.
    pub fn new(config: &crate::config::AuthConfig, public_url: &str, secure_cookies: bool) -> anyhow::Result<Self> {
        Ok(Self {
            secure_cookies,
            trusted_proxies: config.trusted_proxies.clone(),
            password_login: config.password_login,
            allowed_domains: config.allowed_domains.clone(),
            oidc: config.oidc.clone().map(|o| Provider::new(o, public_url)).transpose()?,
        })
    }
}
