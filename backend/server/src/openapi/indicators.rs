//! OpenAPI paths of the CARDIE's target dashboard.

use utoipa::openapi::path::HttpMethod;
use utoipa::openapi::{PathItem, PathsBuilder, Type};

use super::access::guarded;
use super::{op, op_answering, query};

pub(super) fn paths(paths: PathsBuilder) -> PathsBuilder {
    let year = || {
        query(
            "school_year",
            Type::String,
            "Année scolaire, ex. 2025-2026 (par défaut : l'année en cours)",
        )
    };
    paths
        .path(
            "/api/indicators/summary",
            PathItem::new(
                HttpMethod::Get,
                op("indicatorsSummary", "Objectif de remontées publiées : total, projection, années précédentes (public)", "Indicateurs", "application/json", "Résumé")
                    .parameter(year())
                    .build(),
            ),
        )
        .path(
            "/api/indicators/target",
            PathItem::new(
                HttpMethod::Get,
                guarded(op("indicatorsTarget", "Tableau de bord (modérateurs, administrateurs) : résumé et répartitions par département, degré, type, discipline, outil, mois", "Indicateurs", "application/json", "Tableau de bord"))
                    .parameter(year())
                    .build(),
            ),
        )
        .path(
            "/api/indicators/target.csv",
            PathItem::new(
                HttpMethod::Get,
                guarded(op("indicatorsTargetCsv", "Une répartition en CSV (modérateurs, administrateurs)", "Indicateurs", "text/csv", "CSV ; séparateur ;"))
                    .parameter(year())
                    .parameter(query("breakdown", Type::String, "departement, degree, kind, discipline, tool, month ou years"))
                    .build(),
            ),
        )
        .path(
            "/api/fibre/communes",
            PathItem::new(
                HttpMethod::Get,
                op("fibreCommunes", "Couverture fibre (FttH) des communes, d'après l'ARCEP, avec leurs contours : couche de la carte du débit (public)", "Indicateurs", "application/geo+json", "Communes (FeatureCollection) : locaux, locaux_raccordables, taux, categorie, trimestre")
                    .parameter(query("departement", Type::String, "Département"))
                    .build(),
            ),
        )
        .path(
            "/api/indicators/bandwidth",
            PathItem::new(
                HttpMethod::Get,
                bandwidth(guarded(op("indicatorsBandwidth", "Débit des établissements (collectivités, administrateurs) : classes mesurées et potentielles, établissements sous le seuil par commune et département, usages qui y sont remontés", "Indicateurs", "application/json", "Vue débit")))
                    .build(),
            ),
        )
        .path(
            "/api/indicators/bandwidth.csv",
            PathItem::new(
                HttpMethod::Get,
                bandwidth(guarded(op("indicatorsBandwidthCsv", "Établissements sous le seuil en CSV, par territoire", "Indicateurs", "text/csv", "CSV ; séparateur ;")))
                    .parameter(query("territory", Type::String, "commune, departement, epci (si la liste des EPCI est importée) ou establishments"))
                    .build(),
            ),
        )
        .path(
            "/api/indicators/opinee",
            PathItem::new(
                HttpMethod::Get,
                opinee(guarded(op("indicatorsOpinee", "Compilation OPINEE et labels par territoire (modérateurs, administrateurs ; confidentielle) : moyennes des 7 champs, équipement, usages, nombre de labels par niveau", "Indicateurs", "application/json", "Compilation")))
                    .build(),
            ),
        )
        .path(
            "/api/indicators/opinee.csv",
            PathItem::new(
                HttpMethod::Get,
                opinee(guarded(op("indicatorsOpineeCsv", "La compilation OPINEE en CSV (modérateurs, administrateurs)", "Indicateurs", "text/csv", "CSV ; séparateur ;")))
                    .build(),
            ),
        )
        .path(
            "/api/visits",
            utoipa::openapi::path::PathItemBuilder::new()
                .operation(
                    HttpMethod::Get,
                    visits(guarded(op("visits", "Visites comptées (modérateurs) : total, par jour, par page, par fiche (50 plus vues), par site intégrant la carte", "Indicateurs", "application/json", "Visites")))
                        .build(),
                )
                .operation(
                    HttpMethod::Post,
                    op_answering("countVisit", "Compte une vue {page, practice_id?, site?} (sans session ni cookie ; aucune adresse conservée) ; 204", "Indicateurs", "application/json", ("204", "Comptée (204)"))
                        .build(),
                )
                .build(),
        )
        .path(
            "/api/visits.csv",
            PathItem::new(
                HttpMethod::Get,
                visits(guarded(op("visitsCsv", "Chaque compteur de la période en CSV (modérateurs) : jour, page, fiche, site, visites", "Indicateurs", "text/csv", "CSV ; séparateur ;"))).build(),
            ),
        )
}

fn visits(b: utoipa::openapi::path::OperationBuilder) -> utoipa::openapi::path::OperationBuilder {
    b.parameter(query(
        "from",
        Type::String,
        "Premier jour, AAAA-MM-JJ (par défaut : 29 jours avant la fin)",
    ))
    .parameter(query(
        "to",
        Type::String,
        "Dernier jour, AAAA-MM-JJ (par défaut : aujourd'hui)",
    ))
}

fn opinee(b: utoipa::openapi::path::OperationBuilder) -> utoipa::openapi::path::OperationBuilder {
    b.parameter(query(
        "school_year",
        Type::String,
        "Année scolaire (par défaut : la plus récente renseignée)",
    ))
    .parameter(query(
        "territory",
        Type::String,
        "departement (par défaut), commune ou epci",
    ))
    .parameter(query("departement", Type::String, "Département"))
}

fn bandwidth(b: utoipa::openapi::path::OperationBuilder) -> utoipa::openapi::path::OperationBuilder {
    b.parameter(query("threshold", Type::Number, "Seuil en Mbit/s (30 par défaut)"))
        .parameter(query("source", Type::String, "measured (par défaut) ou potential"))
        .parameter(query("departement", Type::String, "Département"))
        .parameter(query("commune", Type::String, "Code INSEE d'une commune"))
        .parameter(query("epci", Type::String, "SIREN d'un EPCI (9 chiffres)"))
}
