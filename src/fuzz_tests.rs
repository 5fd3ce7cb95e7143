//! Property tests: nothing panics on input. Whatever a server sends, the
//! decoders, views and `Retry-After` parsing cope; whatever a caller passes,
//! the receipt builder, the validators and the configuration answer with a
//! value or an error. `cargo test --lib fuzz` runs 256 cases each; for a
//! million (the emulator crate's request handling too, in its
//! `dispatch.rs`):
//! `PROPTEST_CASES=1000000 cargo test --release --workspace --all-features --lib fuzz`.

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
    let _ = crate::image_file::inspect(bytes);
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
        let _ = crate::image_file::inspect(&bytes);
    }
}

/// Any `i64`, with the edges drawn often.
fn any_i64() -> impl Strategy<Value = i64> {
    prop_oneof![
        any::<i64>(),
        Just(i64::MAX),
        Just(i64::MIN),
        Just(0i64),
        Just(-1i64),
        -20_000i64..20_000,
    ]
}

/// Any duration, `Duration::MAX` and zero included.
fn any_duration() -> impl Strategy<Value = std::time::Duration> {
    prop_oneof![
        (any::<u64>(), 0u32..1_000_000_000).prop_map(|(s, n)| std::time::Duration::new(s, n)),
        Just(std::time::Duration::MAX),
        Just(std::time::Duration::ZERO),
        (0u64..100_000).prop_map(std::time::Duration::from_millis),
    ]
}

/// Text that is sometimes what the API wants and sometimes anything.
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,20}",
        "[0-9]{0,12}(\\.[0-9]{0,10})?",
        "[0-9A-Za-z._-]{0,10}",
        Just(".".to_owned()),
        Just("..".to_owned()),
        Just("https://shop.example/p".to_owned()),
        "https?://[a-z0-9.:@%/-]{0,20}",
    ]
}

fn rate(bp: i64) -> crate::TaxRate {
    serde_json::from_value(serde_json::json!(bp)).unwrap_or(crate::TaxRate::ZERO)
}

fn currency(i: u8) -> crate::Currency {
    match i % 4 {
        0 => crate::Currency::Nok,
        1 => crate::Currency::Eur,
        2 => crate::Currency::Dkk,
        _ => crate::Currency::Unknown("SEK".into()),
    }
}

proptest! {
    #[test]
    fn fuzz_retry_after(value in prop_oneof![".{0,40}", "[0-9]{0,40}", "[A-Za-z]{3}, [0-9]{1,2} [A-Za-z]{3} [0-9]{1,6} [0-9:]{8} GMT"],
                        now in any::<u64>()) {
        let now = std::time::UNIX_EPOCH + std::time::Duration::from_secs(now % (1 << 40));
        let _ = crate::retry::parse_retry_after(&value, now);
    }

    #[test]
    fn fuzz_receipt_builder(
        lines in prop::collection::vec(
            (any_i64(), any_text(), any_i64(), prop::option::of(any_i64()), any::<u8>(), any::<[bool; 3]>(),
             (any_i64(), any_i64(), any_i64())),
            0..6),
        tip in prop::option::of(any_i64()),
        receipt_currency in any::<u8>(),
    ) {
        use crate::{Amount, LineItem, Money, Quantity, ReceiptBuilder};
        let receipt_currency = currency(receipt_currency);
        let mut b = ReceiptBuilder::new(receipt_currency.clone());
        for (price, quantity, bp, discount, cur, [totals, returned, shipping], (t, e, x)) in lines {
            let money = |m: i64| Money::new(Amount::from_minor(m), currency(cur));
            let mut line = if totals {
                LineItem::from_totals("1", "x", money(t), money(e), money(x), rate(bp))
            } else {
                let q: Quantity = serde_json::from_value(serde_json::json!(quantity)).unwrap();
                LineItem::new("1", "x", money(price), q, rate(bp))
            };
            if let Some(d) = discount { line = line.discount(money(d)); }
            if returned { line = line.returned(); }
            if shipping { line = line.shipping(); }
            b = b.line(line);
        }
        if let Some(t) = tip { b = b.tip(Money::new(Amount::from_minor(t), receipt_currency)); }
        if let Ok(receipt) = b.build() {
            prop_assert!(crate::validate::receipt(&receipt).is_empty());
            prop_assert!(receipt.total_amount().is_ok() && receipt.total_tax_amount().is_ok());
        }
        let _ = b.total();
        let _ = crate::included_tax(Amount::from_minor(tip.unwrap_or(0)), rate(tip.unwrap_or(0)));
    }

    #[test]
    fn fuzz_validators_views_and_comparison(value in arb_json(), text in any_text(), n in any_i64()) {
        use crate::validate;
        let bytes = value.to_string();
        if let Ok(receipt) = serde_json::from_str::<crate::Receipt>(&bytes) {
            let _ = validate::receipt(&receipt);
            let _ = validate::service_rules(&receipt);
            prop_assert!(receipt.same_as(&receipt));
            let _ = receipt.view();
            let _ = receipt.total_amount();
            if let Some(b) = &receipt.bottom_line.barcode {
                let _ = validate::barcode("b", b);
            }
        }
        if let Ok(order) = serde_json::from_str::<crate::Order>(&bytes) {
            let _ = order.to_string();
        }
        for check in [validate::order_id, validate::image_id, validate::category_id, validate::https_url,
                      validate::merchant_serial_number, validate::system_header] {
            let _ = check("f", &text);
        }
        let _ = validate::quantity_ok(&text);
        let _ = validate::ean13_check_digit(&text);
        for format in crate::BarcodeFormat::KNOWN {
            let _ = validate::barcode("b", &crate::Barcode::new(format.clone(), text.clone()));
        }
        let _ = crate::Amount::parse(&text);
        let _ = text.parse::<crate::Quantity>();
        let _ = crate::Money::parse(&text, crate::Currency::Nok).map(|m| m.to_string());
        let _ = (rate(n).to_string(), crate::Amount::from_minor(n).to_string(), crate::format_minor_units(n));
    }

    #[test]
    fn fuzz_configuration(
        texts in prop::collection::vec(any_text(), 9),
        durations in prop::collection::vec(any_duration(), 6),
        attempts in any::<u32>(),
        own_http in any::<u8>(),
    ) {
        use crate::{Client, RetryPolicy};
        let policy = RetryPolicy::default()
            .max_attempts(attempts)
            .base_delay(durations[0])
            .max_delay(durations[1])
            .deadline(durations[2]);
        let _ = policy.delay_bound(attempts);
        let mut b = Client::builder()
            .base_url(&texts[0])
            .client_id(&texts[1])
            .client_secret(texts[2].as_str())
            .subscription_key(texts[3].as_str())
            .merchant_serial_number(&texts[4])
            .system_name(&texts[5])
            .system_version(&texts[6])
            .plugin_name(&texts[7])
            .plugin_version(&texts[8])
            .timeout(durations[3])
            .connect_timeout(durations[4])
            .token_refresh_margin(durations[5])
            .retry_policy(policy);
        // Some cases add HTTP settings of the caller's.
        if own_http % 4 == 0 {
            b = b.http_client(|http| http.user_agent("fuzz"));
        }
        let _ = format!("{b:?}");
        let _ = b.build().map(|c| format!("{c:?}"));
        let _ = Client::builder_from_variables(|name| texts.get(name.len() % 9).cloned()).map(|b| b.build());
    }
}
