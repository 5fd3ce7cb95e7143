//! The go-live check (`Client::check`): every item passes against the
//! emulator with a complete configuration; each failing item is named with
//! what to do (credentials refused, keys without access to Order
//! Management, missing system headers, an endpoint missing at the base
//! URL); nothing is written unless asked; and a write asked for is made
//! and read back.

mod common;

use common::*;
use serde_json::json;
use vipps_order_management::check::{CheckOptions, Outcome};
use vipps_order_management::{Operation, PaymentType};
use vipps_order_management_emulator::Emulator;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, ResponseTemplate};

fn status(report: &vipps_order_management::check::CheckReport, name: &str) -> &'static str {
    match &report.item(name).unwrap_or_else(|| panic!("no item {name}")).outcome {
        Outcome::Passed { .. } => "passed",
        Outcome::Failed { .. } => "failed",
        Outcome::NotChecked { .. } => "not checked",
        _ => "other",
    }
}

fn what_to_do(report: &vipps_order_management::check::CheckReport, name: &str) -> String {
    match &report.item(name).unwrap().outcome {
        Outcome::Failed { what_to_do, .. } => what_to_do.clone(),
        other => panic!("{name}: {other:?}"),
    }
}

const READ_ITEMS: [&str; 9] = [
    "token",
    "clock",
    "system-headers",
    "order-management-access",
    "endpoint-image",
    "endpoint-category",
    "endpoint-receipt",
    "endpoint-order",
    "endpoint-categories-v3",
];

#[tokio::test]
async fn every_item_passes_against_the_emulator_and_nothing_is_written() {
    let emu = Emulator::start().await.unwrap();
    let client = emu
        .client_builder()
        .plugin_name("acme-vipps")
        .plugin_version("1.0")
        .build()
        .unwrap();
    let report = client.check(&CheckOptions::new().partner()).await;
    assert!(report.passed(), "{report}");
    for name in READ_ITEMS {
        assert_eq!(status(&report, name), "passed", "{name}: {report}");
    }
    assert_eq!(status(&report, "write"), "not checked");
    assert_eq!(report.environment, "custom");
    // Nothing was stored: no image, no category, no receipt.
    assert!(emu.image_ids().is_empty() && emu.receipt_count() == 0 && emu.categories_v3().is_empty());
    assert_eq!(
        emu.requests_for(Operation::PutCategory).len(),
        1,
        "one probe, refused for its empty body"
    );
    let text = report.to_string();
    assert!(
        text.starts_with("Go-live check against") && text.ends_with("Every item checked passed."),
        "{text}"
    );
}

#[tokio::test]
async fn a_write_asked_for_is_made_and_read_back() {
    let emu = Emulator::start().await.unwrap();
    let report = emu
        .client()
        .check(&CheckOptions::new().write("test-order-1", "https://shop.example/o/test-order-1"))
        .await;
    assert_eq!(status(&report, "write"), "passed", "{report}");
    let stored = emu.category(PaymentType::Ecom, "test-order-1").expect("the category is stored");
    assert_eq!(stored.order_details_url, "https://shop.example/o/test-order-1");
}

#[tokio::test]
async fn refused_credentials_fail_the_token_and_leave_the_rest_unchecked() {
    let server = wiremock::MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/accesstoken/get"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"statusCode": 401, "message": "Access denied"})))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let report = client(&server).check(&CheckOptions::new()).await;
    assert!(!report.passed());
    assert_eq!(status(&report, "token"), "failed");
    assert!(what_to_do(&report, "token").contains("portal.vipps.no"));
    for name in &READ_ITEMS[3..] {
        assert_eq!(status(&report, name), "not checked", "{name}");
    }
}

#[tokio::test]
async fn keys_without_order_management_fail_with_what_to_do() {
    let server = server_with_token(1).await;
    for (verb, answer) in [("GET", 403), ("POST", 403), ("PUT", 403)] {
        Mock::given(method(verb))
            .and(path_regex("^/order-management/"))
            .respond_with(ResponseTemplate::new(answer))
            .expect(1..)
            .mount(&server)
            .await;
    }
    let report = client(&server).check(&CheckOptions::new()).await;
    assert_eq!(status(&report, "token"), "passed", "{report}");
    assert_eq!(status(&report, "order-management-access"), "failed");
    assert!(
        what_to_do(&report, "order-management-access").contains("Order Management API"),
        "{report}"
    );
    assert_eq!(status(&report, "endpoint-receipt"), "failed");
    server.verify().await;
}

