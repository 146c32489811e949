//! OpenAPI paths of the ways in (password reset, invitations, the identity provider), account
//! administration, e-mail preferences, the outbox and the one-click unsubscribe.

use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterIn};
use utoipa::openapi::{ContentBuilder, PathItem, PathsBuilder, ResponseBuilder, Type};

use super::{param, query};

pub(super) fn response(b: OperationBuilder, status: &str, description: &str, media: &str) -> OperationBuilder {
    b.response(
        status,
        ResponseBuilder::new()
            .description(description)
            .content(media, ContentBuilder::new().build()),
    )
}

pub(super) fn problem(b: OperationBuilder, status: &str, description: &str) -> OperationBuilder {
    response(b, status, description, "application/problem+json")
}

/// `problem` as a method, for chains of responses.
pub(super) trait Problem {
    fn problem(self, status: &str, description: &str) -> Self;
}

impl Problem for OperationBuilder {
    fn problem(self, status: &str, description: &str) -> Self {
        problem(self, status, description)
    }
}

/// A view for signed-in roles only: 401 without a session, 403 for another role.
pub(super) fn guarded(b: OperationBuilder) -> OperationBuilder {
    b.problem("401", "Connexion requise").problem("403", "Rôle insuffisant")
}

pub(super) fn base(id: &str, summary: &str, tag: &str) -> OperationBuilder {
    OperationBuilder::new()
        .operation_id(Some(id))
        .summary(Some(summary))
        .tag(tag)
}

/// A JSON write behind the CSRF guard.
pub(super) fn write(id: &str, summary: &str, tag: &str, ok: (&str, &str)) -> OperationBuilder {
    let b = base(id, summary, tag).parameter(param(
        "X-CSRF-Token",
        ParameterIn::Header,
        true,
        Type::String,
        "Jeton CSRF de /api/auth/session",
    ));
    let b = super::success(b, ok.0, ok.1, "application/json");
    let b = problem(b, "403", "Jeton CSRF manquant ou invalide, ou rôle insuffisant");
    problem(b, "422", "Champ invalide, nommé dans invalid_params")
}

/// A JSON read for a signed-in person.
pub(super) fn read(id: &str, summary: &str, tag: &str, ok: &str) -> OperationBuilder {
    guarded(response(base(id, summary, tag), "200", ok, "application/json"))
}

fn id_param() -> utoipa::openapi::path::Parameter {
    param("id", ParameterIn::Path, true, Type::Integer, "Identifiant du compte")
}

