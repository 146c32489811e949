//! The statuses every operation shares, added to the document once rather than at each path: the
//! checks every `/api` route runs before its handler answer the same way everywhere.
//!
//! - `400`: an unknown or repeated query parameter, a path identifier of the wrong type, or a body
//!   that is not the JSON expected (problem+json naming the parameter);
//! - `404`: a path with an identifier that names nothing.

use serde_json::{Value, json};

const METHODS: [&str; 5] = ["get", "post", "put", "delete", "patch"];

fn problem(description: &str) -> Value {
    json!({ "description": description, "content": { "application/problem+json": {} } })
}

/// Completes the responses of every operation of `doc` (see the module's comment).
pub(super) fn complete(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        for method in METHODS {
            let Some(responses) = item
                .get_mut(method)
                .and_then(|op| op.get_mut("responses"))
                .and_then(Value::as_object_mut)
            else {
                continue;
            };
            responses.entry("400").or_insert_with(|| {
                problem("Requête mal formée : paramètre inconnu, répété ou illisible, ou corps JSON invalide (problem+json nommant le paramètre)")
            });
            if path.contains('{') {
                responses
                    .entry("404")
                    .or_insert_with(|| problem("Introuvable : l'identifiant ne désigne rien"));
            }
        }
    }
}
