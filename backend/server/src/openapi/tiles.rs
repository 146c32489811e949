//! OpenAPI paths of the vector tiles and their TileJSON, with each layer's filters, and of the static
//! map images drawn from them.

use utoipa::openapi::path::{HttpMethod, ParameterIn};
use utoipa::openapi::{PathItem, PathsBuilder, Type};

use super::{not_found, op, param, query};
use crate::collection::PointLayer;

pub(super) fn paths(mut paths: PathsBuilder) -> PathsBuilder {
    paths = paths.path(
        "/api/tiles",
        PathItem::new(
            HttpMethod::Get,
            op(
                "tileLayers",
                "Couches servies en tuiles vectorielles",
                "Tuiles",
                "application/json",
                "layers",
            )
            .build(),
        ),
    );
    for point_layer in PointLayer::ALL {
        let (layer, info) = (point_layer.id(), point_layer.info());
        let filtered = |mut b: utoipa::openapi::path::OperationBuilder| {
            b = b
                .parameter(query("q", Type::String, "Recherche plein texte"))
                .parameter(query("datetime", Type::String, "Instant ou intervalle (OGC)"));
            for (name, description) in info.filters {
                b = b.parameter(query(name, Type::String, description));
            }
            b
        };
        let tilejson = filtered(op(
            &format!("{layer}TileJson"),
            &format!("TileJSON 3.0 de la couche {layer} ; les filtres donnés sont repris dans l'URL des tuiles"),
            "Tuiles",
            "application/json",
            "TileJSON",
        ));
        paths = paths.path(
            format!("/api/tiles/{layer}"),
            PathItem::new(HttpMethod::Get, not_found(tilejson)),
        );
        let mut tile = filtered(op(
            &format!("{layer}Tile"),
            &format!(
                "Tuile vectorielle (MVT) de la couche {layer} : regroupements (point_count, expansion_zoom) sous le zoom 15, points au-delà ; ETag, 304 sur If-None-Match"
            ),
            "Tuiles",
            "application/vnd.mapbox-vector-tile",
            "Tuile MVT",
        ));
        for (name, description) in [
            ("z", "Niveau de zoom, 0 à 22"),
            ("x", "Colonne, 0 à 2^z − 1"),
            ("y", "Ligne, 0 à 2^z − 1, suivie ou non de .mvt"),
        ] {
            tile = tile.parameter(param(name, ParameterIn::Path, true, Type::String, description));
        }
        paths = paths.path(
            format!("/api/tiles/{layer}/{{z}}/{{x}}/{{y}}"),
            PathItem::new(HttpMethod::Get, not_found(tile)),
        );
    }
    let practices = PointLayer::Practices.info();
    let mut image = op(
        "staticMap",
        "Carte statique PNG (maplibre-rs, sans WebGL) : usages, Fab' École, établissements sur le fond hors ligne ; l'emprise est élargie aux proportions de l'image ; mise en cache jusqu'au prochain changement de données (x-repere-cache) ; 503 si aucun moteur de rendu n'est disponible",
        "Cartes statiques",
        "image/png",
        "Image PNG",
    )
    .parameter(query("bbox", Type::String, "Emprise lon,lat,lon,lat (WGS84), obligatoire"))
    .parameter(query("width", Type::Integer, "Largeur en pixels, 64 à 2048 (600 par défaut)"))
    .parameter(query("height", Type::Integer, "Hauteur en pixels, 64 à 2048 (400 par défaut)"))
    .parameter(query("layers", Type::String, "practices, sites, establishments (par défaut practices,sites)"))
    .parameter(query("q", Type::String, "Recherche plein texte (usages)"))
    .parameter(query("datetime", Type::String, "Instant ou intervalle (OGC) sur la publication des usages"));
    for (name, description) in practices.filters {
        image = image.parameter(query(name, Type::String, description));
    }
    paths = paths.path("/api/maps/static.png", PathItem::new(HttpMethod::Get, image.build()));
    paths.path(
        "/api/collections/practices/items/{featureId}/map.png",
        PathItem::new(
            HttpMethod::Get,
            not_found(
                op(
                    "practiceMap",
                    "Carte statique 600×315 centrée sur un usage publié (aperçu de lien, og:image)",
                    "Cartes statiques",
                    "image/png",
                    "Image PNG",
                )
                .parameter(param(
                    "featureId",
                    ParameterIn::Path,
                    true,
                    Type::Integer,
                    "Identifiant de l'usage",
                )),
            ),
        ),
    )
}
