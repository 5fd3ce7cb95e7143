//! The emulator answers like the service: each rule through the public
//! client where it can express the request, and with raw HTTP for the
//! requests the client refuses to send.

mod common;

use std::time::{Duration, Instant};

use common::PNG;
use reqwest::StatusCode;
use serde_json::{json, Value};
use vipps_order_management::{Amount, TaxRate};
use vipps_order_management::{
    Category, CategoryType, Currency, Error, ImageUpload, NewCategory, Operation, OrderLine, PaymentType, Receipt, RetryPolicy,
};
use vipps_order_management_emulator::{self as emulator, Emulator, Fault};

fn receipt(total: i64) -> Receipt {
    Receipt::new(
        Currency::Nok,
        vec![OrderLine::new(
            "1",
            "Socks",
            Amount::from_minor(total),
            Amount::from_minor(total * 4 / 5),
            TaxRate::percent(25),
        )],
    )
}

/// Raw HTTP against the emulator, with a valid token unless told otherwise.
struct Raw {
    http: reqwest::Client,
    base: String,
    token: String,
    key: String,
    msn: String,
}

impl Raw {
    async fn new(emu: &Emulator) -> Raw {
        Raw {
            http: common::http(),
            base: emu.base_url(),
            token: emu.access_token(),
            key: emu.subscription_key().to_owned(),
            msn: emu.merchant_serial_number().to_owned(),
        }
    }

    fn request(&self, method: &str, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method.parse().unwrap(), format!("{}{path}", self.base))
            .header("Authorization", format!("Bearer {}", self.token))
            .header("Ocp-Apim-Subscription-Key", &self.key)
            .header("Merchant-Serial-Number", &self.msn)
    }

    async fn send(&self, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Option<String>, Value) {
        let mut r = self.request(method, path);
        if let Some(b) = body {
            r = r.json(&b);
        }
        answer(r).await
    }
}

