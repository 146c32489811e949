//! OpenAPI paths of the vector tiles and their TileJSON, with each layer's filters.

use utoipa::openapi::path::{HttpMethod, ParameterIn};
use utoipa::openapi::{PathItem, PathsBuilder, Type};

use super::{not_found, op, param, query};
use crate::ogc::collection;
use crate::tiles::LAYERS;

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
    for layer in LAYERS {
        let Ok(info) = collection(layer) else { continue };
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
    paths
}