#[tokio::test]
async fn missing_system_headers_and_a_wrong_base_url_are_named() {
    let server = server_with_token(1).await;
    Mock::given(path_regex("^/order-management/"))
        .respond_with(ResponseTemplate::new(404))
        .expect(1..)
        .mount(&server)
        .await;
    let client = vipps_order_management::Client::builder()
        .base_url(server.uri())
        .client_id(CLIENT_ID)
        .client_secret(CLIENT_SECRET)
        .subscription_key(SUBSCRIPTION_KEY)
        .merchant_serial_number(MSN)
        .system_name("acme-shop")
        .build()
        .unwrap();
    let report = client.check(&CheckOptions::new()).await;
    assert_eq!(status(&report, "system-headers"), "failed", "{report}");
    let Outcome::Failed { detail, .. } = &report.item("system-headers").unwrap().outcome else {
        unreachable!()
    };
    assert!(
        detail.contains("Vipps-System-Version") && !detail.contains("Vipps-System-Name,"),
        "{detail}"
    );
    // Every write endpoint answers 404: not there at this base URL.
    for name in ["endpoint-image", "endpoint-category", "endpoint-receipt"] {
        assert_eq!(status(&report, name), "failed", "{name}");
        assert!(what_to_do(&report, name).contains("base URL"));
    }
}

#[tokio::test]
async fn partners_need_all_four_system_headers() {
    let emu = Emulator::start().await.unwrap();
    // The emulator's client sends a system name and version, no plugin.
    let direct = emu.client().check(&CheckOptions::new()).await;
    assert_eq!(status(&direct, "system-headers"), "passed", "{direct}");
    let partner = emu.client().check(&CheckOptions::new().partner()).await;
    assert_eq!(status(&partner, "system-headers"), "failed");
    assert!(what_to_do(&partner, "system-headers").contains("partners and platforms"));
    // One plugin header without the other is named too.
    let half = emu.client_builder().plugin_name("acme-vipps").build().unwrap();
    let report = half.check(&CheckOptions::new()).await;
    assert_eq!(status(&report, "system-headers"), "failed");
}

#[tokio::test]
async fn an_answer_past_its_cap_is_not_the_service_whatever_its_status() {
    let server = server_with_token(1).await;
    // 17 MiB: past the cap of any answer (orders and lists read 16 MiB).
    let huge = "x".repeat(17 * 1024 * 1024);
    for verb in ["GET", "POST", "PUT"] {
        Mock::given(method(verb))
            .and(path_regex("^/order-management/"))
            .respond_with(ResponseTemplate::new(if verb == "GET" { 200 } else { 400 }).set_body_string(huge.clone()))
            .expect(1..)
            .mount(&server)
            .await;
    }
    let report = client(&server).check(&CheckOptions::new()).await;
    assert!(!report.passed(), "{report}");
    for name in &READ_ITEMS[3..] {
        assert_eq!(status(&report, name), "failed", "{name}: {report}");
        let Outcome::Failed { detail, .. } = &report.item(name).unwrap().outcome else {
            unreachable!()
        };
        assert!(detail.contains("larger than"), "{name}: {detail}");
    }
    server.verify().await;
}

#[tokio::test]
async fn the_check_ends_within_its_time_limit_against_a_server_that_never_answers() {
    let server = server_with_token(1).await;
    // Every Order Management request waits far longer than the limit.
    Mock::given(path_regex("^/order-management/"))
        .respond_with(ResponseTemplate::new(404).set_delay(std::time::Duration::from_secs(3600)))
        .expect(1..)
        .mount(&server)
        .await;
    let options = CheckOptions::new().time_limit(std::time::Duration::from_secs(1));
    let report = without_hanging("the check", client(&server).check(&options)).await;
    assert_eq!(status(&report, "token"), "passed", "{report}");
    for name in &READ_ITEMS[3..] {
        assert_eq!(status(&report, name), "failed", "{name}: {report}");
        let Outcome::Failed { detail, .. } = &report.item(name).unwrap().outcome else {
            unreachable!()
        };
        assert!(detail.contains("within 1.0s"), "{name}: {detail}");
    }
}
