//! `/api/openapi.json` (built with utoipa's builders from the same collection descriptions the
//! handlers use, so that the document cannot drift from the filters actually accepted) and `/api/docs`,
//! a page that renders it without any external script.

use axum::response::{Html, Response};
use serde_json::Value;
use utoipa::openapi::path::{HttpMethod, Operation, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::{
    ContentBuilder, InfoBuilder, ObjectBuilder, OpenApiBuilder, PathItem, PathsBuilder, Required, ResponseBuilder, Type,
};

use crate::nearby::{DEFAULT_K, MAX_K};
use crate::ogc::{COLLECTIONS, DEFAULT_LIMIT, GEO_JSON, MAX_LIMIT};

fn param(
    name: &str,
    place: ParameterIn,
    required: bool,
    ty: Type,
    description: &str,
) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(place)
        .required(if required { Required::True } else { Required::False })
        .description(Some(description))
        .schema(Some(ObjectBuilder::new().schema_type(ty)))
        .build()
}

fn query(name: &str, ty: Type, description: &str) -> utoipa::openapi::path::Parameter {
    param(name, ParameterIn::Query, false, ty, description)
}

fn op(id: &str, summary: &str, tag: &str, media: &str, ok: &str) -> OperationBuilder {
    OperationBuilder::new()
        .operation_id(Some(id))
        .summary(Some(summary))
        .tag(tag)
        .response(
            "200",
            ResponseBuilder::new()
                .description(ok)
                .content(media, ContentBuilder::new().build()),
        )
        .response(
            "400",
            ResponseBuilder::new()
                .description("Paramètre invalide ou inconnu (problem+json nommant le paramètre)")
                .content("application/problem+json", ContentBuilder::new().build()),
        )
}

fn not_found(b: OperationBuilder) -> Operation {
    b.response(
        "404",
        ResponseBuilder::new()
            .description("Introuvable")
            .content("application/problem+json", ContentBuilder::new().build()),
    )
    .build()
}

