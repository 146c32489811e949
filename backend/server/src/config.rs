//! Configuration: defaults in code, then environment variables, then command-line flags (clap reads
//! both, flags winning). Secrets (the database password) are never logged: see `repere_store::redact`.

use std::path::PathBuf;

/// Default database: an SQLite file beside the working directory, created if missing.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/repere.db";
/// Default listening address.
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
/// Default folder of the built frontend.
pub const DEFAULT_FRONTEND_DIR: &str = "frontend/dist";

/// What `repere serve` needs.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Address to listen on; port 0 picks a free port (tests).
    pub bind: String,
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// Folder served at `/`; when it does not exist, a built-in placeholder page is served.
    pub frontend_dir: PathBuf,
    /// MapLibre style URL of a production basemap (e.g. IGN Plan IGN); `None` keeps the offline
    /// basemap. The page falls back to the offline basemap when this style cannot be reached.
    pub basemap_style_url: Option<String>,
    /// Mark the session cookie `Secure` (set it when Repère is served over TLS, directly or behind a
    /// proxy).
    pub secure_cookies: bool,
    /// Published reports expected per school year (the CARDIE's target).
    pub target: u32,
    /// Whether static map images are rendered (`false`: their routes answer 503, as on a machine
    /// without any rendering adapter).
    pub static_maps: bool,
    /// Origins (`https://www.ac-nice.fr`) whose pages may frame `/embed`; none by default.
    pub embed_origins: Vec<String>,
    /// Encoded vector tiles kept in memory (valid for one catalogue generation); 0: no tile cache.
    pub tile_cache: usize,
    /// Absolute address of Repère for the links in e-mails (never taken from request headers);
    /// `None`: `http://` and the bound address.
    pub public_url: Option<String>,
    /// E-mail delivery.
    pub mail: MailConfig,
    /// How people sign in.
    pub auth: AuthConfig,
    /// The intentions' clock and reminders.
    pub intentions: IntentionsConfig,
    /// Connections served at once and how long an idle one is kept.
    pub connections: crate::connections::ConnectionLimits,
}

/// The clock of the intentions' procedure and of the editions' schedule, and how often due steps,
/// scheduled editions and plans are looked at.
#[derive(Debug, Clone)]
pub struct IntentionsConfig {
    pub clock: crate::clock::Clock,
    pub reminders_every: std::time::Duration,
}

impl Default for IntentionsConfig {
    fn default() -> Self {
        Self {
            clock: crate::clock::Clock::system(),
            reminders_every: std::time::Duration::from_secs(300),
        }
    }
}

/// E-mail delivery: the SMTP server (none: mails wait in the outbox, shown to admins) and the pace of
/// retries.
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// `smtp://host:port` (no TLS), `smtp://host:port?tls=required` (STARTTLS), `smtps://host:port`
    /// (TLS), with `user:password@` when the server asks for it.
    pub smtp_url: Option<String>,
    /// The sender, e.g. `Repère <ne-pas-repondre@ac-nice.fr>`.
    pub from: String,
    /// First delay before a failed delivery is tried again; doubled at each failure up to `retry_max`.
    pub retry_base: std::time::Duration,
    pub retry_max: std::time::Duration,
    /// How often the outbox is looked at when nothing wakes the sender (other instances' mails).
    pub poll: std::time::Duration,
}

/// Default sender.
pub const DEFAULT_MAIL_FROM: &str = "Repère <ne-pas-repondre@ac-nice.fr>";

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            smtp_url: None,
            from: DEFAULT_MAIL_FROM.into(),
            retry_base: std::time::Duration::from_secs(30),
            retry_max: std::time::Duration::from_secs(3600),
            poll: std::time::Duration::from_secs(5),
        }
    }
}

/// Ways in: local passwords and/or an OpenID Connect provider (ProConnect or the académie's own).
#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// Whether local passwords are accepted.
    pub password_login: bool,
    /// Domains whose addresses may sign in through the provider (and be invited).
    pub allowed_domains: Vec<String>,
    pub oidc: Option<OidcConfig>,
    /// Proxies whose `X-Forwarded-For` is believed about the client's address (failed sign-ins are
    /// counted per client).
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

/// Default trusted proxies: a proxy on the same machine (the documented nginx).
pub const DEFAULT_TRUSTED_PROXIES: &str = "127.0.0.1,::1";

