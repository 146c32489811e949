//! The command line: `repere serve`, `repere demo`, `repere generate`,
//! `repere import establishments|bandwidth|opinee|epci|fibre|communes FILE [--dry-run]`, `repere user add`,
//! `repere letter`, `repere export opendata DIR`, `repere openapi`, `repere backup DEST`, `repere migrate-to URL`.
//! Flags override environment variables, which override the defaults in `config`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use repere_store::Store;

use crate::app::Application;
use crate::config::{DEFAULT_BIND, DEFAULT_DATABASE_URL, DEFAULT_FRONTEND_DIR, ServeConfig};

/// Repère — carte des usages numériques innovants de l'académie de Nice.
#[derive(Debug, Parser)]
#[command(name = "repere", version, about)]
pub struct Cli {
    /// Base de données : sqlite://chemin (créée si absente) ou postgres://…
    #[arg(long, global = true, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, hide_env_values = true)]
    pub database_url: String,
    #[command(subcommand)]
    pub command: Command,
}

// `Serve` carries every flag of the server: the enum is built once per run, its size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sert l'API sous /api et le site sous /.
    Serve(ServeArgs),
    /// Remplit la base avec le jeu de démonstration déterministe (sans effet s'il est déjà chargé).
    Demo,
    /// Importe un fichier officiel. Codes de sortie : 0 tout est importé ; 3 importé, mais des lignes
    /// sont rejetées (listées) ; 1 fichier refusé (illisible, format inconnu, aucune ligne valable).
    #[command(subcommand)]
    Import(ImportCommand),
    /// Gère les comptes.
    #[command(subcommand)]
    User(UserCommand),
    /// Écrit un grand jeu de données déterministe dans une base neuve (pour les mesures de performance).
    Generate {
        #[arg(long, default_value_t = 1_000_000)]
        practices: usize,
        #[arg(long, default_value_t = 60_000)]
        establishments: usize,
        #[arg(long, default_value_t = 2_000_000)]
        links: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Copie cohérente de la base SQLite pendant que Repère tourne (pour PostgreSQL : pg_dump).
    Backup {
        /// Fichier à créer (il ne doit pas exister).
        dest: PathBuf,
    },
    /// Écrit « la lettre des usages » (HTML pour courriel) sur la sortie standard : usages publiés depuis une date.
    Letter {
        /// Date de début, AAAA-MM-JJ (pas dans le futur).
        #[arg(long)]
        since: String,
        /// Département (06, 83…).
        #[arg(long)]
        departement: Option<String>,
        /// Discipline (comme sur la carte, sans tenir compte des accents ni des majuscules).
        #[arg(long)]
        discipline: Option<String>,
        /// Adresse publique de Repère, pour les liens de la lettre.
        #[arg(long, env = "REPERE_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
        base_url: String,
        /// Objectif de remontées publiées par année scolaire.
        #[arg(long, env = "REPERE_TARGET", default_value_t = repere_core::indicators::DEFAULT_TARGET)]
        target: u32,
        /// Sans carte (quand le serveur ne peut pas rendre de cartes statiques).
        #[arg(long)]
        no_map: bool,
    },
    /// Exporte des données ouvertes.
    Export {
        #[command(subcommand)]
        what: ExportCommand,
    },
    /// Écrit la description OpenAPI de l'API (JSON) sur la sortie standard, sans base de données :
    /// les types du site en sont tirés (frontend/src/api/schema.d.ts).
    Openapi,
    /// Copie toute la base (--database-url) vers une base neuve, p. ex. postgres://…, et compare les comptes.
    MigrateTo {
        /// URL de la base cible (vide de données ; son schéma est créé).
        target_url: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Écrit le paquet de données ouvertes (CSV + datapackage.json, Licence Ouverte 2.0) dans DIR :
    /// usages publiés, tiers-lieux, établissements avec leur classe de débit. Rien de personnel.
    Opendata {
        /// Dossier à écrire (créé s'il n'existe pas).
        dir: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Crée un compte. Le mot de passe est lu dans REPERE_PASSWORD ou sur l'entrée standard (jamais en argument).
    Add {
        /// Adresse électronique (identifiant de connexion).
        email: String,
        /// contributor, moderator, collectivite, admin, encadrement, inspecteur ou referent.
        #[arg(long)]
        role: String,
        /// Nom affiché.
        #[arg(long, default_value = "")]
        name: String,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Adresse d'écoute.
    #[arg(long, env = "REPERE_BIND", default_value = DEFAULT_BIND)]
    pub bind: String,
    /// Dossier du site compilé.
    #[arg(long, env = "REPERE_FRONTEND_DIR", default_value = DEFAULT_FRONTEND_DIR)]
    pub frontend_dir: PathBuf,
    /// URL d'un style MapLibre pour le fond de carte (ex. Plan IGN) ; sans elle, fond hors ligne.
    #[arg(long, env = "REPERE_BASEMAP_STYLE_URL")]
    pub basemap_style_url: Option<String>,
    /// Cookie de session « Secure » : à activer quand Repère est servi en HTTPS.
    #[arg(long, env = "REPERE_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Objectif de remontées publiées par année scolaire (tableau de bord de la CARDIE).
    #[arg(long, env = "REPERE_TARGET", default_value_t = repere_core::indicators::DEFAULT_TARGET, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub target: u32,
    /// Ne rend pas de cartes statiques (les routes /api/maps répondent 503).
    #[arg(long, env = "REPERE_NO_STATIC_MAPS")]
    pub no_static_maps: bool,
    /// Sites autorisés à intégrer la carte (/embed) dans une iframe : origines séparées par des virgules, ex. https://www.ac-nice.fr.
    #[arg(long, env = "REPERE_EMBED_ORIGINS", default_value = "", value_parser = crate::config::parse_origin_list)]
    pub embed_origins: crate::config::Origins,
    /// Tuiles vectorielles gardées en mémoire (valables jusqu'à la prochaine écriture) ; 0 : aucun cache.
    #[arg(long, env = "REPERE_TILE_CACHE", default_value_t = crate::config::DEFAULT_TILE_CACHE as u64, value_parser = clap::value_parser!(u64).range(0..=10_000_000))]
    pub tile_cache: u64,
    /// Connexions servies à la fois ; les suivantes attendent qu'une se libère.
    #[arg(long, env = "REPERE_MAX_CONNECTIONS", default_value_t = crate::connections::DEFAULT_MAX_CONNECTIONS as u64, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_connections: u64,
    /// Secondes sans un octet échangé après lesquelles une connexion est fermée (en-têtes jamais finis, corps jamais envoyé, keep-alive inactif).
    #[arg(long, env = "REPERE_IDLE_TIMEOUT", default_value_t = crate::connections::DEFAULT_IDLE.as_secs(), value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub idle_timeout: u64,
    /// Charge le jeu de démonstration si la base est vide (premier démarrage).
    #[arg(long, env = "REPERE_DEMO_IF_EMPTY")]
    pub demo_if_empty: bool,
    #[command(flatten)]
    pub access: crate::config::AccessArgs,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Annuaire de l'éducation (71 colonnes) ou « adresse et géolocalisation » (35 colonnes), reconnus par leur en-tête.
    Establishments {
        /// Fichier CSV (séparateur ;, BOM facultatif) ; sans fichier, --from-opendata.
        file: Option<PathBuf>,
        /// Télécharge l'Annuaire de l'éducation depuis le portail de données ouvertes du ministère.
        #[arg(long)]
        from_opendata: bool,
        /// Départements à télécharger (avec --from-opendata).
        #[arg(long, default_value = "06,83")]
        departements: String,
        /// Adresse d'export de l'Annuaire (API Explore v2.1).
        #[arg(long, env = "REPERE_ANNUAIRE_URL", default_value = crate::jobs::import::download::ANNUAIRE_EXPORT)]
        annuaire_url: String,
        /// Vérifie le fichier et affiche le bilan sans rien écrire.
        #[arg(long)]
        dry_run: bool,
        /// Place les établissements sans position à leur commune (centre des établissements positionnés
        /// de la même commune), marqués « position approximative ».
        #[arg(long)]
        place_at_commune: bool,
    },
    /// Débits des établissements : CSV uai;down_mbps;up_mbps;technology;source;date (voir README).
    Bandwidth {
        /// Fichier CSV (séparateur ;, BOM facultatif).
        file: PathBuf,
        /// Vérifie le fichier et affiche le bilan sans rien écrire.
        #[arg(long)]
        dry_run: bool,
    },
    /// OPINEE et labels : CSV uai;school_year;7 niveaux OPINEE (0-10);label (1-3) (voir README).
    Opinee {
        /// Fichier CSV (séparateur ;, BOM facultatif).
        file: PathBuf,
        /// Vérifie le fichier et affiche le bilan sans rien écrire.
        #[arg(long)]
        dry_run: bool,
    },
    /// EPCI des communes : liste officielle des EPCI en JSON (code, nom, membres).
    Epci {
        /// Fichier JSON.
        file: PathBuf,
        /// Vérifie le fichier et affiche le bilan sans rien écrire.
        #[arg(long)]
        dry_run: bool,
    },
    /// Couverture fibre des communes : fichier ARCEP des déploiements FttH par commune (code_commune,
    /// logements, etablissements, locaux_raccordables_<trimestre>) ; le dernier trimestre est importé.
    Fibre {
        /// Fichier CSV (séparateur , ou ;, BOM facultatif).
        file: PathBuf,
        /// Vérifie le fichier et affiche le bilan sans rien écrire.
        #[arg(long)]
        dry_run: bool,
    },
    /// Contours des communes (carte de la couverture fibre) : GeoJSON en CRS84, propriétés code et nom
    /// (ou INSEE_COM et NOM d'Admin Express).
    Communes {
        /// Fichier GeoJSON (FeatureCollection).
        file: PathBuf,
        /// Vérifie le fichier et affiche le bilan sans rien écrire.
        #[arg(long)]
        dry_run: bool,
    },
}

/// Log levels unless `RUST_LOG` says otherwise. ERROR is for faults an operator must act on: the map
/// renderer's libraries are quiet below WARN, and the renderer's "tile without any vertices" (an empty
/// tile, normal on a map of a few points) is not logged at all.
pub const DEFAULT_LOG_FILTER: &str =
    "info,sqlx=warn,wgpu_core=warn,wgpu_hal=warn,naga=warn,maplibre::vector::render_commands=off";

/// Logs to stderr: readable text, or one JSON object per line when `REPERE_LOG_FORMAT=json` (for a
/// log collector). `RUST_LOG` sets the levels.
fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("RUST_LOG").unwrap_or_else(|_| EnvFilter::new(DEFAULT_LOG_FILTER));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if std::env::var("REPERE_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json")) {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.try_init()
    };
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("erreur : impossible de démarrer le moteur asynchrone : {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("erreur : {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs one command.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Openapi => {
            println!("{}", serde_json::to_string_pretty(&crate::openapi::build())?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve(args) => {
            if args.demo_if_empty {
                let store = Store::connect(&cli.database_url).await?;
                if crate::jobs::demo::is_empty(&store).await? {
                    println!("{}", crate::jobs::demo::load(&store).await?);
                }
                store.close().await;
            }
            let (public_url, mail, auth) = args.access.configs().map_err(anyhow::Error::msg)?;
            let config = ServeConfig {
                public_url,
                mail,
                auth,
                bind: args.bind,
                database_url: cli.database_url,
                frontend_dir: args.frontend_dir,
                basemap_style_url: args.basemap_style_url.filter(|u| !u.trim().is_empty()),
                secure_cookies: args.secure_cookies,
                target: args.target,
                static_maps: !args.no_static_maps,
                embed_origins: args.embed_origins.0,
                tile_cache: args.tile_cache as usize,
                intentions: Default::default(),
                connections: crate::connections::ConnectionLimits {
                    max: args.max_connections as usize,
                    idle: std::time::Duration::from_secs(args.idle_timeout),
                },
            };
            let app = Application::build(&config).await?;
            tracing::info!(address = %app.local_addr(), "Repère is listening");
            println!("Repère écoute sur http://{}", app.local_addr());
            app.run_until(shutdown_signal()).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo => {
            let store = Store::connect(&cli.database_url).await?;
            let outcome = crate::jobs::demo::load(&store).await?;
            println!("{outcome}");
            Ok(ExitCode::SUCCESS)
        }
        Command::User(UserCommand::Add { email, role, name }) => {
            let password = read_password()?;
            let store = Store::connect(&cli.database_url).await?;
            println!("{}", add_user(&store, &email, &role, &name, &password).await?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Generate {
            practices,
            establishments,
            links,
            seed,
        } => {
            let store = Store::connect(&cli.database_url).await?;
            let done = crate::jobs::demo::large::generate(&store, establishments, practices, links, seed).await?;
            println!("{done}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Letter {
            since,
            departement,
            discipline,
            base_url,
            target,
            no_map,
        } => {
            let today = chrono::Utc::now().date_naive();
            let scope = crate::letter::Scope::parse(&since, departement.as_deref(), discipline.as_deref(), today)
                .map_err(|e| anyhow::anyhow!("--{} : {}", e.field, e.message))?;
            let store = Store::connect(&cli.database_url).await?;
            let catalog = repere_catalog::Catalog::load(&store).await?;
            let base = base_url.trim_end_matches('/');
            let list = crate::letter::practices(&catalog, &scope);
            let map = (!no_map).then(|| crate::letter::map_url(&list, &scope, base)).flatten();
            print!(
                "{}",
                crate::letter::render(&catalog, &scope, &list, base, target, map.as_deref(), today)
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Export {
            what: ExportCommand::Opendata { dir },
        } => {
            let store = Store::connect(&cli.database_url).await?;
            let catalog = repere_catalog::Catalog::load(&store).await?;
            let files = crate::jobs::opendata::write(&catalog, &dir, chrono::Utc::now())?;
            println!("Données ouvertes écrites dans {} : {}", dir.display(), files.join(", "));
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup { dest } => {
            if dest.exists() {
                anyhow::bail!("{} existe déjà : choisissez un nouveau fichier", dest.display());
            }
            let store = Store::connect(&cli.database_url).await?;
            if store.backend() != repere_store::Backend::Sqlite {
                anyhow::bail!(
                    "repere backup copie une base SQLite ; pour PostgreSQL, utilisez pg_dump (voir docs/deploiement.md)"
                );
            }
            let counts = repere_store::transfer::backup_sqlite(&store, &dest).await?;
            println!("Sauvegarde écrite dans {} (intégrité vérifiée) :", dest.display());
            for c in counts {
                println!("  {:<20} {:>9} lignes", c.table, c.target);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::MigrateTo { target_url } => {
            let source = Store::connect(&cli.database_url).await?;
            let target = Store::connect(&target_url)
                .await
                .map_err(|e| anyhow::anyhow!("base cible {} : {e}", repere_store::redact(&target_url)))?;
            let counts = repere_store::transfer::copy_all(&source, &target).await?;
            println!(
                "Copie de {} vers {} terminée, comptes vérifiés :",
                repere_store::redact(&cli.database_url),
                repere_store::redact(&target_url)
            );
            for c in counts {
                println!("  {:<20} {:>9} → {:>9}", c.table, c.source, c.target);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Import(command) => {
            let store = Store::connect(&cli.database_url).await?;
            let report = match command {
                ImportCommand::Establishments {
                    file,
                    from_opendata,
                    departements,
                    annuaire_url,
                    dry_run,
                    place_at_commune,
                } => {
                    let options = crate::jobs::import::establishments::Options {
                        dry_run,
                        place_at_commune,
                        progress: true,
                    };
                    match (file, from_opendata) {
                        (Some(file), false) => {
                            crate::jobs::import::establishments::import_file(&store, &file, options).await?
                        }
                        (None, true) => {
                            use crate::jobs::import::download;
                            let url = download::annuaire_url(&annuaire_url, &departements)?;
                            let bytes = download::fetch(&url, true).await?;
                            crate::jobs::import::establishments::import_bytes(&store, &bytes, options).await?
                        }
                        _ => anyhow::bail!("donnez un FICHIER ou --from-opendata (l'un des deux)"),
                    }
                }
                ImportCommand::Bandwidth { file, dry_run } => {
                    crate::jobs::import::bandwidth::import_file(&store, &file, dry_run, true).await?
                }
                ImportCommand::Opinee { file, dry_run } => {
                    crate::jobs::import::opinee::import_file(&store, &file, dry_run, true).await?
                }
                ImportCommand::Epci { file, dry_run } => {
                    crate::jobs::import::epci::import_file(&store, &file, dry_run).await?
                }
                ImportCommand::Fibre { file, dry_run } => {
                    crate::jobs::import::fibre::import_file(&store, &file, dry_run, true).await?
                }
                ImportCommand::Communes { file, dry_run } => {
                    crate::jobs::import::communes::import_file(&store, &file, dry_run).await?
                }
            };
            print!("{report}");
            Ok(if report.rejected.is_empty() {
                ExitCode::SUCCESS
            } else if report.nothing_valid() {
                eprintln!("erreur : fichier refusé, aucune ligne n'est valable");
                ExitCode::FAILURE
            } else {
                ExitCode::from(3)
            })
        }
    }
}

/// Reads the new account's password from `REPERE_PASSWORD`, else from the first line of stdin.
fn read_password() -> anyhow::Result<String> {
    if let Ok(p) = std::env::var("REPERE_PASSWORD") {
        return Ok(p);
    }
    use std::io::{BufRead, IsTerminal, Write};
    if std::io::stdin().is_terminal() {
        eprint!(
            "Mot de passe (au moins {} caractères) : ",
            repere_core::users::PASSWORD_MIN
        );
        let _ = std::io::stderr().flush();
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// `repere user add`: validates everything before touching the database.
pub async fn add_user(store: &Store, email: &str, role: &str, name: &str, password: &str) -> anyhow::Result<String> {
    let email = repere_core::users::Email::parse(email).map_err(|e| anyhow::anyhow!(e.message))?;
    let role = repere_core::users::Role::parse("role", role).map_err(|e| anyhow::anyhow!(e.message))?;
    repere_core::users::check_password(password).map_err(|e| anyhow::anyhow!(e.message))?;
    let hash = crate::auth::hash_password(password).map_err(|e| anyhow::anyhow!(e.to_string()))?;
    match repere_store::users::insert(store, &email, name.trim(), role, &hash).await? {
        Some(_) => Ok(format!("Compte créé : {} ({})", email.as_str(), role.label())),
        None => anyhow::bail!("un compte existe déjà pour {}", email.as_str()),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("shutting down: finishing in-flight requests");
}