/// The OpenAPI document for every route.
pub fn build() -> Value {
    let mut paths = PathsBuilder::new()
        .path(
            "/api",
            PathItem::new(
                HttpMethod::Get,
                op(
                    "getLandingPage",
                    "Page d'accueil OGC API",
                    "Capacités",
                    "application/json",
                    "Liens vers les ressources",
                )
                .build(),
            ),
        )
        .path(
            "/api/conformance",
            PathItem::new(
                HttpMethod::Get,
                op(
                    "getConformance",
                    "Classes de conformité",
                    "Capacités",
                    "application/json",
                    "Liste conformsTo",
                )
                .build(),
            ),
        )
        .path(
            "/api/collections",
            PathItem::new(
                HttpMethod::Get,
                op(
                    "getCollections",
                    "Liste des collections",
                    "Capacités",
                    "application/json",
                    "Collections et leur emprise",
                )
                .build(),
            ),
        )
        .path(
            "/api/openapi.json",
            PathItem::new(
                HttpMethod::Get,
                op(
                    "getOpenApi",
                    "Ce document",
                    "Capacités",
                    "application/json",
                    "OpenAPI 3.0",
                )
                .build(),
            ),
        )
        .path(
            "/api/config",
            PathItem::new(
                HttpMethod::Get,
                op(
                    "getConfig",
                    "Réglages de la carte (fond de carte, données de démonstration)",
                    "Capacités",
                    "application/json",
                    "basemap_style_url et demo",
                )
                .build(),
            ),
        )
        .path(
            "/api/docs",
            PathItem::new(
                HttpMethod::Get,
                op(
                    "getDocs",
                    "Documentation lisible",
                    "Capacités",
                    "text/html",
                    "Page HTML",
                )
                .build(),
            ),
        );

    let mut nearby = op(
        "getNearby",
        "Objets les plus proches d'un point, classés par distance",
        "Proximité",
        GEO_JSON,
        "FeatureCollection ; chaque objet porte distance_m (mètres)",
    )
    .parameter(query("lon", Type::Number, "Longitude WGS84 en degrés (obligatoire)"))
    .parameter(query("lat", Type::Number, "Latitude WGS84 en degrés (obligatoire)"))
    .parameter(query(
        "k",
        Type::Integer,
        &format!("Nombre d'objets (défaut {DEFAULT_K}, plafonné à {MAX_K})"),
    ))
    .parameter(query("radius_m", Type::Number, "Rayon maximal en mètres"))
    .parameter(query(
        "collection",
        Type::String,
        "practices (défaut), establishments ou sites",
    ))
    .parameter(query("q", Type::String, "Recherche plein texte"))
    .parameter(query("datetime", Type::String, "Instant ou intervalle RFC 3339"));
    let mut seen_filters: Vec<&str> = Vec::new();

    for info in COLLECTIONS {
        let id = info.id;
        paths = paths.path(
            format!("/api/collections/{id}"),
            PathItem::new(
                HttpMethod::Get,
                not_found(op(
                    &format!("describe_{id}"),
                    &format!("Description de la collection {id}"),
                    info.title,
                    "application/json",
                    "Collection",
                )),
            ),
        );
        let mut items = op(
            &format!("get_{id}_items"),
            &format!("Objets de la collection {id} — {}", info.title),
            info.title,
            GEO_JSON,
            "FeatureCollection avec numberMatched, numberReturned et liens next/prev",
        )
        .description(Some(info.description))
        .parameter(query(
            "bbox",
            Type::String,
            "lon_min,lat_min,lon_max,lat_max en degrés WGS84",
        ))
        .parameter(query(
            "limit",
            Type::Integer,
            &format!("Taille de page (défaut {DEFAULT_LIMIT}, plafonnée à {MAX_LIMIT})"),
        ))
        .parameter(query("offset", Type::Integer, "Nombre d'objets à sauter"))
        .parameter(query(
            "datetime",
            Type::String,
            "Instant, date ou intervalle début/fin (.. pour ouvert)",
        ))
        .parameter(query(
            "q",
            Type::String,
            "Recherche plein texte, insensible à la casse et aux accents",
        ));
        for (name, description) in info.filters {
            items = items.parameter(query(name, Type::String, description));
            if !seen_filters.contains(name) {
                seen_filters.push(name);
                nearby = nearby.parameter(query(
                    name,
                    Type::String,
                    &format!("Filtre de la collection choisie : {description}"),
                ));
            }
        }
        paths = paths.path(
            format!("/api/collections/{id}/items"),
            PathItem::new(HttpMethod::Get, not_found(items)),
        );
        let one = op(
            &format!("get_{id}_item"),
            &format!("Un objet de la collection {id}"),
            info.title,
            GEO_JSON,
            "Feature",
        )
        .parameter(param(
            "featureId",
            ParameterIn::Path,
            true,
            Type::String,
            "Identifiant de l'objet",
        ));
        paths = paths.path(
            format!("/api/collections/{id}/items/{{featureId}}"),
            PathItem::new(HttpMethod::Get, not_found(one)),
        );
    }
    let auth_op = |id: &str, summary: &str, ok: &str| {
        OperationBuilder::new()
            .operation_id(Some(id))
            .summary(Some(summary))
            .tag("Comptes")
            .parameter(
                ParameterBuilder::new()
                    .name("X-CSRF-Token")
                    .parameter_in(ParameterIn::Header)
                    .required(Required::True)
                    .description(Some("Jeton CSRF de /api/auth/session"))
                    .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                    .build(),
            )
            .response(
                "200",
                ResponseBuilder::new()
                    .description(ok)
                    .content("application/json", ContentBuilder::new().build()),
            )
            .response(
                "403",
                ResponseBuilder::new()
                    .description("Jeton CSRF manquant ou invalide")
                    .content("application/problem+json", ContentBuilder::new().build()),
            )
    };
    paths = paths
        .path(
            "/api/auth/session",
            PathItem::new(
                HttpMethod::Get,
                op(
                    "getSession",
                    "Compte connecté (le cas échéant) et jeton CSRF",
                    "Comptes",
                    "application/json",
                    "authenticated, user, csrf_token",
                )
                .build(),
            ),
        )
        .path(
            "/api/auth/login",
            PathItem::new(
                HttpMethod::Post,
                auth_op(
                    "login",
                    "Connexion {email, password} ; limitée par compte et par adresse IP",
                    "Session ouverte",
                )
                .response(
                    "401",
                    ResponseBuilder::new()
                        .description("Adresse ou mot de passe incorrect (message générique)")
                        .content("application/problem+json", ContentBuilder::new().build()),
                )
                .response(
                    "429",
                    ResponseBuilder::new()
                        .description("Trop de tentatives ; en-tête Retry-After")
                        .content("application/problem+json", ContentBuilder::new().build()),
                )
                .build(),
            ),
        )
        .path(
            "/api/auth/logout",
            PathItem::new(
                HttpMethod::Post,
                auth_op("logout", "Déconnexion", "Session close (204)").build(),
            ),
        );
    // Contribution and moderation: session cookie + X-CSRF-Token on writes; JSON bodies; errors are
    // problem+json (401 not signed in, 403 role, 404 not yours, 409 illegal transition, 422 field).
    let write = |id: &str, summary: &str, ok: &str| {
        auth_op(id, summary, ok)
            .tag("Remontées")
            .response(
                "401",
                ResponseBuilder::new()
                    .description("Connexion requise")
                    .content("application/problem+json", ContentBuilder::new().build()),
            )
            .response(
                "422",
                ResponseBuilder::new()
                    .description("Champ invalide, nommé dans invalid_params")
                    .content("application/problem+json", ContentBuilder::new().build()),
            )
    };
    let read = |id: &str, summary: &str, ok: &str| {
        op(id, summary, "Remontées", "application/json", ok)
            .response(
                "401",
                ResponseBuilder::new()
                    .description("Connexion requise")
                    .content("application/problem+json", ContentBuilder::new().build()),
            )
            .response(
                "403",
                ResponseBuilder::new()
                    .description("Rôle insuffisant")
                    .content("application/problem+json", ContentBuilder::new().build()),
            )
    };
    let id_param = || {
        param(
            "id",
            ParameterIn::Path,
            true,
            Type::Integer,
            "Identifiant de la remontée",
        )
    };
    paths = paths
        .path("/api/practices", PathItem::new(HttpMethod::Post, write("createPractice", "Nouvelle remontée (brouillon, ou soumise si submit=true)", "Remontée créée (201)").build()))
        .path("/api/practices/mine", PathItem::new(HttpMethod::Get, read("myPractices", "Mes remontées, avec leur statut et le motif d'un refus", "Liste").build()))
        .path(
            "/api/practices/duplicates",
            PathItem::new(
                HttpMethod::Get,
                read("duplicates", "Doublons possibles : même établissement et titre proche ou même outil", "Liste")
                    .parameter(query("uai", Type::String, "UAI de l'établissement (obligatoire)"))
                    .parameter(query("title", Type::String, "Titre envisagé"))
                    .parameter(query("tool", Type::String, "Outil"))
                    .build(),
            ),
        )
        .path(
            "/api/practices/{id}",
            utoipa::openapi::path::PathItemBuilder::new()
                .operation(HttpMethod::Get, read("showPractice", "Une remontée vue par son auteur ou un modérateur", "Remontée").parameter(id_param()).build())
                .operation(HttpMethod::Put, write("editPractice", "L'auteur modifie sa remontée non publiée (409 sinon)", "Remontée modifiée").parameter(id_param()).build())
                .build(),
        )
        .path(
            "/api/practices/{id}/messages",
            PathItem::new(
                HttpMethod::Post,
                write("contactAuthor", "Contacter l'auteur d'un usage publié {body} ; aucune adresse n'est échangée", "Message déposé (201)")
                    .parameter(id_param())
                    .build(),
            ),
        )
        .path("/api/messages", PathItem::new(HttpMethod::Get, read("myMessages", "Messages reçus au sujet de mes usages (nom de l'expéditeur, jamais son adresse)", "Liste").build()))
        .path(
            "/api/links",
            PathItem::new(
                HttpMethod::Post,
                write("createLink", "Lier deux usages publiés {from_practice, to_practice, kind, note?} ; 409 si le lien existe déjà", "Lien créé (201)").tag("Réseaux").build(),
            ),
        )
        .path(
            "/api/links/{id}",
            PathItem::new(
                HttpMethod::Delete,
                write("deleteLink", "Retirer un lien (son auteur ou un modérateur)", "Lien retiré (204)").tag("Réseaux").parameter(param("id", ParameterIn::Path, true, Type::Integer, "Identifiant du lien")).build(),
            ),
        )
        .path("/api/networks/growth", PathItem::new(HttpMethod::Get, op("networksGrowth", "Liens enregistrés et réseaux existants, par mois et par année scolaire", "Réseaux", "application/json", "by_month, by_school_year").build()))
        .path("/api/networks", PathItem::new(HttpMethod::Get, op("networks", "Réseaux implicites : composantes connexes des liens, avec leurs chiffres et leurs pivots", "Réseaux", GEO_JSON, "FeatureCollection (emprise en polygone)").build()))
        .path(
            "/api/practices/{id}/neighbourhood",
            PathItem::new(
                HttpMethod::Get,
                not_found(
                    op("neighbourhood", "Usages à N liens au plus d'un usage publié", "Réseaux", "application/json", "Nœuds (avec leur distance en liens) et liens")
                        .parameter(id_param())
                        .parameter(query("depth", Type::Integer, "Profondeur, de 1 à 6 (défaut 2)")),
                ),
            ),
        )
        .path(
            "/api/practices/{id}/suggestions",
            PathItem::new(
                HttpMethod::Get,
                not_found(
                    op("suggestions", "Usages proches partageant un outil, une discipline ou un thème, pas encore liés, avec leur raison", "Réseaux", "application/json", "Suggestions classées par distance")
                        .parameter(id_param())
                        .parameter(query("radius_m", Type::Number, "Rayon en mètres (défaut 30000, au plus 200000)"))
                        .parameter(query("k", Type::Integer, "Nombre de suggestions (défaut 10, au plus 100)")),
                ),
            ),
        )
        .path("/api/practices/{id}/audit", PathItem::new(HttpMethod::Get, read("practiceAudit", "Journal des modifications (modérateurs)", "Entrées").parameter(id_param()).build()))
        .path(
            "/api/practices/{id}/{action}",
            PathItem::new(
                HttpMethod::Post,
                write("practiceAction", "submit (auteur) ; publish, reject {reason}, archive, continue (modérateurs) ; 409 si la transition est impossible", "Nouveau statut")
                    .parameter(id_param())
                    .parameter(param("action", ParameterIn::Path, true, Type::String, "submit, publish, reject, archive ou continue"))
                    .build(),
            ),
        )
        .path(
            "/api/moderation/inbox",
            PathItem::new(
                HttpMethod::Get,
                read("moderationInbox", "Remontées à modérer, les plus anciennes d'abord, avec leur âge", "Liste")
                    .parameter(query("departement", Type::String, "Département"))
                    .parameter(query("school_year", Type::String, "Année scolaire"))
                    .build(),
            ),
        )
        .path("/api/moderation/decisions", PathItem::new(HttpMethod::Post, write("moderationDecisions", "Publier ou refuser plusieurs remontées {ids, action, reason}", "Résultat par remontée").build()));
    paths = paths.path("/api/nearby", PathItem::new(HttpMethod::Get, nearby.build()));

    let doc = OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Repère — API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some("OGC API – Features (Part 1) des usages numériques innovants, établissements, Fab' École et liens de l'académie de Nice. Coordonnées WGS84 (CRS84), distances en mètres. Erreurs en application/problem+json (RFC 9457).")),
        )
        .paths(paths.build())
        .build();
    let mut value = serde_json::to_value(doc).unwrap_or(Value::Null);
    // The document uses only constructs common to OpenAPI 3.0 and 3.1; OGC API Features Part 1
    // declares conformance to 3.0, so say 3.0.
    value["openapi"] = Value::String("3.0.3".into());
    value
}

/// GET /api/openapi.json
pub async fn document() -> Response {
    crate::ogc::with_type(build(), "application/vnd.oai.openapi+json;version=3.0")
}

/// GET /api/docs
pub async fn docs_page() -> Html<&'static str> {
    Html(include_str!("docs.html"))
}