/// Default allowed domain.
pub const DEFAULT_ALLOWED_DOMAINS: &str = "ac-nice.fr";

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            password_login: true,
            allowed_domains: vec![DEFAULT_ALLOWED_DOMAINS.into()],
            oidc: None,
            trusted_proxies: vec![
                std::net::Ipv4Addr::LOCALHOST.into(),
                std::net::Ipv6Addr::LOCALHOST.into(),
            ],
        }
    }
}

/// An OpenID Connect provider.
#[derive(Debug, Clone)]
pub struct OidcConfig {
    /// Issuer URL (discovery at `{issuer}/.well-known/openid-configuration`).
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// Scopes asked for besides `openid`.
    pub scopes: Vec<String>,
    /// Where the provider sends people back; `None`: `{public_url}/api/auth/oidc/callback`.
    pub redirect_url: Option<String>,
    /// Name on the button ("ProConnect").
    pub label: String,
}

/// Default size of the tile cache, in tiles (a few KB each).
pub const DEFAULT_TILE_CACHE: usize = 10_000;

impl ServeConfig {
    /// The configuration with every default, on `database_url`.
    pub fn new(database_url: impl Into<String>) -> Self {
        Self {
            bind: DEFAULT_BIND.into(),
            database_url: database_url.into(),
            frontend_dir: PathBuf::from(DEFAULT_FRONTEND_DIR),
            basemap_style_url: None,
            secure_cookies: false,
            target: repere_core::indicators::DEFAULT_TARGET,
            static_maps: true,
            embed_origins: Vec::new(),
            tile_cache: DEFAULT_TILE_CACHE,
            public_url: None,
            mail: MailConfig::default(),
            auth: AuthConfig::default(),
            intentions: IntentionsConfig::default(),
            connections: Default::default(),
        }
    }
}

/// Parses a comma-separated list of origins (`https://host[:port]`, no path): each trimmed, without a
/// final `/`; the first that is not an origin is the error, in French.
pub fn parse_origins(list: &str) -> Result<Vec<String>, String> {
    parse_origin_list(list).map(|o| o.0)
}

/// The origins allowed to frame `/embed`, as read from the command line.
#[derive(Debug, Clone, Default)]
pub struct Origins(pub Vec<String>);

/// [`parse_origins`] for clap.
pub fn parse_origin_list(list: &str) -> Result<Origins, String> {
    let mut out = Vec::new();
    for raw in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let o = raw.trim_end_matches('/');
        let host = o.strip_prefix("https://").or_else(|| o.strip_prefix("http://"));
        let ok = host.is_some_and(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        });
        if !ok {
            return Err(format!(
                "« {raw} » n'est pas une origine (attendu : https://site.exemple.fr, sans chemin)"
            ));
        }
        out.push(o.to_ascii_lowercase());
    }
    Ok(Origins(out))
}

/// The command-line flags (and environment variables) of e-mail and sign-in, turned into
/// [`MailConfig`] and [`AuthConfig`] by [`AccessArgs::configs`].
#[derive(Debug, clap::Args)]
pub struct AccessArgs {
    /// Adresse publique de Repère, pour les liens des courriels (ex. https://repere.ac-nice.fr).
    #[arg(long, env = "REPERE_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Serveur SMTP : smtp://hôte:port, smtp://hôte:port?tls=required (STARTTLS) ou smtps://hôte:port ; sans lui, les courriels attendent dans la boîte d'envoi.
    #[arg(long, env = "REPERE_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Expéditeur des courriels.
    #[arg(long, env = "REPERE_SMTP_FROM", default_value = DEFAULT_MAIL_FROM)]
    pub smtp_from: String,
    /// Délai avant de réessayer un envoi échoué, en secondes (doublé à chaque échec, jusqu'à --smtp-retry-max).
    #[arg(long, env = "REPERE_SMTP_RETRY", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub smtp_retry: u64,
    /// Délai maximal entre deux essais, en secondes.
    #[arg(long, env = "REPERE_SMTP_RETRY_MAX", default_value_t = 3600, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub smtp_retry_max: u64,
    /// N'accepte pas les mots de passe locaux (connexion par le fournisseur d'identité seulement).
    #[arg(long, env = "REPERE_NO_PASSWORD_LOGIN")]
    pub no_password_login: bool,
    /// Domaines des adresses admises (connexion par le fournisseur d'identité, invitations), séparés par des virgules.
    #[arg(long, env = "REPERE_ALLOWED_DOMAINS", default_value = DEFAULT_ALLOWED_DOMAINS)]
    pub allowed_domains: String,
    /// Émetteur OpenID Connect (ProConnect ou fournisseur de l'académie) ; sans lui, pas de connexion fédérée.
    #[arg(long, env = "REPERE_OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,
    #[arg(long, env = "REPERE_OIDC_CLIENT_ID", default_value = "")]
    pub oidc_client_id: String,
    #[arg(long, env = "REPERE_OIDC_CLIENT_SECRET", default_value = "", hide_env_values = true)]
    pub oidc_client_secret: String,
    /// Portées demandées en plus de openid, séparées par des espaces.
    #[arg(long, env = "REPERE_OIDC_SCOPES", default_value = "email given_name usual_name")]
    pub oidc_scopes: String,
    /// Adresse de retour déclarée chez le fournisseur (par défaut {adresse publique}/api/auth/oidc/callback).
    #[arg(long, env = "REPERE_OIDC_REDIRECT_URL")]
    pub oidc_redirect_url: Option<String>,
    /// Nom du fournisseur sur le bouton de connexion.
    #[arg(long, env = "REPERE_OIDC_LABEL", default_value = "ProConnect")]
    pub oidc_label: String,
    /// Mandataires (nginx) dont l'en-tête X-Forwarded-For donne l'adresse du client, séparés par des virgules ; vide : aucun.
    #[arg(long, env = "REPERE_TRUSTED_PROXIES", default_value = DEFAULT_TRUSTED_PROXIES)]
    pub trusted_proxies: String,
}

