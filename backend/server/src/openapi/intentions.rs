//! OpenAPI paths of the suivi des intentions (session cookie; X-CSRF-Token on writes), with the JSON
//! bodies each write accepts.

use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterIn, PathItemBuilder};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
use utoipa::openapi::{ContentBuilder, PathItem, PathsBuilder};

use super::access::{problem, read, response, write};
use super::{param, query};

const TAG: &str = "Intentions";

/// A JSON object body: (name, type, required, description); arrays are of strings unless named `*ids`.
pub(super) fn body(b: OperationBuilder, fields: &[(&str, Type, bool, &str)]) -> OperationBuilder {
    let mut o = ObjectBuilder::new().schema_type(Type::Object);
    for (name, ty, required, description) in fields {
        o = if *ty == Type::Array {
            let item = if name.ends_with("ids") {
                Type::Integer
            } else {
                Type::String
            };
            o.property(
                *name,
                ArrayBuilder::new()
                    .items(ObjectBuilder::new().schema_type(item))
                    .description(Some(*description)),
            )
        } else {
            o.property(
                *name,
                ObjectBuilder::new()
                    .schema_type(ty.clone())
                    .description(Some(*description)),
            )
        };
        if *required {
            o = o.required(*name);
        }
    }
    b.request_body(Some(
        RequestBodyBuilder::new()
            .content("application/json", ContentBuilder::new().schema(Some(o)).build())
            .build(),
    ))
}

fn id() -> utoipa::openapi::path::Parameter {
    param("id", ParameterIn::Path, true, Type::Integer, "Identifiant du dossier")
}

fn step() -> utoipa::openapi::path::Parameter {
    param(
        "step",
        ParameterIn::Path,
        true,
        Type::String,
        "Étape : accuse_reception, analyse, reponse ou cloture",
    )
}

fn on_dossier(b: OperationBuilder) -> OperationBuilder {
    let b = problem(b, "404", "Aucun dossier de cet identifiant");
    problem(b, "409", "Dossier clos, ou étape déjà faite")
}

