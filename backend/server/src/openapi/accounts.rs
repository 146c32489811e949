//! OpenAPI paths of accounts, contribution, moderation, links and networks (session cookie and
//! X-CSRF-Token on writes).

use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::{ObjectBuilder, PathItem, PathsBuilder, Required, Type};

use super::access::{Problem, guarded};
use super::{GEO_JSON, not_found, op, param, query};

pub(super) fn paths(mut paths: PathsBuilder) -> PathsBuilder {
    let auth_op = |id: &str, summary: &str, ok: (&str, &str)| {
        let b = OperationBuilder::new()
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
            .problem("403", "Jeton CSRF manquant ou invalide");
        super::success(b, ok.0, ok.1, "application/json")
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
                    ("200", "Session ouverte"),
                )
                .problem("401", "Adresse ou mot de passe incorrect (message générique)")
                .problem("429", "Trop de tentatives ; en-tête Retry-After")
                .build(),
            ),
        )
        .path(
            "/api/auth/logout",
            PathItem::new(
                HttpMethod::Post,
                auth_op("logout", "Déconnexion", ("204", "Session close (204)")).build(),
            ),
        );
    // Contribution and moderation: session cookie + X-CSRF-Token on writes; JSON bodies; errors are
    // problem+json (401 not signed in, 403 role, 404 not yours, 409 illegal transition, 422 field).
    let write = |id: &str, summary: &str, ok: (&str, &str)| {
        auth_op(id, summary, ok)
            .tag("Remontées")
            .problem("401", "Connexion requise")
            .problem("422", "Champ invalide, nommé dans invalid_params")
    };
    let read = |id: &str, summary: &str, ok: &str| guarded(op(id, summary, "Remontées", "application/json", ok));
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
        .path("/api/practices", PathItem::new(HttpMethod::Post, write("createPractice", "Nouvelle remontée (brouillon, ou soumise si submit=true)", ("201", "Remontée créée (201)")).build()))
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
                .operation(HttpMethod::Put, write("editPractice", "L'auteur modifie sa remontée non publiée (409 sinon)", ("200", "Remontée modifiée")).parameter(id_param()).build())
                .build(),
        )
        .path(
            "/api/practices/{id}/messages",
            PathItem::new(
                HttpMethod::Post,
                write("contactAuthor", "Contacter l'auteur d'un usage publié {body} ; aucune adresse n'est échangée", ("201", "Message déposé (201)"))
                    .parameter(id_param())
                    .build(),
            ),
        )
        .path("/api/messages", PathItem::new(HttpMethod::Get, read("myMessages", "Messages reçus (au sujet de mes usages, ou réponses aux miens), avec le nom de l'expéditeur, jamais son adresse, et si j'y ai répondu", "Liste").build()))
        .path(
            "/api/messages/{id}/reply",
            PathItem::new(
                HttpMethod::Post,
                write("replyMessage", "Répondre {body} à un message reçu ; la réponse va à son expéditeur (404 si le message n'est pas pour moi)", ("201", "Réponse déposée (201)"))
                    .parameter(param("id", ParameterIn::Path, true, Type::Integer, "Identifiant du message reçu"))
                    .build(),
            ),
        )
        .path(
            "/api/links",
            PathItem::new(
                HttpMethod::Post,
                write("createLink", "Lier deux usages publiés {from_practice, to_practice, kind, note?} ; 409 si le lien existe déjà", ("201", "Lien créé (201)")).tag("Réseaux").build(),
            ),
        )
        .path(
            "/api/links/{id}",
            PathItem::new(
                HttpMethod::Delete,
                write("deleteLink", "Retirer un lien (son auteur ou un modérateur)", ("204", "Lien retiré (204)")).tag("Réseaux").parameter(param("id", ParameterIn::Path, true, Type::Integer, "Identifiant du lien")).build(),
            ),
        )
        .path("/api/networks/growth", PathItem::new(HttpMethod::Get, op("networksGrowth", "Liens enregistrés et réseaux existants, par mois et par année scolaire", "Réseaux", "application/json", "by_month, by_school_year").build()))
        .path("/api/networks", PathItem::new(HttpMethod::Get, op("networks", "Réseaux implicites : composantes connexes des liens, avec leurs chiffres et leurs pivots", "Réseaux", GEO_JSON, "FeatureCollection (emprise en polygone)").build()))
        .path(
            "/api/places",
            PathItem::new(
                HttpMethod::Get,
                op("places", "« Aller à… » : communes (nom, code INSEE) et établissements (nom, commune, UAI) correspondant aux mots tapés, sans tenir compte des accents, de la casse, de l'ordre des mots ni d'une faute de frappe", "Lieux", "application/json", "places : kind (commune, establishment), label, detail, code ou uai, center, bbox")
                    .parameter(query("q", Type::String, "Mots à chercher (obligatoire, 100 caractères au plus)"))
                    .parameter(query("limit", Type::Integer, "Nombre de lieux (défaut 8, au plus 20)"))
                    .parameter(query("kind", Type::String, "commune ou establishment : seulement ce genre de lieu"))
                    .build(),
            ),
        )
        .path(
            "/api/places/communes",
            PathItem::new(
                HttpMethod::Get,
                op("communeNames", "Noms des communes de la vue, pour la carte : points (centre des établissements de la commune), les plus grandes d'abord, 400 au plus", "Lieux", GEO_JSON, "FeatureCollection : code, name, establishments")
                    .parameter(query("bbox", Type::String, "Emprise de la vue : ouest,sud,est,nord (obligatoire)"))
                    .build(),
            ),
        )
        .path(
            "/api/practices/facets",
            PathItem::new(
                HttpMethod::Get,
                crate::practices::INFO
                    .filters
                    .iter()
                    .fold(
                        op("practiceFacets", "Valeurs de chaque facette (discipline, level, tool, school_year, departement) et nombre d'usages publiés pour chacune, chaque facette comptée sous les autres filtres ; accepte les filtres des items", "Usages", "application/json", "numberMatched et facets : pour chaque facette, [{value, count}]")
                            .parameter(query("bbox", Type::String, "lon_min,lat_min,lon_max,lat_max en degrés WGS84"))
                            .parameter(query("q", Type::String, "Recherche plein texte"))
                            .parameter(query("datetime", Type::String, "Instant, date ou intervalle")),
                        |b, (name, description)| b.parameter(query(name, Type::String, description)),
                    )
                    .build(),
            ),
        )
        .path(
            "/api/practices/{id}/neighbourhood",
            PathItem::new(
                HttpMethod::Get,
                not_found(
                    op("neighbourhood", "Usages à N liens au plus d'un usage publié", "Réseaux", "application/json", "Nœuds (avec leur distance en liens) et liens, chacun avec son segment (line)")
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
                write("practiceAction", "submit (auteur) ; publish {version}, reject {reason, version}, archive, continue (modérateurs) ; version : celle lue dans la boîte de réception ou la fiche (obligatoire pour publish et reject ; 409 si la remontée a changé depuis) ; 409 si la transition est impossible", ("200", "Nouveau statut"))
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
        .path("/api/moderation/decisions", PathItem::new(HttpMethod::Post, write("moderationDecisions", "Publier ou refuser plusieurs remontées {ids, action, reason}", ("200", "Résultat par remontée")).build()))
        .path(
            "/api/establishments/{uai}/opinee/{school_year}",
            utoipa::openapi::path::PathItemBuilder::new()
                .operation(
                    HttpMethod::Put,
                    write("putOpinee", "Administrateurs : niveaux OPINEE {levels: {equipment_devices, equipment_network, equipment_resources, usage_teaching, usage_pupils, usage_training, usage_communication: 0 à 10} | null, label: 1 à 3 | null} d'un établissement pour une année scolaire ; 422 nommant le champ fautif", ("200", "Profil enregistré"))
                        .tag("Établissements")
                        .parameter(param("uai", ParameterIn::Path, true, Type::String, "UAI"))
                        .parameter(param("school_year", ParameterIn::Path, true, Type::String, "Année scolaire commencée, ex. 2025-2026"))
                        .build(),
                )
                .operation(
                    HttpMethod::Delete,
                    write("deleteOpinee", "Administrateurs : retire les niveaux OPINEE et le label de cette année", ("204", "Retiré (204)"))
                        .tag("Établissements")
                        .parameter(param("uai", ParameterIn::Path, true, Type::String, "UAI"))
                        .parameter(param("school_year", ParameterIn::Path, true, Type::String, "Année scolaire"))
                        .build(),
                )
                .build(),
        );
    paths
}
