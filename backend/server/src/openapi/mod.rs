//! `/api/openapi.json` (built with utoipa's builders from the same collection descriptions the
//! handlers use, so that the document cannot drift from the filters actually accepted) and `/api/docs`,
//! a page that renders it without any external script.

use axum::response::{Html, Response};
use serde_json::Value;
use utoipa::openapi::path::{HttpMethod, Operation, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::{
    ContentBuilder, InfoBuilder, ObjectBuilder, OpenApiBuilder, PathItem, PathsBuilder, Required, ResponseBuilder, Type,
};

mod access;
mod accounts;
mod indicators;
mod intentions;
mod letters;
mod schemas;
mod statuses;
mod tiles;

use crate::collection::Collection;
use crate::nearest::{DEFAULT_K, MAX_K};
use crate::request::{DEFAULT_LIMIT, MAX_LIMIT};
use crate::response::GEO_JSON;
use crate::routes::Routes;

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
    op_answering(id, summary, tag, media, ("200", ok))
}

/// A success under `status`: `204` without a body, any other with a body of `media`.
fn success(b: OperationBuilder, status: &str, description: &str, media: &str) -> OperationBuilder {
    let response = ResponseBuilder::new().description(description);
    b.response(
        status,
        if status == "204" {
            response
        } else {
            response.content(media, ContentBuilder::new().build())
        },
    )
}

/// [`op`] whose success is `ok` = (status, description).
fn op_answering(id: &str, summary: &str, tag: &str, media: &str, ok: (&str, &str)) -> OperationBuilder {
    success(
        OperationBuilder::new()
            .operation_id(Some(id))
            .summary(Some(summary))
            .tag(tag),
        ok.0,
        ok.1,
        media,
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

    for collection in Collection::ALL {
        let (id, info) = (collection.id(), collection.info());
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
        ))
        .parameter(query(
            "f",
            Type::String,
            "Format : json (défaut), geojson, csv (tableur ; séparateur ;, UTF-8 avec BOM ; x et y dans le système crs) ou fgb (FlatGeobuf)",
        ))
        .parameter(query(
            "crs",
            Type::String,
            "Système des coordonnées rendues : http://www.opengis.net/def/crs/OGC/1.3/CRS84 (défaut), …/EPSG/0/4326 (latitude d'abord) ou …/EPSG/0/2154 (Lambert-93) ; en-tête Content-Crs",
        ))
        .parameter(query("bbox-crs", Type::String, "Système dans lequel bbox est donné (mêmes valeurs que crs)"))
        .parameter(query(
            "filter",
            Type::String,
            "Filtre CQL2 (comparaisons, LIKE, IN, BETWEEN, IS NULL, AND/OR/NOT, S_INTERSECTS, T_INTERSECTS) sur les propriétés de /queryables",
        ))
        .parameter(query("filter-lang", Type::String, "cql2-text (défaut) ou cql2-json"))
        .parameter(query("filter-crs", Type::String, "Système des géométries du filtre : CRS84 seulement"))
        .parameter(query("sortby", Type::String, "Tri : propriétés séparées par des virgules, préfixe - pour décroissant"));
        items = items.response(
            "200",
            ResponseBuilder::new()
                .description("FeatureCollection, ou avec f=csv un tableur d'une ligne par objet")
                .content(GEO_JSON, ContentBuilder::new().build())
                .content("text/csv", ContentBuilder::new().build()),
        );
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
        ))
        .parameter(query(
            "crs",
            Type::String,
            "Système des coordonnées rendues (voir items)",
        ));
        paths = paths.path(
            format!("/api/collections/{id}/queryables"),
            PathItem::new(
                HttpMethod::Get,
                op(
                    &format!("get_{id}_queryables"),
                    &format!("Propriétés interrogeables de la collection {id} (JSON Schema)"),
                    info.title,
                    "application/schema+json",
                    "Schéma des propriétés que filter et sortby acceptent",
                )
                .build(),
            ),
        );
        paths = paths.path(
            format!("/api/collections/{id}/items/{{featureId}}"),
            PathItem::new(HttpMethod::Get, not_found(one)),
        );
    }
    paths = accounts::paths(paths);
    paths = access::paths(paths);
    paths = tiles::paths(paths);
    paths = indicators::paths(paths);
    paths = intentions::paths(paths);
    paths = letters::paths(paths);
    paths = letters::opendata(paths);
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
    schemas::add(&mut value);
    schemas::attach_responses(&mut value);
    statuses::complete(&mut value);
    value
}

/// GET /api/openapi.json
pub async fn document() -> Response {
    crate::response::with_type(build(), "application/vnd.oai.openapi+json;version=3.0")
}

/// GET /api/docs
pub async fn docs_page() -> Html<&'static str> {
    Html(include_str!("docs.html"))
}

/// The OpenAPI document and its page.
pub fn routes() -> Routes {
    Routes::new().get("/openapi.json", document).get("/docs", docs_page)
}