pub(super) fn paths(paths: PathsBuilder) -> PathsBuilder {
    let list = read(
        "listIntentions",
        "Dossiers : les siens et ceux confiés ; tous pour la DANE, en retard d'abord",
        TAG,
        "total, open, late, dossiers",
    )
    .parameter(query(
        "status",
        Type::String,
        "deposee, prise_en_compte, en_analyse, reponse_donnee ou close",
    ))
    .parameter(query(
        "kind",
        Type::String,
        "equipement, formation, projet_pedagogique, ent_services, connexion ou autre",
    ))
    .parameter(query("departement", Type::String, "06 ou 83"))
    .parameter(query("referent", Type::String, "Identifiant du référent, ou « aucun »"))
    .parameter(query(
        "late",
        Type::Boolean,
        "true : en retard seulement ; false : à l'heure",
    ));
    let file = body(
        write(
            "fileIntention",
            "Déposer une intention : le dossier reçoit un numéro et ses étapes planifiées en jours ouvrés",
            TAG,
            ("201", "Le dossier créé"),
        ),
        &[
            (
                "kind",
                Type::String,
                true,
                "equipement, formation, projet_pedagogique, ent_services, connexion ou autre",
            ),
            ("title", Type::String, true, "Titre (200 caractères au plus)"),
            (
                "description",
                Type::String,
                true,
                "Description (5000 caractères au plus)",
            ),
            (
                "hoped_for",
                Type::String,
                false,
                "Date souhaitée AAAA-MM-JJ, pas passée",
            ),
            ("people", Type::String, false, "Personnes concernées"),
            (
                "uais",
                Type::Array,
                false,
                "UAI des établissements (l'encadrement : les siens)",
            ),
            (
                "territory",
                Type::Object,
                false,
                "{kind: commune|circonscription|departement, value}",
            ),
        ],
    );
    let complete = body(
        on_dossier(write(
            "completeIntentionStep",
            "Faire l'étape en cours avec une réponse écrite (l'auteur est prévenu)",
            TAG,
            ("200", "Le dossier"),
        )),
        &[
            ("answer", Type::String, true, "Réponse visible de l'auteur"),
            (
                "outcome",
                Type::String,
                false,
                "À la clôture : realisee, abandonnee ou reorientee",
            ),
        ],
    )
    .parameter(id())
    .parameter(step());
    let replan = body(
        on_dossier(write(
            "replanIntentionStep",
            "Replanifier une étape ouverte, avec un motif gardé dans l'historique",
            TAG,
            ("200", "Le dossier"),
        )),
        &[
            ("due_on", Type::String, true, "Nouvelle échéance AAAA-MM-JJ, pas passée"),
            ("reason", Type::String, true, "Motif"),
        ],
    )
    .parameter(id())
    .parameter(step());
    let assign = body(
        on_dossier(write(
            "assignIntention",
            "Confier un dossier à un référent (DANE)",
            TAG,
            ("200", "Le dossier"),
        )),
        &[(
            "referent_id",
            Type::Integer,
            true,
            "Compte référent, modérateur ou administrateur actif",
        )],
    )
    .parameter(id());
    let assign_many = body(
        write(
            "assignIntentions",
            "Confier plusieurs dossiers à un référent, tous ou aucun (DANE)",
            TAG,
            ("200", "assigned, referent"),
        ),
        &[
            ("ids", Type::Array, true, "Dossiers (1 à 500)"),
            ("referent_id", Type::Integer, true, "Compte référent actif"),
        ],
    );
    let message = body(
        on_dossier(write(
            "writeIntentionMessage",
            "Écrire un message dans l'historique du dossier",
            TAG,
            ("200", "Le dossier"),
        )),
        &[("text", Type::String, true, "Message")],
    )
    .parameter(id());
    let practices = body(
        on_dossier(write(
            "linkIntentionPractices",
            "Lier une intention réalisée aux usages signalés ensuite",
            TAG,
            ("200", "Le dossier"),
        )),
        &[("practice_ids", Type::Array, true, "Usages (50 au plus)")],
    )
    .parameter(id());
    let procedure_put = body(
        write(
            "setIntentionProcedure",
            "Régler la procédure (administrateurs) : délais en jours ouvrés, rappels, vacances de la zone B, responsable DANE",
            TAG,
            ("200", "La procédure"),
        ),
        &[
            (
                "acknowledgement_days",
                Type::Integer,
                true,
                "Accusé de réception (défaut 2)",
            ),
            ("analysis_days", Type::Integer, true, "Analyse (défaut 10)"),
            ("answer_days", Type::Integer, true, "Réponse (défaut 30)"),
            (
                "closure_days",
                Type::Integer,
                false,
                "Clôture (aucune échéance par défaut)",
            ),
            (
                "remind_before_days",
                Type::Integer,
                true,
                "Rappel au référent, jours ouvrés avant l'échéance",
            ),
            (
                "exclude_school_holidays",
                Type::Boolean,
                false,
                "Ne pas compter les vacances listées",
            ),
            (
                "school_holidays",
                Type::Array,
                false,
                "Périodes [début, fin] AAAA-MM-JJ",
            ),
            (
                "lead_email",
                Type::String,
                false,
                "Adresse du responsable DANE prévenu des retards (défaut : les administrateurs)",
            ),
        ],
    );
    let scopes_put = body(
        write(
            "setAccountScopes",
            "Rattacher un compte (administrateurs) : établissements, circonscriptions, disciplines, départements",
            "Administration",
            ("200", "Les rattachements"),
        ),
        &[
            ("uais", Type::Array, false, "UAI (encadrement)"),
            ("circonscriptions", Type::Array, false, "Circonscriptions (inspecteurs)"),
            ("disciplines", Type::Array, false, "Disciplines (IA-IPR)"),
            ("departements", Type::Array, false, "06 ou 83"),
        ],
    )
    .parameter(param(
        "id",
        ParameterIn::Path,
        true,
        Type::Integer,
        "Identifiant du compte",
    ));
    paths
        .path(
            "/api/intentions",
            PathItemBuilder::new()
                .operation(HttpMethod::Get, list.build())
                .operation(HttpMethod::Post, file.build())
                .build(),
        )
        .path(
            "/api/intentions/options",
            PathItem::new(
                HttpMethod::Get,
                read("getIntentionOptions", "Ce que la personne connectée peut faire, ses établissements, les types, les référents", TAG, "can_file, desk, establishments, kinds, referents").build(),
            ),
        )
        .path(
            "/api/intentions/{id}",
            PathItem::new(
                HttpMethod::Get,
                problem(read("getIntention", "Un dossier, ses étapes et son historique (auteur, référent, DANE)", TAG, "Le dossier"), "404", "Aucun dossier").parameter(id()).build(),
            ),
        )
        .path("/api/intentions/{id}/steps/{step}", PathItem::new(HttpMethod::Post, complete.build()))
        .path("/api/intentions/{id}/steps/{step}/replan", PathItem::new(HttpMethod::Post, replan.build()))
        .path("/api/intentions/{id}/assign", PathItem::new(HttpMethod::Post, assign.build()))
        .path("/api/intentions/assign", PathItem::new(HttpMethod::Post, assign_many.build()))
        .path("/api/intentions/{id}/messages", PathItem::new(HttpMethod::Post, message.build()))
        .path("/api/intentions/{id}/practices", PathItem::new(HttpMethod::Put, practices.build()))
        .path(
            "/api/intentions/indicators",
            PathItem::new(
                HttpMethod::Get,
                read("getIntentionIndicators", "Indicateurs de la procédure : par année scolaire, département et type ; part des étapes dans les délais, délai médian et 90e centile en jours ouvrés ; ouverts et en retard", TAG, "total, by_school_year, by_departement, by_kind, steps, on_time_share, open_now, late_now")
                    .parameter(query("school_year", Type::String, "Année scolaire 2025-2026 (toutes par défaut)"))
                    .build(),
            ),
        )
        .path(
            "/api/intentions.csv",
            PathItem::new(
                HttpMethod::Get,
                response(
                    read("getIntentionsCsv", "Tous les dossiers en tableur (séparateur ;, UTF-8 avec BOM) avec échéances, dates et délais par étape", TAG, "Tableur"),
                    "200",
                    "Tableur",
                    "text/csv",
                )
                .parameter(query("school_year", Type::String, "Année scolaire (toutes par défaut)"))
                .build(),
            ),
        )
        .path(
            "/api/intentions/map",
            PathItem::new(
                HttpMethod::Get,
                response(read("getIntentionsMap", "Couche privée : intentions par établissement (DANE)", TAG, "FeatureCollection"), "200", "FeatureCollection", "application/geo+json").build(),
            ),
        )
        .path(
            "/api/intentions/procedure",
            PathItemBuilder::new()
                .operation(HttpMethod::Get, read("getIntentionProcedure", "La procédure en vigueur (DANE)", TAG, "La procédure").build())
                .operation(HttpMethod::Put, procedure_put.build())
                .build(),
        )
        .path(
            "/api/accounts/{id}/scopes",
            PathItemBuilder::new()
                .operation(
                    HttpMethod::Get,
                    read("getAccountScopes", "Rattachements d'un compte (administrateurs)", "Administration", "uais, circonscriptions, disciplines, departements")
                        .parameter(param("id", ParameterIn::Path, true, Type::Integer, "Identifiant du compte"))
                        .build(),
                )
                .operation(HttpMethod::Put, scopes_put.build())
                .build(),
        )
}