pub(super) fn paths(paths: PathsBuilder) -> PathsBuilder {
    let token = || query("token", Type::String, "Jeton reçu par courriel");
    let unsubscribe_params = |b: OperationBuilder| {
        b.parameter(query("u", Type::Integer, "Compte"))
            .parameter(query(
                "t",
                Type::String,
                "Type de message : submissions, decisions, messages, links",
            ))
            .parameter(query("k", Type::String, "Clé du lien"))
    };
    paths
        .path(
            "/api/auth/password/forgot",
            PathItem::new(
                HttpMethod::Post,
                write("forgotPassword", "Mot de passe oublié {email} : même réponse, que l'adresse ait un compte ou non ; lien valable 1 h", "Comptes", ("202", "Demande prise en compte")).build(),
            ),
        )
        .path(
            "/api/auth/logout/everywhere",
            PathItem::new(
                HttpMethod::Post,
                problem(
                    write("logoutEverywhere", "Se déconnecter partout : ferme toutes les sessions du compte, sur tous les appareils", "Comptes", ("204", "Sessions fermées")),
                    "401",
                    "Connexion requise",
                )
                .build(),
            ),
        )
        .path(
            "/api/auth/password/reset",
            PathItem::new(
                HttpMethod::Post,
                write("resetPassword", "Nouveau mot de passe {token, password} ; ferme les autres sessions du compte et connecte", "Comptes", ("200", "Session ouverte")).build(),
            ),
        )
        .path(
            "/api/auth/invitation",
            utoipa::openapi::path::PathItemBuilder::new().operation(HttpMethod::Get,
                problem(
                    problem(
                        response(base("showInvitation", "À qui s'adresse une invitation (adresse, rôle), sans l'utiliser", "Comptes").parameter(token()), "200", "Invitation valable", "application/json"),
                        "400",
                        "Jeton manquant",
                    ),
                    "422",
                    "Lien inconnu, déjà utilisé ou expiré",
                )
                .build()).operation(
                HttpMethod::Post,
                write("acceptInvitation", "Accepte une invitation {token, password, display_name?} et connecte", "Comptes", ("200", "Session ouverte")).build(),
            ).build(),
        )
        .path(
            "/api/auth/oidc/start",
            PathItem::new(
                HttpMethod::Get,
                problem(
                    response(
                        base("oidcStart", "Connexion par le fournisseur d'identité (ProConnect ou académie) : redirige vers lui", "Comptes")
                            .parameter(query("retour", Type::String, "Page de Repère où revenir"))
                            .parameter(query("invitation", Type::String, "Jeton d'invitation à lier à l'identité")),
                        "303",
                        "Redirection vers le fournisseur",
                        "text/plain",
                    ),
                    "404",
                    "Aucun fournisseur configuré",
                )
                .build(),
            ),
        )
        .path(
            "/api/auth/oidc/callback",
            PathItem::new(
                HttpMethod::Get,
                problem(response(
                    base("oidcCallback", "Retour du fournisseur d'identité (code, state) : connecte, ou renvoie vers la page de connexion avec le motif du refus", "Comptes")
                        .parameter(query("code", Type::String, "Code d'autorisation"))
                        .parameter(query("state", Type::String, "État de la demande")),
                    "303",
                    "Redirection vers Repère",
                    "text/plain",
                ), "404", "Aucun fournisseur configuré")
                .build(),
            ),
        )
        .path(
            "/api/accounts",
            PathItem::new(HttpMethod::Get, read("listAccounts", "Comptes : rôle, mode de connexion, dernière connexion, statut (administrateurs)", "Administration", "accounts, roles").build()),
        )
        .path(
            "/api/accounts/invitations",
            PathItem::new(
                HttpMethod::Post,
                write("inviteAccount", "Invite {email, role, display_name?} (administrateurs ; modérateurs pour des contributeurs)", "Administration", ("201", "Compte invité")).build(),
            ),
        )
        .path(
            "/api/accounts/{id}",
            PathItem::new(
                HttpMethod::Put,
                write("updateAccount", "Change le rôle ou le statut {role?, status?: active | deactivated} ; une désactivation ferme les sessions", "Administration", ("200", "Compte"))
                    .parameter(id_param())
                    .build(),
            ),
        )
        .path(
            "/api/accounts/{id}/invitation",
            PathItem::new(
                HttpMethod::Post,
                problem(write("resendInvitation", "Renvoie l'invitation d'un compte qui ne l'a pas acceptée (l'ancien lien ne sert plus)", "Administration", ("200", "Invitation renvoyée")), "409", "Invitation déjà acceptée")
                    .parameter(id_param())
                    .build(),
            ),
        )
        .path(
            "/api/account/preferences",
            utoipa::openapi::path::PathItemBuilder::new().operation(HttpMethod::Get, read("getPreferences", "Mes préférences de courriels", "Comptes", "preferences, moderates, email").build()).operation(
                HttpMethod::Put,
                write("setPreferences", "Enregistre mes préférences {submissions: immediate | daily | never, decisions, messages, links}", "Comptes", ("200", "Préférences")).build(),
            ).build(),
        )
        .path(
            "/api/outbox",
            PathItem::new(
                HttpMethod::Get,
                read("outbox", "Boîte d'envoi : courriels en attente, en échec (avec l'erreur) et envoyés (administrateurs)", "Administration", "smtp_configured, pending, failing, sent, mails")
                    .parameter(query("pending", Type::Boolean, "Seulement ceux qui ne sont pas partis"))
                    .build(),
            ),
        )
        .path(
            "/api/mail/unsubscribe",
            utoipa::openapi::path::PathItemBuilder::new().operation(HttpMethod::Get,
                problem(
                    problem(response(unsubscribe_params(base("unsubscribePage", "Page de désabonnement (demande confirmation)", "Comptes")), "200", "Page HTML", "text/html"), "400", "Paramètre u ou t manquant ou illisible"),
                    "404",
                    "Lien non valable",
                )
                .build()).operation(
                HttpMethod::Post,
                problem(
                    problem(response(unsubscribe_params(base("unsubscribe", "Désabonnement en un clic (RFC 8058), sans session", "Comptes")), "200", "Page HTML de confirmation", "text/html"), "400", "Paramètre u ou t manquant ou illisible"),
                    "404",
                    "Lien non valable",
                )
                .build(),
            ).build(),
        )
}
