//! Response schemas of the document, for the clients that generate their types from it (the site:
//! frontend/src/api/schema.d.ts). A practice's properties come from the Rust struct the server
//! serialises (`practices::Properties`, derived); the GeoJSON envelopes and problem details are
//! written here once. Responses without a schema are described in words only.

use serde_json::{Value, json};
use utoipa::PartialSchema;

use crate::response::GEO_JSON;

/// Adds the schemas under `components` and points the responses that have one at it.
pub(super) fn add(doc: &mut Value) {
    let mut properties = serde_json::to_value(crate::practices::Properties::schema()).unwrap_or(Value::Null);
    nullable_as_in_30(&mut properties);
    doc["components"]["schemas"] = json!({
        "PracticeProperties": properties,
        "PointGeometry": {
            "type": "object",
            "required": ["type", "coordinates"],
            "properties": {
                "type": { "type": "string", "enum": ["Point"] },
                "coordinates": { "type": "array", "items": { "type": "number" }, "minItems": 2, "maxItems": 2 },
            },
        },
        "PracticeFeature": {
            "type": "object",
            "required": ["type", "id", "geometry", "properties"],
            "properties": {
                "type": { "type": "string", "enum": ["Feature"] },
                "id": { "type": "integer", "format": "int64" },
                "geometry": { "allOf": [{ "$ref": "#/components/schemas/PointGeometry" }], "nullable": true },
                "properties": { "$ref": "#/components/schemas/PracticeProperties" },
            },
        },
        "PracticeCollection": {
            "type": "object",
            "required": ["type", "features", "numberReturned"],
            "properties": {
                "type": { "type": "string", "enum": ["FeatureCollection"] },
                "features": { "type": "array", "items": { "$ref": "#/components/schemas/PracticeFeature" } },
                "numberMatched": { "type": "integer" },
                "numberReturned": { "type": "integer" },
                "timeStamp": { "type": "string", "format": "date-time" },
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
    let schema = |name: &str| json!({ "$ref": format!("#/components/schemas/{name}") });
    let paths = &mut doc["paths"];
    paths["/api/collections/practices/items"]["get"]["responses"]["200"]["content"][GEO_JSON]["schema"] =
        schema("PracticeCollection");
    paths["/api/collections/practices/items/{featureId}"]["get"]["responses"]["200"]["content"][GEO_JSON]["schema"] =
        schema("PracticeFeature");
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
    fn a_nullable_type_is_written_as_openapi_30_says() {
        let mut s = json!({ "properties": { "a": { "type": ["string", "null"] }, "b": { "type": "integer" } } });
        nullable_as_in_30(&mut s);
        assert_eq!(s["properties"]["a"], json!({ "type": "string", "nullable": true }));
        assert_eq!(s["properties"]["b"], json!({ "type": "integer" }));
    }
}
