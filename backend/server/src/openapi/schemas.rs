//! Response schemas of the document, for the clients that generate their types from it (the site:
//! frontend/src/api/schema.d.ts). The properties of practices, establishments, sites and links come
//! from the Rust structs the server serialises (`Properties` of each module, derived); the GeoJSON
//! envelopes and problem details are written here once; the other JSON answers take theirs from
//! `responses.json` by operationId (`attach_responses`). Every JSON success has one (a test checks).

use repere_core::establishments::{BandwidthSource, Technology};
use serde_json::{Value, json};
use utoipa::PartialSchema;

/// Adds the schemas under `components` and points the responses that have one at it.
pub(super) fn add(doc: &mut Value) {
    let derived = |schema: utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>| {
        let mut value = serde_json::to_value(schema).unwrap_or(Value::Null);
        nullable_as_in_30(&mut value);
        value
    };
    let mut schemas = json!({
        "PracticeProperties": derived(crate::practices::Properties::schema()),
        "SiteProperties": derived(crate::sites::Properties::schema()),
        "LinkProperties": derived(crate::links::Properties::schema()),
        "EstablishmentProperties": derived(crate::establishments::Properties::schema()),
        "PointGeometry": {
            "type": "object",
            "required": ["type", "coordinates"],
            "properties": {
                "type": { "type": "string", "enum": ["Point"] },
                "coordinates": { "type": "array", "items": { "type": "number" }, "minItems": 2, "maxItems": 2 },
            },
        },
        "LineStringGeometry": {
            "type": "object",
            "required": ["type", "coordinates"],
            "properties": {
                "type": { "type": "string", "enum": ["LineString"] },
                "coordinates": {
                    "type": "array",
                    "items": { "type": "array", "items": { "type": "number" }, "minItems": 2, "maxItems": 2 },
                },
            },
        },
        "Problem": {
            "type": "object",
            "description": "RFC 9457 : le paramètre ou le champ en cause dans invalid_params",
            "required": ["title", "status", "detail"],
            "properties": {
                "type": { "type": "string" },
                "title": { "type": "string" },
                "status": { "type": "integer" },
                "detail": { "type": "string" },
                "invalid_params": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["name", "reason"],
                        "properties": { "name": { "type": "string" }, "reason": { "type": "string" } },
                    },
                },
            },
        },
    });
    // The vocabularies of an establishment's bandwidth history, from the Rust enums.
    let history = &mut schemas["EstablishmentProperties"]["properties"]["bandwidth_history"]["items"]["properties"];
    history["technology"]["enum"] = json!(Technology::ALL.iter().map(|t| t.as_str()).collect::<Vec<_>>());
    history["source"]["enum"] = json!(BandwidthSource::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>());
    // A Feature and a FeatureCollection for each collection whose properties have a schema.
    let number = json!({ "type": "integer", "format": "int64" });
    let uai = json!({ "type": "string", "description": "UAI" });
    for (name, collection, geometry, id) in [
        ("Practice", "practices", "PointGeometry", &number),
        ("Establishment", "establishments", "PointGeometry", &uai),
        ("Site", "sites", "PointGeometry", &number),
        ("Link", "links", "LineStringGeometry", &number),
    ] {
        schemas[format!("{name}Feature")] = json!({
            "type": "object",
            "required": ["type", "id", "geometry", "properties"],
            "properties": {
                "type": { "type": "string", "enum": ["Feature"] },
                "id": id,
                "geometry": { "allOf": [{ "$ref": format!("#/components/schemas/{geometry}") }], "nullable": true },
                "properties": { "$ref": format!("#/components/schemas/{name}Properties") },
            },
        });
        schemas[format!("{name}Collection")] = json!({
            "type": "object",
            "required": ["type", "features", "numberReturned"],
            "properties": {
                "type": { "type": "string", "enum": ["FeatureCollection"] },
                "features": { "type": "array", "items": { "$ref": format!("#/components/schemas/{name}Feature") } },
                "numberMatched": { "type": "integer" },
                "numberReturned": { "type": "integer" },
                "timeStamp": { "type": "string", "format": "date-time" },
            },
        });
        let ok = |path: String| format!("{path}/get/responses/200/content/application~1geo+json");
        if let Some(content) = doc.pointer_mut(&ok(format!("/paths/~1api~1collections~1{collection}~1items"))) {
            content["schema"] = json!({ "$ref": format!("#/components/schemas/{name}Collection") });
        }
        if let Some(content) = doc.pointer_mut(&ok(format!(
            "/paths/~1api~1collections~1{collection}~1items~1{{featureId}}"
        ))) {
            content["schema"] = json!({ "$ref": format!("#/components/schemas/{name}Feature") });
        }
    }
    doc["components"]["schemas"] = schemas;
    let schema = |name: &str| json!({ "$ref": format!("#/components/schemas/{name}") });
    let paths = &mut doc["paths"];
    // Every problem+json response carries the same body.
    if let Some(paths) = paths.as_object_mut() {
        for operation in paths
            .values_mut()
            .filter_map(Value::as_object_mut)
            .flat_map(|item| item.values_mut())
        {
            let Some(responses) = operation.get_mut("responses").and_then(Value::as_object_mut) else {
                continue;
            };
            for response in responses.values_mut() {
                if let Some(problem) = response.pointer_mut("/content/application~1problem+json") {
                    problem["schema"] = schema("Problem");
                }
            }
        }
    }
}

