//! Every table of the store with its columns, parents before children: what `repere migrate-to` copies
//! (see [`crate::transfer`]). A test checks it against the schema the migrations build, on both
//! backends, so that a new table or column cannot be forgotten by the copy.

/// How a column is read and bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Int,
    Real,
}

/// A column and whether it may be NULL.
pub type Column = (&'static str, Kind, bool);

use Kind::{Int, Real, Text};

/// Every table, parents before children, with its columns. A test checks this against the schema
/// the migrations build, on both backends.
pub const TABLES: &[(&str, &[Column])] = &[
    ("meta", &[("key", Text, false), ("value", Text, false)]),
    (
        "establishments",
        &[
            ("uai", Text, false),
            ("name", Text, false),
            ("kind", Text, false),
            ("sector", Text, false),
            ("commune_code", Text, false),
            ("commune_name", Text, false),
            ("departement", Text, false),
            ("lon", Real, true),
            ("lat", Real, true),
            ("created_at", Text, false),
            ("updated_at", Text, false),
            ("placed_at_commune", Int, false),
        ],
    ),
    (
        "bandwidth",
        &[
            ("id", Int, false),
            ("uai", Text, false),
            ("down_mbps", Real, false),
            ("up_mbps", Real, false),
            ("technology", Text, false),
            ("source", Text, false),
            ("measured_on", Text, false),
            ("created_at", Text, false),
        ],
    ),
    (
        "users",
        &[
            ("id", Int, false),
            ("email", Text, false),
            ("display_name", Text, false),
            ("role", Text, false),
            ("password_hash", Text, false),
            ("created_at", Text, false),
            ("status", Text, false),
            ("auth_epoch", Int, false),
            ("last_sign_in_at", Text, true),
            ("preferences", Text, false),
            ("mail_key", Text, true),
        ],
    ),
    (
        "identities",
        &[
            ("issuer", Text, false),
            ("subject", Text, false),
            ("user_id", Int, false),
            ("created_at", Text, false),
        ],
    ),
    (
        "account_tokens",
        &[
            ("token_hash", Text, false),
            ("purpose", Text, false),
            ("user_id", Int, false),
            ("created_by", Int, true),
            ("created_at", Text, false),
            ("expires_at", Text, false),
            ("used_at", Text, true),
        ],
    ),
    (
        "outbox",
        &[
            ("id", Int, false),
            ("recipient", Text, false),
            ("subject", Text, false),
            ("body_text", Text, false),
            ("body_html", Text, false),
            ("kind", Text, false),
            ("unsubscribe_url", Text, true),
            ("created_at", Text, false),
            ("attempts", Int, false),
            ("next_attempt_at", Text, false),
            ("claimed_until", Text, true),
            ("sent_at", Text, true),
            ("last_error", Text, true),
        ],
    ),
    (
        "digest_items",
        &[
            ("id", Int, false),
            ("user_id", Int, false),
            ("practice_id", Int, false),
            ("at", Text, false),
        ],
    ),
    ("digests_sent", &[("user_id", Int, false), ("at", Text, false)]),
    (
        "known_devices",
        &[
            ("user_id", Int, false),
            ("device_hash", Text, false),
            ("last_seen_at", Text, false),
        ],
    ),
    (
        "practices",
        &[
            ("id", Int, false),
            ("title", Text, false),
            ("summary", Text, false),
            ("description", Text, false),
            ("disciplines", Text, false),
            ("levels", Text, false),
            ("tools", Text, false),
            ("themes", Text, false),
            ("school_year", Text, false),
            ("uai", Text, false),
            ("lon", Real, true),
            ("lat", Real, true),
            ("innovatheque_url", Text, true),
            ("status", Text, false),
            ("created_at", Text, false),
            ("updated_at", Text, false),
            ("published_at", Text, true),
            ("author_id", Int, true),
            ("rejection_reason", Text, true),
        ],
    ),
    (
        "sites",
        &[
            ("id", Int, false),
            ("name", Text, false),
            ("kind", Text, false),
            ("uai", Text, true),
            ("lon", Real, false),
            ("lat", Real, false),
            ("opened_on", Text, true),
            ("status", Text, false),
            ("equipment", Text, false),
            ("partners", Text, false),
            ("description", Text, false),
            ("created_at", Text, false),
            ("updated_at", Text, false),
        ],
    ),
    (
        "links",
        &[
            ("id", Int, false),
            ("from_practice", Int, false),
            ("to_practice", Int, false),
            ("kind", Text, false),
            ("note", Text, true),
            ("created_at", Text, false),
            ("updated_at", Text, false),
            ("author_id", Int, true),
        ],
    ),
    (
        "practice_revisions",
        &[
            ("practice_id", Int, false),
            ("data", Text, false),
            ("author_id", Int, true),
            ("created_at", Text, false),
        ],
    ),
    (
        "messages",
        &[
            ("id", Int, false),
            ("practice_id", Int, false),
            ("sender_id", Int, false),
            ("sender_name", Text, false),
            ("body", Text, false),
            ("created_at", Text, false),
            ("recipient_id", Int, true),
            ("reply_to", Int, true),
        ],
    ),
    (
        "visit_counts",
        &[
            ("day", Text, false),
            ("page", Text, false),
            ("practice_id", Int, false),
            ("site", Text, false),
            ("count", Int, false),
        ],
    ),
    (
        "audit_log",
        &[
            ("id", Int, false),
            ("entity", Text, false),
            ("entity_id", Text, false),
            ("user_id", Int, true),
            ("action", Text, false),
            ("changes", Text, false),
            ("at", Text, false),
        ],
    ),
    (
        "sessions",
        &[("id", Text, false), ("data", Text, false), ("expires_at", Text, false)],
    ),
    (
        "login_failures",
        &[("id", Int, false), ("scope", Text, false), ("at", Text, false)],
    ),
    (
        "opinee",
        &[
            ("uai", Text, false),
            ("school_year", Text, false),
            ("equipment_devices", Int, true),
            ("equipment_network", Int, true),
            ("equipment_resources", Int, true),
            ("usage_teaching", Int, true),
            ("usage_pupils", Int, true),
            ("usage_training", Int, true),
            ("usage_communication", Int, true),
            ("label", Int, true),
            ("updated_at", Text, false),
        ],
    ),
    (
        "epci_communes",
        &[
            ("commune_code", Text, false),
            ("epci_code", Text, false),
            ("epci_name", Text, false),
        ],
    ),
    (
        "account_scopes",
        &[("user_id", Int, false), ("kind", Text, false), ("value", Text, false)],
    ),
    (
        "intentions",
        &[
            ("id", Int, false),
            ("filer_id", Int, false),
            ("kind", Text, false),
            ("title", Text, false),
            ("description", Text, false),
            ("hoped_for", Text, true),
            ("people", Text, false),
            ("territory_kind", Text, true),
            ("territory_value", Text, true),
            ("departement", Text, false),
            ("status", Text, false),
            ("outcome", Text, true),
            ("referent_id", Int, true),
            ("created_at", Text, false),
            ("updated_at", Text, false),
            ("version", Int, false),
        ],
    ),
    ("intention_uais", &[("intention_id", Int, false), ("uai", Text, false)]),
    (
        "intention_steps",
        &[
            ("id", Int, false),
            ("intention_id", Int, false),
            ("position", Int, false),
            ("kind", Text, false),
            ("due_on", Text, true),
            ("completed_at", Text, true),
            ("completed_by", Int, true),
            ("answer", Text, true),
        ],
    ),
    (
        "intention_events",
        &[
            ("id", Int, false),
            ("intention_id", Int, false),
            ("at", Text, false),
            ("user_id", Int, true),
            ("kind", Text, false),
            ("text", Text, false),
            ("data", Text, false),
        ],
    ),
    (
        "intention_practices",
        &[("intention_id", Int, false), ("practice_id", Int, false)],
    ),
    (
        "intention_reminders",
        &[
            ("step_id", Int, false),
            ("kind", Text, false),
            ("due_on", Text, false),
            ("sent_at", Text, false),
        ],
    ),
    (
        "changes",
        &[
            ("id", Int, false),
            ("entity", Text, false),
            ("entity_id", Text, true),
            ("at", Text, false),
        ],
    ),
];