impl AccessArgs {
    /// The public address, the mail and the sign-in configurations; a French message for what is wrong.
    pub fn configs(self) -> Result<(Option<String>, MailConfig, AuthConfig), String> {
        let allowed_domains = repere_core::users::parse_domains(&self.allowed_domains).map_err(|e| e.message)?;
        if allowed_domains.is_empty() {
            return Err("--allowed-domains : au moins un domaine est requis".into());
        }
        let public_url = self
            .public_url
            .filter(|u| !u.trim().is_empty())
            .map(|u| u.trim_end_matches('/').to_string());
        if let Some(u) = &public_url
            && url::Url::parse(u).is_err()
        {
            return Err(format!("REPERE_PUBLIC_URL : « {u} » n'est pas une adresse"));
        }
        let oidc = match self.oidc_issuer.filter(|i| !i.trim().is_empty()) {
            None => None,
            Some(issuer) => {
                if self.oidc_client_id.is_empty() {
                    return Err("REPERE_OIDC_CLIENT_ID est requis avec REPERE_OIDC_ISSUER".into());
                }
                Some(OidcConfig {
                    issuer,
                    client_id: self.oidc_client_id,
                    client_secret: self.oidc_client_secret,
                    scopes: self
                        .oidc_scopes
                        .split_whitespace()
                        .filter(|s| *s != "openid")
                        .map(str::to_string)
                        .collect(),
                    redirect_url: self.oidc_redirect_url.filter(|u| !u.trim().is_empty()),
                    label: self.oidc_label,
                })
            }
        };
        if self.no_password_login && oidc.is_none() {
            return Err("--no-password-login demande un fournisseur d'identité (REPERE_OIDC_ISSUER) : personne ne pourrait se connecter".into());
        }
        let mail = MailConfig {
            smtp_url: self.smtp_url.filter(|u| !u.trim().is_empty()),
            from: self.smtp_from,
            retry_base: std::time::Duration::from_secs(self.smtp_retry),
            retry_max: std::time::Duration::from_secs(self.smtp_retry_max.max(self.smtp_retry)),
            ..MailConfig::default()
        };
        let trusted_proxies = crate::auth::throttle::parse_proxies(&self.trusted_proxies)
            .map_err(|e| format!("REPERE_TRUSTED_PROXIES : {e}"))?;
        let auth = AuthConfig {
            password_login: !self.no_password_login,
            allowed_domains,
            oidc,
            trusted_proxies,
        };
        Ok((public_url, mail, auth))
    }
}

#[cfg(test)]
mod tests {
    use super::parse_origins;

    #[test]
    fn origins_are_checked() {
        assert_eq!(
            parse_origins(" https://www.ac-nice.fr/, http://localhost:8081 ,").unwrap(),
            vec!["https://www.ac-nice.fr", "http://localhost:8081"]
        );
        assert!(parse_origins("www.ac-nice.fr").is_err());
        assert!(
            parse_origins("https://www.ac-nice.fr/dane")
                .unwrap_err()
                .contains("/dane")
        );
        assert!(parse_origins("https://a.fr; frame-ancestors *").is_err());
        assert_eq!(parse_origins("").unwrap(), Vec::<String>::new());
    }
}
