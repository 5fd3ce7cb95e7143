//! Property tests: whatever the server sends, decoding never panics.
//! `cargo test --lib fuzz` runs 256 cases each; for a million:
//! `PROPTEST_CASES=1000000 cargo test --release --lib fuzz`.

use proptest::prelude::*;
use serde_json::Value;

use crate::auth::parse_token_response;
use crate::error::ErrorBody;
use crate::model::{CategoryList, CategoryV3, Order};

/// Arbitrary JSON, biased towards the field names the API uses.
fn arb_json() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("title".to_owned()),
        Just("detail".to_owned()),
        Just("instance".to_owned()),
        Just("invalidParams".to_owned()),
        Just("extraDetails".to_owned()),
        Just("statusCode".to_owned()),
        Just("message".to_owned()),
        Just("receipt".to_owned()),
        Just("category".to_owned()),
        Just("orderLines".to_owned()),
        Just("bottomLine".to_owned()),
        Just("totalAmount".to_owned()),
        Just("currency".to_owned()),
        Just("unitInfo".to_owned()),
        Just("access_token".to_owned()),
        Just("expires_in".to_owned()),
        Just("expires_on".to_owned()),
        Just("categories".to_owned()),
        Just("name".to_owned()),
        Just("reason".to_owned()),
        "[a-zA-Z]{0,8}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null)),
        ".{0,20}".prop_map(Value::String),
        "[0-9]{0,25}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..8).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn decode_everything(bytes: &[u8]) {
    let _ = ErrorBody::parse(bytes);
    let _ = parse_token_response(bytes);
    let _ = serde_json::from_slice::<Order>(bytes).map(|o| o.to_string());
    let _ = serde_json::from_slice::<CategoryList>(bytes);
    let _ = serde_json::from_slice::<CategoryV3>(bytes);
    let _ = crate::image::inspect(bytes);
}

proptest! {
    #[test]
    fn fuzz_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        decode_everything(&bytes);
    }

    #[test]
    fn fuzz_structured_json(value in arb_json()) {
        decode_everything(value.to_string().as_bytes());
    }

    #[test]
    fn fuzz_truncated_json(value in arb_json(), cut in any::<prop::sample::Index>()) {
        let text = value.to_string();
        let at = cut.index(text.len() + 1);
        decode_everything(&text.as_bytes()[..at]);
    }

    #[test]
    fn fuzz_image_headers(prefix in prop_oneof![Just(b"\x89PNG\r\n\x1a\n".to_vec()), Just(vec![0xFF, 0xD8, 0xFF])],
                          rest in prop::collection::vec(any::<u8>(), 0..256)) {
        let mut bytes = prefix;
        bytes.extend(rest);
        let _ = crate::image::inspect(&bytes);
    }
}