async fn answer(r: reqwest::RequestBuilder) -> (StatusCode, Option<String>, Value) {
    let resp = r.send().await.unwrap();
    let status = resp.status();
    let ct = resp.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned());
    let text = resp.text().await.unwrap();
    (status, ct, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Asserts a 400 problem whose invalidParams name exactly these fields.
fn assert_invalid_params(answer: &(StatusCode, Option<String>, Value), fields: &[&str]) {
    let (status, ct, body) = answer;
    assert_eq!(*status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(ct.as_deref(), Some("application/problem+json"));
    assert!(body["instance"].as_str().is_some_and(|i| i.starts_with("00-")), "{body}");
    let mut named: Vec<&str> = body["invalidParams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    named.sort();
    let mut expected = fields.to_vec();
    expected.sort();
    assert_eq!(named, expected, "{body}");
}

#[tokio::test]
async fn tokens_have_string_fields_a_real_expiry_and_need_the_right_keys() {
    let emu = Emulator::builder().token_lifetime(Duration::from_secs(120)).start().await.unwrap();
    let http = common::http();
    let url = format!("{}/accesstoken/get", emu.base_url());
    let (status, _, body) = answer(
        http.post(&url)
            .header("client_id", emulator::CLIENT_ID)
            .header("client_secret", emulator::CLIENT_SECRET)
            .header("Ocp-Apim-Subscription-Key", emulator::SUBSCRIPTION_KEY),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    for field in [
        "token_type",
        "expires_in",
        "ext_expires_in",
        "expires_on",
        "not_before",
        "resource",
        "access_token",
    ] {
        assert!(body[field].is_string(), "{field} is not a string: {body}");
    }
    assert_eq!(body["expires_in"], "120");
    let (status, _, body) = answer(
        http.post(&url)
            .header("client_id", emulator::CLIENT_ID)
            .header("client_secret", "wrong")
            .header("Ocp-Apim-Subscription-Key", emulator::SUBSCRIPTION_KEY),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["statusCode"], 401);
    assert!(body["message"].as_str().unwrap().contains("Access denied"));
    assert_eq!(emu.tokens_issued(), 1);

    // Through the client: wrong credentials are an auth error.
    let err = emu
        .client_builder()
        .client_secret("wrong")
        .build()
        .unwrap()
        .warm_up()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Auth { .. }), "{err:?}");
}

#[tokio::test]
async fn api_calls_check_token_key_and_merchant_serial_number() {
    let emu = Emulator::start().await.unwrap();
    let raw = Raw::new(&emu).await;
    let path = "/order-management/v2/ECOM/o-1";
    let base = || raw.http.get(format!("{}{path}", raw.base));
    // No token, an unknown token, no subscription key, a wrong one.
    let (s, _, b) = answer(
        base()
            .header("Ocp-Apim-Subscription-Key", &raw.key)
            .header("Merchant-Serial-Number", &raw.msn),
    )
    .await;
    assert_eq!((s, b["statusCode"].clone()), (StatusCode::UNAUTHORIZED, json!(401)));
    let (s, _, _) = answer(
        base()
            .header("Authorization", "Bearer forged")
            .header("Ocp-Apim-Subscription-Key", &raw.key)
            .header("Merchant-Serial-Number", &raw.msn),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _, b) = answer(
        base()
            .header("Authorization", format!("Bearer {}", raw.token))
            .header("Merchant-Serial-Number", &raw.msn),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(b["message"].as_str().unwrap().contains("subscription key"));
    let (s, _, _) = answer(
        base()
            .header("Authorization", format!("Bearer {}", raw.token))
            .header("Ocp-Apim-Subscription-Key", "nope")
            .header("Merchant-Serial-Number", &raw.msn),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // No Merchant-Serial-Number: 400 naming it.
    let r = answer(
        base()
            .header("Authorization", format!("Bearer {}", raw.token))
            .header("Ocp-Apim-Subscription-Key", &raw.key),
    )
    .await;
    assert_invalid_params(&r, &["Merchant-Serial-Number"]);
    // The token works, then expires.
    assert_eq!(raw.send("GET", path, None).await.0, StatusCode::NOT_FOUND);
    emu.expire_tokens();
    assert_eq!(raw.send("GET", path, None).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_expired_token_is_replaced_by_the_client() {
    let emu = Emulator::start().await.unwrap();
    let client = emu.client();
    client
        .ecom("o-1")
        .put_category(&Category::new(CategoryType::General, "https://shop.example"))
        .await
        .unwrap();
    emu.expire_tokens();
    client.ecom("o-1").get().await.unwrap();
    assert_eq!(emu.tokens_issued(), 2);
    let gets = emu.requests_for(Operation::GetOrder);
    assert_eq!(gets.len(), 2, "one refused, one resent");
}

#[tokio::test]
async fn images_are_stored_reusable_and_never_overwritten() {
    let emu = Emulator::start().await.unwrap();
    let client = emu.client();
    let upload = ImageUpload::from_bytes(PNG).unwrap();
    let id = client.images().upload(&upload).await.unwrap();
    assert_eq!(emu.image(id.as_str()).as_deref(), Some(PNG));
    for order in ["o-1", "o-2"] {
        client
            .recurring(order)
            .put_category(&Category::new(CategoryType::Ticket, "https://shop.example/t").with_image(id.clone()))
            .await
            .unwrap();
    }
    // The same bytes under their content-derived id: already there, success.
    assert_eq!(client.images().upload(&upload).await.unwrap(), id);
    assert_eq!(emu.requests_for(Operation::UploadImage).len(), 2);
    // An id of one's own that exists: a conflict, the stored image stays.
    client.images().upload(&upload.clone().with_id("logo")).await.unwrap();
    let err = client.images().upload(&upload.clone().with_id("logo")).await.unwrap_err();
    assert!(err.is_conflict(), "{err:?}");
    assert!(err.to_string().contains("images cannot be overwritten"), "{err}");
    let mut ids = vec![id.to_string(), "logo".to_owned()];
    ids.sort();
    assert_eq!(emu.image_ids(), ids);
}

#[tokio::test]
async fn a_category_put_replaces_the_previous_one() {
    let emu = Emulator::start().await.unwrap();
    let order = emu.client();
    let order = order.ecom("o-1");
    order
        .put_category(&Category::new(CategoryType::OrderConfirmation, "https://shop.example/confirm"))
        .await
        .unwrap();
    order
        .put_category(&Category::new(CategoryType::Receipt, "https://shop.example/receipt"))
        .await
        .unwrap();
    let stored = order.get().await.unwrap().category.unwrap();
    assert_eq!(stored.category, CategoryType::Receipt);
    assert_eq!(stored.order_details_url, "https://shop.example/receipt");
}

#[tokio::test]
async fn a_receipt_is_stored_once_and_get_order_answers_what_is_stored() {
    let emu = Emulator::start().await.unwrap();
    let client = emu.client();
    let order = client.ecom("o-1");
    let err = order.get().await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert!(err.problem().is_some());
    order.post_receipt(&receipt(1250)).await.unwrap();
    let err = order.post_receipt(&receipt(2500)).await.unwrap_err();
    assert!(err.is_conflict(), "{err:?}");
    assert_eq!(emu.receipt(PaymentType::Ecom, "o-1"), Some(receipt(1250)));
    let stored = order.get().await.unwrap();
    assert_eq!(stored.receipt, Some(receipt(1250)));
    assert_eq!(stored.category, None);
    // The same order id under the other payment type is another order.
    assert!(client.recurring("o-1").get().await.unwrap_err().is_not_found());
}

#[tokio::test]
async fn the_payment_type_matches_case_insensitively() {
    let emu = Emulator::start().await.unwrap();
    emu.client().ecom("o-1").post_receipt(&receipt(1250)).await.unwrap();
    let raw = Raw::new(&emu).await;
    for pt in ["ECOM", "ecom", "eCom"] {
        let (status, _, body) = raw.send("GET", &format!("/order-management/v2/{pt}/o-1"), None).await;
        assert_eq!(status, StatusCode::OK, "{pt}");
        assert_eq!(body["receipt"]["orderLines"][0]["totalAmount"], 1250);
    }
    let r = raw.send("GET", "/order-management/v2/CARD/o-1", None).await;
    assert_invalid_params(&r, &["paymentType"]);
}

#[tokio::test]
async fn invalid_receipts_get_a_problem_naming_each_field() {
    let emu = Emulator::start().await.unwrap();
    let raw = Raw::new(&emu).await;
    let path = "/order-management/v2/ECOM/receipts/o-1";
    // Required fields and types.
    let r = raw
        .send(
            "POST",
            path,
            Some(json!({"orderLines": [{"name": "x", "totalAmount": "10"}], "bottomLine": {}})),
        )
        .await;
    assert_invalid_params(
        &r,
        &[
            "orderLines[0].id",
            "orderLines[0].totalAmount",
            "orderLines[0].totalAmountExcludingTax",
            "orderLines[0].totalTaxAmount",
            "bottomLine.currency",
        ],
    );
    // minItems, enums, ranges, patterns, arithmetic.
    let r = raw
        .send("POST", path, Some(json!({"orderLines": [], "bottomLine": {"currency": "SEK"}})))
        .await;
    assert_invalid_params(&r, &["orderLines", "bottomLine.currency"]);
    let line = json!({"name": "Socks", "id": "1", "totalAmount": 1250, "totalAmountExcludingTax": 1000, "totalTaxAmount": 200,
                      "taxRate": 10001, "unitInfo": {"unitPrice": 1250, "quantity": "1,5", "quantityUnit": "BOX"}});
    let r = raw
        .send("POST", path, Some(json!({"orderLines": [line], "bottomLine": {"currency": "NOK"}})))
        .await;
    assert_invalid_params(
        &r,
        &[
            "orderLines[0].taxRate",
            "orderLines[0].totalAmount",
            "orderLines[0].unitInfo.quantity",
            "orderLines[0].unitInfo.quantityUnit",
        ],
    );
    let no_tax = json!({"name": "Socks", "id": "1", "totalAmount": 1250, "totalAmountExcludingTax": 1000, "totalTaxAmount": 250});
    let r = raw
        .send(
            "POST",
            path,
            Some(json!({"orderLines": [no_tax], "bottomLine": {"currency": "NOK"}})),
        )
        .await;
    assert_invalid_params(&r, &["orderLines[0].taxRate"]);
    let r = raw
        .send("POST", "/order-management/v2/ECOM/receipts/bad%20id", Some(json!({})))
        .await;
    assert_eq!(r.0, StatusCode::BAD_REQUEST);
    assert!(r.2["invalidParams"].as_array().unwrap().iter().any(|p| p["name"] == "orderId"));
    let r = raw.send("POST", path, None).await;
    assert_invalid_params(&r, &["body"]);
    assert_eq!(emu.receipt_count(), 0);
}

#[tokio::test]
async fn invalid_categories_and_images_get_a_problem_naming_each_field() {
    let emu = Emulator::start().await.unwrap();
    let raw = Raw::new(&emu).await;
    let r = raw
        .send(
            "PUT",
            "/order-management/v2/ECOM/categories/o-1",
            Some(json!({"category": "INVOICE", "imageId": "bad id!"})),
        )
        .await;
    assert_invalid_params(&r, &["category", "orderDetailsUrl", "imageId"]);
    let r = raw
        .send(
            "PUT",
            "/order-management/v2/ECOM/categories/o-1",
            Some(json!({"category": "RECEIPT", "orderDetailsUrl": "not a uri", "imageId": "x".repeat(129)})),
        )
        .await;
    assert_invalid_params(&r, &["orderDetailsUrl", "imageId"]);
    use base64::Engine as _;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let r = raw
        .send(
            "POST",
            "/order-management/v1/images",
            Some(json!({"imageId": "x".repeat(129), "src": "%%%", "type": "url"})),
        )
        .await;
    assert_invalid_params(&r, &["imageId", "src", "type"]);
    let r = raw
        .send(
            "POST",
            "/order-management/v1/images",
            Some(json!({"imageId": "gif", "src": b64(b"GIF89a\x01\x00\x01\x00"), "type": "base64"})),
        )
        .await;
    assert_invalid_params(&r, &["src"]);
    let r = raw
        .send("POST", "/order-management/v1/images", Some(json!({"src": b64(PNG)})))
        .await;
    assert_invalid_params(&r, &["imageId", "type"]);
    // v3
    let r = raw
        .send(
            "POST",
            "/order-management/v3/categories",
            Some(json!({"orderId": "o 1", "paymentType": "CARD", "type": "RECEIPT"})),
        )
        .await;
    assert_invalid_params(&r, &["orderId", "paymentType", "url"]);
    let r = raw
        .send(
            "POST",
            "/order-management/v3/categories",
            Some(json!({"orderId": "o 1", "paymentType": "CARD", "type": "X", "url": "https://a.example"})),
        )
        .await;
    assert_invalid_params(&r, &["orderId", "paymentType", "type"]);
    let r = raw.send("GET", "/order-management/v3/categories?orderId=o%201", None).await;
    assert_invalid_params(&r, &["orderId"]);
    let r = raw.send("GET", "/order-management/v3/categories/not-a-uuid", None).await;
    assert_invalid_params(&r, &["categoryId"]);
    assert!(emu.image_ids().is_empty() && emu.categories_v3().is_empty());
}

#[tokio::test]
async fn v3_categories_are_added_listed_got_and_deleted() {
    let emu = Emulator::start().await.unwrap();
    let client = emu.client();
    let ticket = NewCategory::new(PaymentType::Ecom, "o-1", CategoryType::Ticket, "https://shop.example/t/1");
    let receipt_link = NewCategory::new(PaymentType::Ecom, "o-1", CategoryType::Receipt, "https://shop.example/r/1");
    let a = client.categories().add(&ticket).await.unwrap();
    let b = client.categories().add(&receipt_link).await.unwrap();
    client
        .categories()
        .add(&NewCategory::new(
            PaymentType::Ecom,
            "o-2",
            CategoryType::General,
            "https://shop.example",
        ))
        .await
        .unwrap();
    let listed = client.categories().list("o-1").await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(
        client.categories().get(&b).await.unwrap().category_type,
        Some(CategoryType::Receipt)
    );
    client.categories().delete(&a).await.unwrap();
    assert!(client.categories().get(&a).await.unwrap_err().is_not_found());
    assert!(client.categories().delete(&a).await.unwrap_err().is_not_found());
    assert_eq!(client.categories().list("o-1").await.unwrap().len(), 1);
    assert!(client.categories().list("o-3").await.unwrap().is_empty());
    // What a test reads from Rust: the same two left, oldest first.
    let kept: Vec<Option<String>> = emu
        .categories_v3()
        .into_iter()
        .map(|c| c.order_id.map(|id| id.as_str().to_owned()))
        .collect();
    assert_eq!(kept, [Some("o-1".to_owned()), Some("o-2".to_owned())]);
}

#[tokio::test]
async fn requests_are_recorded_for_inspection() {
    let emu = Emulator::start().await.unwrap();
    emu.client()
        .ecom("o-1")
        .put_category(&Category::new(CategoryType::General, "https://shop.example"))
        .await
        .unwrap();
    let all = emu.requests();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].operation, Some(Operation::FetchToken));
    let put = &all[1];
    assert_eq!(
        (put.method.as_str(), put.path.as_str()),
        ("PUT", "/order-management/v2/ECOM/categories/o-1")
    );
    assert_eq!(put.header("merchant-serial-number"), Some(emulator::MSN));
    assert_eq!(put.header("vipps-system-name"), Some("emulator-test"));
    assert_eq!(put.json().unwrap()["orderDetailsUrl"], "https://shop.example");
    assert_eq!(emu.tokens_issued(), 1);
}

#[tokio::test]
async fn faults_fail_the_next_calls_of_one_operation() {
    let emu = Emulator::start().await.unwrap();
    let client = emu.client_builder().retry_policy(RetryPolicy::none()).build().unwrap();
    emu.inject(Fault::status(500).times(2).only(Operation::PostReceipt));
    // Other operations are untouched.
    client
        .ecom("o-1")
        .put_category(&Category::new(CategoryType::General, "https://shop.example"))
        .await
        .unwrap();
    for _ in 0..2 {
        let err = client.ecom("o-1").post_receipt(&receipt(1250)).await.unwrap_err();
        assert_eq!(err.status(), Some(StatusCode::INTERNAL_SERVER_ERROR));
    }
    client.ecom("o-1").post_receipt(&receipt(1250)).await.unwrap();
    // Any operation, custom body.
    emu.inject(Fault::status(502).body("<html>bad gateway</html>", "text/html"));
    let err = client.ecom("o-1").get().await.unwrap_err();
    assert!(err.to_string().contains("bad gateway"), "{err}");
    emu.fail_next(1, 503);
    assert_eq!(
        client.ecom("o-1").get().await.unwrap_err().status(),
        Some(StatusCode::SERVICE_UNAVAILABLE)
    );
    client.ecom("o-1").get().await.unwrap();
}

#[tokio::test]
async fn rate_limits_carry_retry_after_and_latency_delays_answers() {
    let emu = Emulator::start().await.unwrap();
    let raw = Raw::new(&emu).await;
    emu.rate_limit_next(1, 7);
    let resp = raw.request("GET", "/order-management/v2/ECOM/o-1").send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(resp.headers()["retry-after"], "7");
    emu.set_latency(Duration::from_millis(300));
    let started = Instant::now();
    let (status, _, _) = raw.send("GET", "/order-management/v2/ECOM/o-1", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(started.elapsed() >= Duration::from_millis(300));
    // Through the client: a wait beyond the call's deadline fails at once.
    emu.set_latency(Duration::ZERO);
    emu.rate_limit_next(1, 600);
    let err = emu.client().ecom("o-1").get().await.unwrap_err();
    assert!(
        matches!(err, Error::RateLimited { retry_after, .. } if retry_after == Duration::from_secs(600)),
        "{err:?}"
    );
}

#[tokio::test]
async fn unknown_routes_and_methods() {
    let emu = Emulator::start().await.unwrap();
    let raw = Raw::new(&emu).await;
    assert_eq!(
        raw.send("GET", "/order-management/v1/orders/o-1", None).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        raw.send("DELETE", "/order-management/v2/ECOM/receipts/o-1", None).await.0,
        StatusCode::METHOD_NOT_ALLOWED
    );
}

#[tokio::test]
async fn the_token_path_matches_in_any_case() {
    let emu = Emulator::start().await.unwrap();
    for path in ["/accesstoken/get", "/accessToken/get", "/ACCESSTOKEN/GET"] {
        let r = common::http()
            .post(format!("{}{path}", emu.base_url()))
            .header("client_id", emulator::CLIENT_ID)
            .header("client_secret", emulator::CLIENT_SECRET)
            .header("Ocp-Apim-Subscription-Key", emulator::SUBSCRIPTION_KEY);
        let (status, _, body) = answer(r).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        assert!(body["access_token"].is_string());
    }
}

/// A receipt with every field of the spec's schemas, deprecated ones too.
fn full_receipt() -> Value {
    json!({
        "orderLines": [{
            "name": "Socks", "id": "1", "totalAmount": 1250, "totalAmountExcludingTax": 1000, "totalTaxAmount": 250,
            "taxRate": 2500, "taxPercentage": 25,
            "unitInfo": {"unitPrice": 625, "quantity": "2", "quantityUnit": "PCS"},
            "discount": 0, "productUrl": "https://shop.example/p/1", "isReturn": false, "isShipping": false
        }],
        "bottomLine": {
            "currency": "NOK", "tipAmount": 100, "giftCardAmount": 500, "posId": "pos-1", "totalAmount": 1250,
            "totalTax": 250, "totalDiscount": 0, "shippingAmount": 0,
            "shippingInfo": {"amount": 0, "amountExcludingTax": 0, "taxAmount": 0, "taxPercentage": 25},
            "paymentSources": {"giftCard": 500, "card": 750, "voucher": 0, "cash": 0},
            "barcode": {"format": "CODE 128", "data": "100042"},
            "receiptNumber": "100042", "terminalId": "term-7"
        }
    })
}

#[tokio::test]
async fn every_field_of_a_receipt_is_stored_and_returned_as_sent() {
    let emu = Emulator::start().await.unwrap();
    let raw = Raw::new(&emu).await;
    let sent = full_receipt();
    let (status, _, body) = raw
        .send("POST", "/order-management/v2/ECOM/receipts/full-1", Some(sent.clone()))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _, order) = raw.send("GET", "/order-management/v2/ECOM/full-1", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(order["receipt"], sent);
    // And the client reads the deprecated fields.
    let stored = emu.client().ecom("full-1").get().await.unwrap().receipt.unwrap();
    assert_eq!(
        stored.bottom_line.gift_card_amount,
        Some(vipps_order_management::Amount::from_minor(500))
    );
    assert_eq!(stored.bottom_line.terminal_id.as_deref(), Some("term-7"));
    assert!(stored.bottom_line.shipping_info.is_some());
}

/// Issue 25, item 9: what the spec and the API guide say, where the
/// emulator was looser.
#[tokio::test]
async fn the_emulator_answers_as_the_spec_says_where_it_was_looser() {
    let emu = Emulator::start().await.unwrap();
    let raw = Raw::new(&emu).await;
    // Unknown fields are neither refused nor kept (the service reads a body
    // into its own model), at any depth.
    let mut sent = full_receipt();
    sent["surprise"] = json!("not in the spec");
    sent["orderLines"][0]["alsoUnknown"] = json!({"x": 1});
    let (status, _, body) = raw.send("POST", "/order-management/v2/ECOM/receipts/extra-1", Some(sent)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, _, order) = raw.send("GET", "/order-management/v2/ECOM/extra-1", None).await;
    assert_eq!(order["receipt"], full_receipt(), "the unknown fields are gone");
    // `.` and `..` are no order ids in a path: any client or gateway
    // resolves them as folders (in a v3 body or query the spec's pattern
    // takes them: see `http_details_a_generic_client_relies_on`).
    let client = emu.client();
    let stored = emu.receipt_count();
    for id in [".", "..", "%2E", "%2e%2E"] {
        for (method, path) in [
            ("GET", format!("/order-management/v2/ECOM/{id}")),
            ("POST", format!("/order-management/v2/ECOM/receipts/{id}")),
        ] {
            // The client may resolve it before sending (to another
            // resource, which takes other methods): never an order.
            let (status, _, _) = raw.send(method, &path, Some(full_receipt())).await;
            assert!(
                [StatusCode::NOT_FOUND, StatusCode::METHOD_NOT_ALLOWED].contains(&status),
                "{method} {path}: {status}"
            );
        }
    }
    assert_eq!(emu.receipt_count(), stored);
    let refused = client.ecom("..").get().await.unwrap_err();
    assert!(
        matches!(refused, vipps_order_management::Error::InvalidInput { .. }),
        "the SDK refuses it first: {refused}"
    );
    // A body sent as something other than JSON is refused with 415.
    let (status, _, body) = answer(
        raw.request("POST", "/order-management/v2/ECOM/receipts/form-1")
            .header("Content-Type", "text/plain")
            .body(full_receipt().to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("application/json"), "{body}");
    let (status, _, _) = answer(
        raw.request("POST", "/order-management/v2/ECOM/receipts/json-1")
            .header("Content-Type", "application/json; charset=utf-8")
            .body(full_receipt().to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    // An image over 2 MB (the guide's limit), though under 2 MiB.
    let mut big = PNG.to_vec();
    big.resize(2_000_001, 0);
    let image = json!({"imageId": "big", "src": base64_of(&big), "type": "base64"});
    let r = raw.send("POST", "/order-management/v1/images", Some(image)).await;
    assert_invalid_params(&r, &["src"]);
    // A v3 list without orderId lists every category (the spec's query
    // parameter is optional).
    for order in ["o-1", "o-2"] {
        let category = json!({"orderId": order, "paymentType": "ECOM", "type": "TICKET", "url": "https://a.example"});
        assert_eq!(
            raw.send("POST", "/order-management/v3/categories", Some(category)).await.0,
            StatusCode::CREATED
        );
    }
    let (status, _, listed) = raw.send("GET", "/order-management/v3/categories", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed["categories"].as_array().unwrap().len(), 2, "{listed}");
    // A malformed category id is a 400 for a delete as for a read.
    for method in ["GET", "DELETE"] {
        let r = raw.send(method, "/order-management/v3/categories/not-a-uuid", None).await;
        assert_invalid_params(&r, &["categoryId"]);
    }
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[tokio::test]
async fn deprecated_fields_are_validated_by_the_spec() {
    let emu = Emulator::start().await.unwrap();
    let raw = Raw::new(&emu).await;
    let mut bad = full_receipt();
    bad["bottomLine"]["giftCardAmount"] = json!(-5);
    bad["bottomLine"]["terminalId"] = json!(123);
    bad["bottomLine"]["shippingInfo"]["taxPercentage"] = json!(101);
    bad["bottomLine"]["totalTax"] = json!("250");
    let r = raw.send("POST", "/order-management/v2/ECOM/receipts/bad-1", Some(bad)).await;
    assert_invalid_params(
        &r,
        &[
            "bottomLine.giftCardAmount",
            "bottomLine.terminalId",
            "bottomLine.shippingInfo.taxPercentage",
            "bottomLine.totalTax",
        ],
    );
    assert_eq!(emu.receipt_count(), 0);
}

#[tokio::test]
async fn required_and_nullable_fields_take_null() {
    let emu = Emulator::start().await.unwrap();
    let raw = Raw::new(&emu).await;
    let mut receipt = full_receipt();
    receipt["orderLines"][0]["unitInfo"]["unitPrice"] = Value::Null;
    receipt["orderLines"][0]["unitInfo"]["quantityUnit"] = Value::Null;
    receipt["bottomLine"]["barcode"]["data"] = Value::Null;
    receipt["bottomLine"]["shippingInfo"]["amount"] = Value::Null;
    let (status, _, body) = raw
        .send("POST", "/order-management/v2/ECOM/receipts/null-1", Some(receipt.clone()))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, _, order) = raw.send("GET", "/order-management/v2/ECOM/null-1", None).await;
    assert_eq!(order["receipt"], receipt, "nulls kept as sent");
    // A field that is required but not nullable still refuses null.
    let mut quantity = full_receipt();
    quantity["orderLines"][0]["unitInfo"]["quantity"] = Value::Null;
    let r = raw.send("POST", "/order-management/v2/ECOM/receipts/null-2", Some(quantity)).await;
    assert_invalid_params(&r, &["orderLines[0].unitInfo.quantity"]);
}

#[tokio::test]
async fn state_is_kept_per_merchant_serial_number() {
    let emu = Emulator::start().await.unwrap();
    let mut a = Raw::new(&emu).await;
    a.msn = "111111".into();
    let mut b = Raw::new(&emu).await;
    b.msn = "222222".into();
    let category = json!({"category": "RECEIPT", "orderDetailsUrl": "https://shop.example/o/1"});
    let (status, _, _) = a.send("PUT", "/order-management/v2/ECOM/categories/o-1", Some(category)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(a.send("GET", "/order-management/v2/ECOM/o-1", None).await.0, StatusCode::OK);
    assert_eq!(b.send("GET", "/order-management/v2/ECOM/o-1", None).await.0, StatusCode::NOT_FOUND);
    // Images too: the same id under another merchant is no conflict.
    use base64::Engine as _;
    let image = json!({"imageId": "logo", "src": base64::engine::general_purpose::STANDARD.encode(PNG), "type": "base64"});
    assert_eq!(
        a.send("POST", "/order-management/v1/images", Some(image.clone())).await.0,
        StatusCode::OK
    );
    assert_eq!(
        b.send("POST", "/order-management/v1/images", Some(image.clone())).await.0,
        StatusCode::OK
    );
    assert_eq!(
        a.send("POST", "/order-management/v1/images", Some(image)).await.0,
        StatusCode::CONFLICT
    );
    // And v3 categories.
    let v3 = json!({"orderId": "o-1", "paymentType": "ECOM", "type": "TICKET", "url": "https://shop.example/t/1"});
    assert_eq!(
        a.send("POST", "/order-management/v3/categories", Some(v3)).await.0,
        StatusCode::CREATED
    );
    let (_, _, listed) = b.send("GET", "/order-management/v3/categories?orderId=o-1", None).await;
    assert_eq!(listed["categories"], json!([]));
}

#[tokio::test]
async fn empty_path_segments_are_not_found_and_a_trailing_slash_is_ignored() {
    let emu = Emulator::start().await.unwrap();
    let raw = Raw::new(&emu).await;
    let category = json!({"category": "RECEIPT", "orderDetailsUrl": "https://shop.example/o/1"});
    assert_eq!(
        raw.send("PUT", "/order-management/v2/ECOM/categories/order-1", Some(category))
            .await
            .0,
        StatusCode::OK
    );
    for path in [
        "/order-management/v2//ecom//order-1",
        "/order-management//v2/ECOM/order-1",
        "/order-management/v2/ECOM/categories//order-1",
        "/order-management/v2/ECOM/order-1//",
    ] {
        let (status, _, body) = raw.send("GET", path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
    }
    // The service's framework routes a trailing slash to the same endpoint.
    for path in ["/order-management/v2/ecom/order-1", "/order-management/v2/ECOM/order-1/"] {
        assert_eq!(raw.send("GET", path, None).await.0, StatusCode::OK, "{path}");
    }
}

/// The WooCommerce plugin's image upload, as its request code sends it
/// (since 2022): a trailing slash, a SHA-512 hex id of 128 characters, the
/// picture in base64; and its reading of a 409 as "already there".
#[tokio::test]
async fn the_woocommerce_image_request_is_accepted() {
    use base64::Engine as _;
    let emu = Emulator::start().await.unwrap();
    let raw = Raw::new(&emu).await;
    let id = ImageUpload::content_id(PNG);
    assert_eq!(id.as_str().len(), 128);
    let body = json!({
        "imageId": id.as_str(),
        "src": base64::engine::general_purpose::STANDARD.encode(PNG),
        "type": "base64",
    });
    let (status, _, answer) = raw.send("POST", "/order-management/v1/images/", Some(body.clone())).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["imageId"], id.as_str());
    assert_eq!(emu.image(id.as_str()).as_deref(), Some(PNG));
    let (status, _, _) = raw.send("POST", "/order-management/v1/images/", Some(body)).await;
    assert_eq!(status, StatusCode::CONFLICT, "the plugin reads this as already there");
}

/// A body that is not JSON is refused with where it breaks.
#[tokio::test]
async fn a_body_that_is_not_json_says_where_it_breaks() {
    let emu = Emulator::start().await.unwrap();
    let raw = Raw::new(&emu).await;
    let r = raw
        .request("POST", "/order-management/v2/ECOM/receipts/o-1")
        .header("content-type", "application/json")
        .body("{\n  \"orderLines\": [\n    {\"name\": }\n")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let problem: Value = r.json().await.unwrap();
    let reason = problem["invalidParams"][0]["reason"].as_str().unwrap();
    assert_eq!(problem["invalidParams"][0]["name"], "body");
    assert!(reason.contains("is not JSON") && reason.contains("line 3 column 14"), "{reason}");
}

#[tokio::test]
async fn http_details_a_generic_client_relies_on() {
    let emu = Emulator::start().await.unwrap();
    let raw = Raw::new(&emu).await;
    // 405 names what the resource takes.
    let r = raw.request("PATCH", "/order-management/v3/categories").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.headers()["allow"], "GET, POST");
    let r = raw.request("POST", "/order-management/v2/ECOM/o-1").send().await.unwrap();
    assert_eq!(r.headers()["allow"], "GET");
    // The Bearer scheme in any case.
    let r = common::http()
        .get(format!("{}/order-management/v2/ECOM/o-1", emu.base_url()))
        .header("Authorization", format!("bearer {}", raw.token))
        .header("Ocp-Apim-Subscription-Key", &raw.key)
        .header("Merchant-Serial-Number", &raw.msn)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "authenticated: the order is just not there");
    // The spec's order id has a pattern and no length: long ids and `.`
    // are stored and listed alike.
    for id in ["x".repeat(200), ".".to_owned()] {
        let category = json!({"orderId": id, "paymentType": "ECOM", "type": "TICKET", "url": "https://a.example"});
        assert_eq!(
            raw.send("POST", "/order-management/v3/categories", Some(category)).await.0,
            StatusCode::CREATED
        );
        let (status, _, listed) = raw
            .send("GET", &format!("/order-management/v3/categories?orderId={id}"), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{id}");
        assert_eq!(listed["categories"].as_array().unwrap().len(), 1, "{id}");
    }
}

#[tokio::test]
async fn a_server_can_stop_recording_and_a_state_file_must_be_writable() {
    let emu = Emulator::builder().record_requests(false).start().await.unwrap();
    emu.client().warm_up().await.unwrap();
    assert!(emu.requests().is_empty() && emu.tokens_issued() == 1);
    let err = Emulator::builder()
        .state_file(std::env::temp_dir().join("no-such-folder-vipps-om/state.json"))
        .start()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Config { .. }) && err.to_string().contains("state file"),
        "{err}"
    );
}
