//! The admin API's OpenAPI file (`admin-api.openapi.yaml`, shipped with
//! this crate) says what the emulator does: every path it serves, every
//! operation name and every field of a fault, no more and no less.

use std::collections::BTreeSet;

use vipps_order_management::Operation;
use vipps_order_management_emulator::Fault;
use yaml_rust2::{Yaml, YamlLoader};

fn spec() -> Yaml {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/admin-api.openapi.yaml")).unwrap();
    YamlLoader::load_from_str(&text).unwrap().remove(0)
}

fn keys(y: &Yaml) -> BTreeSet<String> {
    y.as_hash().unwrap().keys().map(|k| k.as_str().unwrap().to_owned()).collect()
}

#[test]
fn the_file_documents_every_path_operation_and_fault_field() {
    let spec = spec();
    let paths = keys(&spec["paths"]);
    let served: BTreeSet<String> = [
        "/_emulator/health",
        "/_emulator/reset",
        "/_emulator/requests",
        "/_emulator/faults",
        "/_emulator/faults/{id}",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert_eq!(paths, served);
    let operations: BTreeSet<String> = spec["components"]["schemas"]["Operation"]["enum"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|o| o.as_str().unwrap().to_owned())
        .collect();
    let named: BTreeSet<String> = Operation::ALL.iter().map(|op| op.name().to_owned()).collect();
    assert_eq!(operations, named);
    // Every field a fault can have, as the Rust model writes it.
    let full = Fault::status(503)
        .only(Operation::GetOrder)
        .order("o")
        .merchant("1")
        .body("{}", "application/json")
        .retry_after("1")
        .delay(std::time::Duration::from_millis(5))
        .after_store()
        .times(2)
        .probability(0.5)
        .seed(1);
    let mut fields: BTreeSet<String> = serde_json::to_value(&full).unwrap().as_object().unwrap().keys().cloned().collect();
    fields.insert("closeConnection".to_owned());
    assert_eq!(keys(&spec["components"]["schemas"]["Fault"]["properties"]), fields);
}
