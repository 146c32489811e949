//! OpenAPI paths of the lettre des usages: editions (editors), plans and indicators, subscriptions
//! (double opt-in) and the one-click unsubscribe.

use utoipa::openapi::path::{HttpMethod, ParameterIn, PathItemBuilder};
use utoipa::openapi::schema::Type;
use utoipa::openapi::{PathItem, PathsBuilder};

use super::access::{base, problem, read, response, write};
use super::intentions::body;
use super::{param, query};

const TAG: &str = "Lettre des usages";

fn id() -> utoipa::openapi::path::Parameter {
    param("id", ParameterIn::Path, true, Type::Integer, "Identifiant de l'édition")
}

pub(super) fn paths(paths: PathsBuilder) -> PathsBuilder {
    let draft = body(
        problem(
            write(
                "saveEdition",
                "Enregistrer un brouillon (une édition publiée est figée : 409)",
                TAG,
                ("200", "L'édition"),
            ),
            "409",
            "Publiée, ou modifiée entre-temps",
        ),
        &[
            ("version", Type::Integer, true, "Version lue (verrou optimiste)"),
            ("levels", Type::Array, false, "Niveaux couverts"),
            ("title", Type::String, false, "Titre (200 caractères au plus)"),
            (
                "message",
                Type::String,
                false,
                "Message de l'inspecteur en Markdown (HTML brut affiché comme texte)",
            ),
            (
                "items",
                Type::Array,
                false,
                "Usages publiés, dans l'ordre : {practice_id, comment}",
            ),
        ],
    )
    .parameter(id());
    let subscribe = body(
        super::success(
            write(
                "subscribeLetter",
                "S'abonner : 201 si c'est l'adresse du compte connecté, sinon 202 et un lien de confirmation (48 h)",
                TAG,
                ("202", "Lien de confirmation envoyé"),
            ),
            "201",
            "Abonnement enregistré (l'adresse du compte connecté)",
            "application/json",
        ),
        &[
            ("email", Type::String, true, "Adresse académique"),
            ("disciplines", Type::Array, true, "Disciplines"),
            ("levels", Type::Array, false, "Niveaux (tous par défaut)"),
        ],
    );
    let unsubscribe_params = |b: utoipa::openapi::path::OperationBuilder| {
        b.parameter(query("s", Type::Integer, "Abonnement"))
            .parameter(query("k", Type::String, "Clé du lien"))
    };
    paths
        .path(
            "/api/editions",
            PathItemBuilder::new()
                .operation(HttpMethod::Get, read("listEditions", "Éditions des disciplines que l'on édite (toutes pour la DANE) et ces disciplines", TAG, "disciplines, editions").build())
                .operation(HttpMethod::Post, body(write("createEdition", "Ouvrir un brouillon d'édition d'une discipline que l'on édite", TAG, ("201", "L'édition")), &[("discipline", Type::String, true, "Discipline")]).build())
                .build(),
        )
        .path(
            "/api/editions/suggestions",
            PathItem::new(
                HttpMethod::Get,
                read("editionSuggestions", "Usages de la discipline publiés depuis la dernière édition, par niveau ; niveaux pas encore couverts cette année ; usages proches d'établissements qui n'en ont pas", TAG, "by_level, uncovered_levels, near_establishments_without")
                    .parameter(query("discipline", Type::String, "Discipline (obligatoire)"))
                    .build(),
            ),
        )
        .path(
            "/api/editions/{id}",
            PathItemBuilder::new()
                .operation(HttpMethod::Get, problem(read("getEdition", "Une édition (ses éditeurs)", TAG, "L'édition"), "404", "Aucune édition").parameter(id()).build())
                .operation(HttpMethod::Put, draft.build())
                .build(),
        )
        .path(
            "/api/editions/{id}/publish",
            PathItem::new(
                HttpMethod::Post,
                body(problem(write("publishEdition", "Publier maintenant (envoi aux abonnés, un courriel chacun) ou programmer à la date at", TAG, ("200", "L'édition")), "409", "Déjà publiée"), &[("at", Type::String, false, "AAAA-MM-JJTHH:MM (UTC) ou RFC 3339 ; absent : maintenant")])
                    .parameter(id())
                    .build(),
            ),
        )
        .path("/api/editions/{id}/unschedule", PathItem::new(HttpMethod::Post, problem(write("unscheduleEdition", "Remettre une édition programmée en brouillon", TAG, ("200", "L'édition")), "409", "L'édition n'est pas programmée").parameter(id()).build()))
        .path(
            "/api/editions/{id}/errata",
            PathItem::new(HttpMethod::Post, body(problem(write("addErratum", "Ajouter un erratum visible à une édition publiée", TAG, ("200", "L'édition")), "409", "L'édition n'est pas publiée"), &[("text", Type::String, true, "Correction")]).parameter(id()).build()),
        )
        .path(
            "/api/editions/{id}/preview",
            PathItem::new(HttpMethod::Get, response(read("previewEdition", "Aperçu de l'édition telle que les lecteurs la verront", TAG, "Page HTML"), "200", "Page HTML", "text/html").parameter(id()).build()),
        )
        .path(
            "/api/letter/plans/{discipline}",
            PathItem::new(
                HttpMethod::Put,
                body(write("setLetterPlan", "Rythme d'une discipline et niveaux que ses éditions couvrent dans l'année", TAG, ("200", "Le plan")), &[("rhythm", Type::String, true, "mensuel, bimestriel, trimestriel ou semestriel"), ("levels", Type::Array, false, "Niveaux (ceux des usages par défaut)")])
                    .parameter(param("discipline", ParameterIn::Path, true, Type::String, "Discipline"))
                    .build(),
            ),
        )
        .path(
            "/api/letter/indicators",
            PathItem::new(HttpMethod::Get, read("letterIndicators", "Par discipline et année scolaire : éditions, niveaux couverts, usages présentés, abonnés, visites depuis les éditions, liens enregistrés ensuite, retard sur la règle (2 éditions, tous les niveaux)", TAG, "disciplines, behind").parameter(query("school_year", Type::String, "Année scolaire (en cours par défaut)")).build()),
        )
        .path(
            "/api/letter/indicators.csv",
            PathItem::new(HttpMethod::Get, response(read("letterIndicatorsCsv", "Les mêmes indicateurs en tableur", TAG, "Tableur"), "200", "Tableur", "text/csv").parameter(query("school_year", Type::String, "Année scolaire")).build()),
        )
        .path(
            "/api/letter/subscriptions",
            PathItemBuilder::new()
                .operation(HttpMethod::Get, read("myLetterSubscriptions", "Mes abonnements (compte connecté)", TAG, "email, subscriptions").build())
                .operation(HttpMethod::Post, subscribe.build())
                .build(),
        )
        .path(
            "/api/letter/confirm",
            PathItem::new(HttpMethod::Post, body(write("confirmLetterSubscription", "Confirmer un abonnement par le lien reçu (une fois, 48 h)", TAG, ("200", "confirmed")), &[("token", Type::String, true, "Jeton du lien")]).build()),
        )
        .path(
            "/api/letter/unsubscribe",
            PathItemBuilder::new()
                .operation(HttpMethod::Get, unsubscribe_params(problem(response(base("letterUnsubscribePage", "Page qui demande avant de désabonner", TAG), "200", "Page HTML", "text/html"), "404", "Lien inconnu")).build())
                .operation(HttpMethod::Post, unsubscribe_params(problem(response(base("letterUnsubscribe", "Désabonnement en un clic (RFC 8058) ; deux fois est sans effet", TAG), "200", "Page HTML", "text/html"), "404", "Lien inconnu")).build())
                .build(),
        )
}

/// The open-data package.
pub(super) fn opendata(paths: PathsBuilder) -> PathsBuilder {
    paths
        .path(
            "/api/opendata",
            PathItem::new(
                HttpMethod::Get,
                read(
                    "getOpendata",
                    "Données ouvertes : les fichiers du paquet (Licence Ouverte 2.0)",
                    "Capacités",
                    "links",
                )
                .build(),
            ),
        )
        .path(
            "/api/opendata/{file}",
            PathItem::new(
                HttpMethod::Get,
                response(
                    problem(
                        read(
                            "getOpendataFile",
                            "Un fichier du paquet : usages.csv, tiers_lieux.csv, etablissements.csv, datapackage.json",
                            "Capacités",
                            "Le fichier",
                        ),
                        "404",
                        "Fichier inconnu",
                    ),
                    "200",
                    "CSV",
                    "text/csv",
                )
                .parameter(param("file", ParameterIn::Path, true, Type::String, "Nom du fichier"))
                .build(),
            ),
        )
}