/// The schemas of the other JSON answers, by operationId: drafted from live answers of several roles
/// (scripts/draft-response-schemas.py), then reviewed; checked against real answers by the contract
/// test (tests/tests/contract.rs). A write answering what a read answers names that read's id.
const RESPONSES: &str = include_str!("responses.json");

/// A write that answers what a read answers names that read's schema: `"saveEdition": "getEdition"`,
/// or a part of it: `"updateAccount": "listAccounts#/properties/accounts/items"`.
fn named<'a>(known: &'a serde_json::Map<String, Value>, name: &str) -> Option<&'a Value> {
    let (id, pointer) = name.split_once('#').unwrap_or((name, ""));
    known.get(id)?.pointer(pointer)
}

/// Points the JSON success responses of the operations named in [`RESPONSES`] at their schema.
pub(super) fn attach_responses(doc: &mut Value) {
    let Ok(Value::Object(known)) = serde_json::from_str::<Value>(RESPONSES) else {
        return;
    };
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for operation in paths
        .values_mut()
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut())
    {
        let Some(mut schema) = operation["operationId"].as_str().and_then(|id| known.get(id)).cloned() else {
            continue;
        };
        if let Some(same) = schema.as_str().and_then(|name| named(&known, name)) {
            schema = same.clone();
        }
        let Some(responses) = operation.get_mut("responses").and_then(Value::as_object_mut) else {
            continue;
        };
        for (_, response) in responses.iter_mut().filter(|(status, _)| status.starts_with('2')) {
            let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) else {
                continue;
            };
            for (_, media) in content.iter_mut().filter(|(m, _)| m.contains("json")) {
                if media.get("schema").is_none() {
                    media["schema"] = schema.clone();
                }
            }
        }
    }
}

/// utoipa writes a nullable type the OpenAPI 3.1 way (`"type": ["string", "null"]`); the document is
/// 3.0 (OGC API Features Part 1), which says `"type": "string", "nullable": true`.
fn nullable_as_in_30(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get("type")
                && types.len() == 2
                && types.iter().any(|t| t == "null")
            {
                let kind = types.iter().find(|t| *t != "null").cloned().unwrap_or(Value::Null);
                map.insert("type".into(), kind);
                map.insert("nullable".into(), Value::Bool(true));
            }
            map.values_mut().for_each(nullable_as_in_30);
        }
        Value::Array(list) => list.iter_mut().for_each(nullable_as_in_30),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reviewed_schema_names_an_operation_and_is_attached() {
        let doc = crate::openapi::build();
        let known: serde_json::Map<String, Value> = serde_json::from_str(RESPONSES).unwrap();
        let operations: Vec<&Value> = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|item| item.as_object().unwrap().values())
            .collect();
        for (id, schema) in &known {
            let schema = match schema.as_str() {
                Some(name) => named(&known, name).unwrap_or_else(|| panic!("{id} names {name}, which is no schema")),
                None => schema,
            };
            let op = operations
                .iter()
                .find(|op| op["operationId"] == id.as_str())
                .unwrap_or_else(|| panic!("responses.json names {id}, which no operation is"));
            let attached = op["responses"]
                .as_object()
                .unwrap()
                .iter()
                .filter(|(status, _)| status.starts_with('2'))
                .flat_map(|(_, r)| r["content"].as_object().into_iter().flatten())
                .any(|(_, media)| media["schema"] == *schema);
            assert!(attached, "{id}: schema not attached to a JSON success");
        }
    }

    #[test]
    fn every_json_success_has_a_schema() {
        let doc = crate::openapi::build();
        let mut bare = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let successes = op["responses"]
                    .as_object()
                    .unwrap()
                    .iter()
                    .filter(|(s, _)| s.starts_with('2'));
                for (status, response) in successes {
                    for (media, content) in response["content"].as_object().into_iter().flatten() {
                        if media.contains("json") && content.get("schema").is_none() {
                            bare.push(format!("{method} {path} {status} {media} ({})", op["operationId"]));
                        }
                    }
                }
            }
        }
        assert!(bare.is_empty(), "JSON answers without a schema: {bare:#?}");
    }

    #[test]
    fn every_reviewed_property_says_its_type() {
        fn untyped(at: &str, schema: &Value, found: &mut Vec<String>) {
            let typed = ["type", "$ref", "allOf", "oneOf", "anyOf", "enum"];
            for (name, property) in schema["properties"].as_object().into_iter().flatten() {
                if !typed.iter().any(|k| property.get(*k).is_some()) {
                    found.push(format!("{at}/{name}"));
                }
                untyped(&format!("{at}/{name}"), property, found);
            }
            if schema.get("items").is_some() {
                untyped(&format!("{at}[]"), &schema["items"], found);
            }
        }
        let known: serde_json::Map<String, Value> = serde_json::from_str(RESPONSES).unwrap();
        let mut found = Vec::new();
        for (id, schema) in &known {
            untyped(id, schema, &mut found);
        }
        assert!(
            found.is_empty(),
            "properties without a type (a draft seen only as null?): {found:#?}"
        );
    }

    #[test]
    fn a_nullable_type_is_written_as_openapi_30_says() {
        let mut s = json!({ "properties": { "a": { "type": ["string", "null"] }, "b": { "type": "integer" } } });
        nullable_as_in_30(&mut s);
        assert_eq!(s["properties"]["a"], json!({ "type": "string", "nullable": true }));
        assert_eq!(s["properties"]["b"], json!({ "type": "integer" }));
    }
}
