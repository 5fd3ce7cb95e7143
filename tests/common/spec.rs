//! Answers drawn from the published OpenAPI schema itself: every `$ref`
//! resolved, every optional property present or absent, every nullable
//! one sometimes `null`, integers over their whole allowed range (int64
//! when the spec says so), strings by their pattern, enumeration, format
//! and length. A hand-written generator finds only what it was written to
//! make; this one makes whatever the spec allows, so a decoder that refuses
//! an allowed answer fails here.
//!
//! The spec is read from the shared reference material
//! (`../shared/spec/order-management.openapi.yaml`): tests that use this
//! are `#[ignore]`d, and CI runs them with `--ignored` where it exists.
#![allow(dead_code)]

use std::sync::OnceLock;

use proptest::prelude::*;
use serde_json::{Map, Value};

/// The spec, as JSON.
pub fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let text = super::shared_file("spec/order-management.openapi.yaml");
        let docs = yaml_rust2::YamlLoader::load_from_str(&text).expect("the spec is YAML");
        to_json(&docs[0])
    })
}

fn to_json(yaml: &yaml_rust2::Yaml) -> Value {
    use yaml_rust2::Yaml;
    match yaml {
        Yaml::Real(r) => r.parse::<f64>().map(Value::from).unwrap_or(Value::Null),
        Yaml::Integer(i) => Value::from(*i),
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Array(items) => Value::Array(items.iter().map(to_json).collect()),
        Yaml::Hash(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.as_str().map(str::to_owned).unwrap_or_else(|| format!("{k:?}")), to_json(v)))
                .collect(),
        ),
        Yaml::Null | Yaml::BadValue | Yaml::Alias(_) => Value::Null,
    }
}

/// A schema of `components/schemas` by name.
pub fn schema(name: &str) -> &'static Value {
    let found = &spec()["components"]["schemas"][name];
    assert!(found.is_object(), "the spec has no schema {name}");
    found
}

/// The schema a `$ref` names, or the schema itself.
fn resolve(schema: &'static Value) -> &'static Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let name = reference.rsplit('/').next().unwrap_or_default();
            resolve(self::schema(name))
        }
        None => schema,
    }
}

/// Values the schema allows (named by `components/schemas`).
pub fn answers(name: &str) -> BoxedStrategy<Value> {
    values(self::schema(name), 0)
}

/// Values `schema` allows. `null` is one of them when it is nullable.
fn values(schema: &'static Value, depth: usize) -> BoxedStrategy<Value> {
    let schema = resolve(schema);
    let plain = plain_values(schema, depth);
    if schema["nullable"] == Value::Bool(true) {
        prop_oneof![1 => Just(Value::Null), 4 => plain].boxed()
    } else {
        plain
    }
}

fn plain_values(schema: &'static Value, depth: usize) -> BoxedStrategy<Value> {
    match schema["type"].as_str() {
        Some("object") => object(schema, depth),
        Some("array") => {
            let min = schema["minItems"].as_u64().unwrap_or(0) as usize;
            // Deep nesting adds nothing to what the decoders see.
            let max = if depth > 2 { min.max(1) } else { min + 4 };
            prop::collection::vec(values(&schema["items"], depth + 1), min..=max)
                .prop_map(Value::Array)
                .boxed()
        }
        Some("integer") => integer(schema),
        Some("number") => any::<f64>()
            .prop_filter_map("finite", |f| serde_json::Number::from_f64(f).map(Value::Number))
            .boxed(),
        Some("boolean") => any::<bool>().prop_map(Value::Bool).boxed(),
        Some("string") => string(schema),
        other => panic!("the spec's type {other:?} has no generator: add it"),
    }
}

fn integer(schema: &Value) -> BoxedStrategy<Value> {
    let wide = schema["format"].as_str() != Some("int32");
    let (floor, ceiling) = if wide {
        (i64::MIN, i64::MAX)
    } else {
        (i64::from(i32::MIN), i64::from(i32::MAX))
    };
    let min = schema["minimum"].as_i64().unwrap_or(floor);
    let max = schema["maximum"].as_i64().unwrap_or(ceiling);
    prop_oneof![
        Just(min),
        Just(max),
        min..=max,
        // Small values, as real answers mostly hold.
        (min.max(0)..=max.min(min.max(0).saturating_add(100_000))),
    ]
    .prop_map(Value::from)
    .boxed()
}

fn string(schema: &'static Value) -> BoxedStrategy<Value> {
    if let Some(values) = schema["enum"].as_array() {
        let values: Vec<Value> = values.clone();
        return prop::sample::select(values).boxed();
    }
    let min = schema["minLength"].as_u64().unwrap_or(0) as usize;
    let max = schema["maxLength"].as_u64().map(|m| m as usize);
    let text: BoxedStrategy<String> = match (schema["format"].as_str(), schema["pattern"].as_str()) {
        (Some("uri"), _) => prop_oneof![
            "https://[a-z]{1,10}\\.example/[a-z0-9/]{0,12}",
            "http://[a-z]{1,10}\\.example/[a-z0-9?=&]{0,12}",
            Just("javascript:alert(1)".to_owned()),
            "urn:[a-z]{1,8}:[a-z0-9]{1,8}",
        ]
        .boxed(),
        (Some("uuid"), _) => any::<u128>().prop_map(uuid_text).boxed(),
        (_, Some(pattern)) => {
            // ECMA-262 patterns as the spec writes them: `\d` is ASCII.
            let pattern = pattern.trim_start_matches('^').trim_end_matches('$').replace("\\d", "[0-9]");
            proptest::string::string_regex(&pattern)
                .unwrap_or_else(|e| panic!("the spec's pattern {pattern} has no generator: {e}"))
                .boxed()
        }
        _ => prop_oneof![
            ".{0,12}",
            "[a-zA-Z0-9 æøåÆØÅ]{0,12}",
            Just("<img src=x onerror=alert(1)>".to_owned())
        ]
        .boxed(),
    };
    text.prop_filter("the spec's lengths", move |t| {
        let n = t.chars().count();
        n >= min && max.is_none_or(|m| n <= m)
    })
    .prop_map(Value::String)
    .boxed()
}

fn uuid_text(n: u128) -> String {
    let h = format!("{n:032x}");
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

/// One property of an object: absent (unless required), `null` (when
/// nullable), or a value.
fn property(schema: &'static Value, required: bool, depth: usize) -> BoxedStrategy<Option<Value>> {
    let value = values(schema, depth + 1);
    if required {
        value.prop_map(Some).boxed()
    } else {
        prop_oneof![1 => Just(None), 3 => value.prop_map(Some)].boxed()
    }
}

fn object(schema: &'static Value, depth: usize) -> BoxedStrategy<Value> {
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut fields: Vec<BoxedStrategy<(String, Option<Value>)>> = Vec::new();
    if let Some(properties) = schema["properties"].as_object() {
        for (name, property_schema) in properties {
            let name = name.clone();
            fields.push(
                property(property_schema, required.contains(&name.as_str()), depth)
                    .prop_map(move |v| (name.clone(), v))
                    .boxed(),
            );
        }
    }
    // The spec does not forbid other properties: a field added later.
    fields.push(
        prop::option::of(Just(Value::from("added later")))
            .prop_map(|v| ("aFieldAddedLater".to_owned(), v))
            .boxed(),
    );
    fields
        .prop_map(|fields| {
            let mut map = Map::new();
            for (name, value) in fields {
                if let Some(value) = value {
                    map.insert(name, value);
                }
            }
            Value::Object(map)
        })
        .boxed()
}
