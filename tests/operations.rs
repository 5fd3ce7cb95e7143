//! Each operation's exact method, path, headers and body on the wire, and
//! the decoding of its answers.

mod common;

use common::*;
use serde_json::json;
use vipps_order_management::{Amount, TaxRate};
use vipps_order_management::{
    Barcode, BarcodeFormat, Category, CategoryId, CategoryType, Currency, ImageUpload, NewCategory, OrderLine, PaymentSources, PaymentType,
    QuantityUnit, Receipt, UnitInfo,
};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

/// The headers every API call carries.
fn api_headers(m: wiremock::MockBuilder, msn: &str) -> wiremock::MockBuilder {
    m.and(header("Authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("Ocp-Apim-Subscription-Key", SUBSCRIPTION_KEY))
        .and(header("Merchant-Serial-Number", msn))
        .and(header("Vipps-System-Name", "acme-shop"))
        .and(header("Vipps-System-Version", "4.2.0"))
        .and(header("Vipps-System-Plugin-Name", "acme-vipps"))
        .and(header("Vipps-System-Plugin-Version", "1.0.1"))
        .and(header("Accept", "application/json"))
        .and(header("Content-Type", "application/json"))
        .and(header(
            "User-Agent",
            concat!("vipps-order-management-rust/", env!("CARGO_PKG_VERSION")),
        ))
}

fn spec_like_receipt() -> Receipt {
    let mut r = Receipt::new(
        Currency::Nok,
        vec![
            OrderLine::new(
                "line_item_1",
                "socks",
                Amount::from_minor(1000),
                Amount::from_minor(800),
                TaxRate::percent(25),
            )
            .with_unit_info(UnitInfo::new(Amount::from_minor(400), "2.5".parse().unwrap(), QuantityUnit::Kg))
            .with_discount(Amount::ZERO)
            .with_product_url("https://example.com/store/socks"),
            OrderLine::new(
                "delivery",
                "Home Delivery",
                Amount::from_minor(1000),
                Amount::from_minor(800),
                TaxRate::percent(25),
            )
            .shipping(),
            OrderLine::new(
                "line_item_9",
                "returned hat",
                Amount::from_minor(500),
                Amount::from_minor(400),
                TaxRate::percent(25),
            )
            .returned(),
        ],
    );
    r.bottom_line.tip_amount = Some(Amount::ZERO);
    r.bottom_line.pos_id = Some("pos_122".into());
    r.bottom_line.payment_sources = Some(PaymentSources::new().with_card(Amount::from_minor(1500)));
    r.bottom_line.barcode = Some(Barcode::new(BarcodeFormat::Code39, "SC0527013501 "));
    r.bottom_line.receipt_number = Some("0527013501".into());
    r
}

#[tokio::test]
async fn post_receipt_sends_the_spec_shape() {
    let server = server_with_token(1).await;
    let expected = json!({
        "orderLines": [
            {"name": "socks", "id": "line_item_1", "totalAmount": 1000, "totalAmountExcludingTax": 800,
             "totalTaxAmount": 200, "taxRate": 2500,
             "unitInfo": {"unitPrice": 400, "quantity": "2.5", "quantityUnit": "KG"},
             "discount": 0, "productUrl": "https://example.com/store/socks"},
            {"name": "Home Delivery", "id": "delivery", "totalAmount": 1000, "totalAmountExcludingTax": 800,
             "totalTaxAmount": 200, "taxRate": 2500, "isShipping": true},
            {"name": "returned hat", "id": "line_item_9", "totalAmount": 500, "totalAmountExcludingTax": 400,
             "totalTaxAmount": 100, "taxRate": 2500, "isReturn": true}
        ],
        "bottomLine": {"currency": "NOK", "tipAmount": 0, "posId": "pos_122", "paymentSources": {"card": 1500},
                       "barcode": {"format": "CODE 39", "data": "SC0527013501 "}, "receiptNumber": "0527013501"}
    });
    api_headers(
        Mock::given(method("POST")).and(path("/order-management/v2/ECOM/receipts/order-123")),
        MSN,
    )
    .and(body_json(&expected))
    .respond_with(ResponseTemplate::new(201).set_body_json("16328cb8-d769-4c53-90ad-e19777823f0a"))
    .expect(1)
    .mount(&server)
    .await;
    let posted = client(&server).ecom("order-123").post_receipt(&spec_like_receipt()).await.unwrap();
    assert_eq!(posted.id.as_deref(), Some("16328cb8-d769-4c53-90ad-e19777823f0a"));
    assert!(!posted.already_stored);
}

#[tokio::test]
async fn put_category_sends_the_spec_shape_and_accepts_every_success_body() {
    let server = server_with_token(1).await;
    let expected = json!({"category": "GENERAL", "orderDetailsUrl": "https://example.com", "imageId": "socks-orange-123"});
    // A JSON string, plain text and an empty body are all success.
    for (i, answer) in [
        ResponseTemplate::new(200).set_body_json("16328cb8-d769-4c53-90ad-e19777823f0a"),
        ResponseTemplate::new(200).set_body_string("16328cb8-d769-4c53-90ad-e19777823f0a"),
        ResponseTemplate::new(200),
    ]
    .into_iter()
    .enumerate()
    {
        api_headers(
            Mock::given(method("PUT")).and(path(format!("/order-management/v2/RECURRING/categories/charge-{i}"))),
            MSN,
        )
        .and(body_json(&expected))
        .respond_with(answer)
        .expect(1)
        .mount(&server)
        .await;
    }
    let client = client(&server);
    let category = Category::new(CategoryType::General, "https://example.com").with_image("socks-orange-123");
    for i in 0..3 {
        client.recurring(format!("charge-{i}")).put_category(&category).await.unwrap();
    }
}

#[tokio::test]
async fn upload_image_sends_base64_and_returns_the_id() {
    let server = server_with_token(1).await;
    use base64::Engine as _;
    let expected = json!({
        "imageId": "receipt-logo",
        "src": base64::engine::general_purpose::STANDARD.encode(PNG),
        "type": "base64",
    });
    api_headers(Mock::given(method("POST")).and(path("/order-management/v1/images")), MSN)
        .and(body_json(&expected))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"imageId": "receipt-logo"})))
        .expect(1)
        .mount(&server)
        .await;
    let upload = ImageUpload::from_bytes(PNG).unwrap().with_id("receipt-logo");
    let id = client(&server).images().upload(&upload).await.unwrap();
    assert_eq!(id.as_str(), "receipt-logo");
}

#[tokio::test]
async fn get_order_decodes_leniently() {
    let server = server_with_token(1).await;
    // Unknown fields, deprecated fields, nulls, an unknown enum value.
    let answer = json!({
        "category": {"category": "INVOICE", "orderDetailsUrl": "https://example.com", "imageId": null, "imageIds": [{"id": "x", "sortOrder": 1}]},
        "receipt": {
            "orderLines": [{"name": "socks", "id": "1", "totalAmount": 1000, "totalAmountExcludingTax": 800, "totalTaxAmount": 200,
                            "taxPercentage": 25, "taxRate": null, "unitInfo": null, "discount": null, "somethingNew": true}],
            "bottomLine": {"currency": "SEK", "totalAmount": 1000, "totalTax": 200, "shippingInfo": null, "terminalId": "t1"}
        },
        "futureField": {"a": 1}
    });
    api_headers(Mock::given(method("GET")).and(path("/order-management/v2/ECOM/order-123")), MSN)
        .respond_with(ResponseTemplate::new(200).set_body_json(answer))
        .expect(1)
        .mount(&server)
        .await;
    let order = client(&server).order(PaymentType::Ecom, "order-123").get().await.unwrap();
    let category = order.category.unwrap();
    assert_eq!(category.category, CategoryType::Unknown("INVOICE".into()));
    assert_eq!(category.image_id, None);
    let receipt = order.receipt.unwrap();
    assert_eq!(receipt.order_lines[0].tax_percentage, Some(25));
    assert_eq!(receipt.order_lines[0].tax_rate, None);
    assert_eq!(receipt.bottom_line.currency, Currency::Unknown("SEK".into()));
    assert_eq!(receipt.total_amount().unwrap(), Amount::from_minor(1000));
}

#[tokio::test]
async fn get_order_with_nothing_stored_is_not_found() {
    let server = server_with_token(1).await;
    api_headers(Mock::given(method("GET")).and(path("/order-management/v2/ECOM/nothing-here")), MSN)
        .respond_with(ResponseTemplate::new(404).set_body_raw(
            r#"{"type":"about:blank","title":"Not Found","detail":"Order not found","instance":"00-aa-bb-00","status":404}"#,
            "application/problem+json",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server).ecom("nothing-here").get().await.unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(err.problem().unwrap().instance.as_deref(), Some("00-aa-bb-00"));
}

#[tokio::test]
async fn a_partner_overrides_the_merchant_serial_number_per_call() {
    let server = server_with_token(1).await;
    api_headers(Mock::given(method("GET")).and(path("/order-management/v2/ECOM/order-1")), "999888")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let order = client(&server)
        .ecom("order-1")
        .merchant_serial_number("999888")
        .get()
        .await
        .unwrap();
    assert!(order.category.is_none() && order.receipt.is_none());
}

#[tokio::test]
async fn v3_categories_paths_and_bodies() {
    let server = server_with_token(1).await;
    let id = "337f5e5d-288b-40d5-be14-901cc3acacc0";
    let stored = json!({"categoryId": id, "orderId": "PaymentReference123", "paymentType": "ECOM", "type": "RECEIPT",
                        "url": "https://www.example.com", "imageId": "f09c6aeb-442e-4da1-b36a-d8f613edc6c9"});
    api_headers(Mock::given(method("POST")).and(path("/order-management/v3/categories")), MSN)
        .and(body_json(
            json!({"orderId": "PaymentReference123", "paymentType": "ECOM", "type": "RECEIPT",
                              "url": "https://www.example.com", "imageId": "f09c6aeb-442e-4da1-b36a-d8f613edc6c9"}),
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"categoryId": id})))
        .expect(1)
        .mount(&server)
        .await;
    api_headers(Mock::given(method("GET")).and(path("/order-management/v3/categories")), MSN)
        .and(query_param("orderId", "PaymentReference123"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"categories": [stored.clone()]})))
        .expect(1)
        .mount(&server)
        .await;
    api_headers(
        Mock::given(method("GET")).and(path(format!("/order-management/v3/categories/{id}"))),
        MSN,
    )
    .respond_with(ResponseTemplate::new(200).set_body_json(stored))
    .expect(1)
    .mount(&server)
    .await;
    api_headers(
        Mock::given(method("DELETE")).and(path(format!("/order-management/v3/categories/{id}"))),
        MSN,
    )
    .respond_with(ResponseTemplate::new(200))
    .expect(1)
    .mount(&server)
    .await;
    let client = client(&server);
    let new = NewCategory::new(
        PaymentType::Ecom,
        "PaymentReference123",
        CategoryType::Receipt,
        "https://www.example.com",
    )
    .with_image("f09c6aeb-442e-4da1-b36a-d8f613edc6c9");
    let created = client.categories().add(&new).await.unwrap();
    assert_eq!(created, CategoryId::new(id));
    let list = client.categories().list("PaymentReference123").await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].category_type, Some(CategoryType::Receipt));
    let one = client.categories().get(&created).await.unwrap();
    assert_eq!(one.url.as_deref(), Some("https://www.example.com"));
    client.categories().delete(&created).await.unwrap();
}

/// The official Postman collection's example bodies decode into the crate's
/// types and encode back to the same JSON.
#[test]
#[ignore = "reads ../shared (the official Postman collection); .ci/run runs it where ../shared exists"]
fn postman_examples_round_trip() {
    let text = shared_file("spec/order-management.postman-collection.json");
    let collection: serde_json::Value = serde_json::from_str(&text).unwrap();
    let items = collection["item"].as_array().unwrap();
    let body = |name: &str| -> serde_json::Value {
        let item = items
            .iter()
            .find(|i| i["name"] == name)
            .unwrap_or_else(|| panic!("no {name} in the collection"));
        let raw = item["request"]["body"]["raw"]
            .as_str()
            .unwrap()
            .replace("{{orderId}}", "order-1")
            .replace("{{imageId}}", "img-1");
        serde_json::from_str(&raw).unwrap()
    };
    let receipt_json = body("Add receipt to an order");
    let receipt: Receipt = serde_json::from_value(receipt_json.clone()).unwrap();
    assert_eq!(serde_json::to_value(&receipt).unwrap(), receipt_json);
    assert!(vipps_order_management::validate::receipt(&receipt).is_empty());
    let category_json = body("Add category to an order");
    let category: Category = serde_json::from_value(category_json.clone()).unwrap();
    assert_eq!(serde_json::to_value(&category).unwrap(), category_json);
    assert!(vipps_order_management::validate::category(&category).is_empty());
}

#[test]
fn client_is_clone_send_sync_and_errors_cross_threads() {
    fn clone_send_sync<T: Clone + Send + Sync + 'static>() {}
    fn send_sync<T: Send + Sync + std::error::Error + 'static>() {}
    clone_send_sync::<vipps_order_management::Client>();
    send_sync::<vipps_order_management::Error>();
}

/// A `reqwest::Client` (0.13) that the merchant built is used as it is.
#[tokio::test]
async fn http_settings_of_the_users_are_used() {
    let server = server_with_token(1).await;
    api_headers(Mock::given(method("GET")).and(path("/order-management/v2/ECOM/o-1")), MSN)
        .and(header("x-merchant-proxy", "on"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-merchant-proxy", reqwest::header::HeaderValue::from_static("on"));
    let client = builder(&server)
        .http_client(move |http| http.default_headers(headers.clone()))
        .build()
        .unwrap();
    client.ecom("o-1").get().await.unwrap();
}

/// A call can add headers of its own (an idempotency key, a trace id) and
/// set its own timeout, like its merchant serial number and retry policy.
#[tokio::test]
async fn a_call_sets_its_own_headers_and_timeout() {
    let server = server_with_token(1).await;
    api_headers(Mock::given(method("GET")).and(path("/order-management/v2/ECOM/o-1")), "654321")
        .and(header("Idempotency-Key", "key-7"))
        .and(header("X-Trace", "t-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/order-management/v2/ECOM/slow"))
        .respond_with(ResponseTemplate::new(200).set_delay(std::time::Duration::from_secs(5)))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let order = client
        .ecom("o-1")
        .merchant_serial_number("654321")
        .header("Idempotency-Key", "key-7")
        .header("X-Trace", "t-1");
    assert!(!format!("{order:?}").contains("key-7"), "header values are not shown: {order:?}");
    order.get().await.unwrap();
    let err = client
        .ecom("slow")
        .timeout(std::time::Duration::from_millis(200))
        .retry_policy(vipps_order_management::RetryPolicy::none())
        .get()
        .await
        .unwrap_err();
    assert!(
        matches!(err, vipps_order_management::Error::Timeout { after, .. } if after == std::time::Duration::from_millis(200)),
        "the call's own timeout ended it: {err:?}"
    );
}

/// Headers the SDK owns, names or values HTTP cannot carry, and a zero
/// timeout are refused before anything is sent (no token is even fetched).
#[tokio::test]
async fn a_calls_options_that_clash_are_refused_before_sending() {
    let server = server_with_token(0).await;
    let client = client(&server);
    for (name, value, field) in [
        ("Authorization", "Bearer mine", "headers.Authorization"),
        ("ocp-apim-subscription-key", "k", "headers.ocp-apim-subscription-key"),
        ("Merchant-Serial-Number", "1", "headers.Merchant-Serial-Number"),
        ("Vipps-System-Name", "x", "headers.Vipps-System-Name"),
        ("Content-Type", "text/plain", "headers.Content-Type"),
        ("User-Agent", "me", "headers.User-Agent"),
        ("Bad Name", "v", "headers.Bad Name"),
        ("X-Line", "a\r\nb", "headers.X-Line"),
        // Spelled with underscores, as some gateways read them too.
        ("merchant_serial_number", "1", "headers.merchant_serial_number"),
        ("Ocp_Apim_Subscription_Key", "k", "headers.Ocp_Apim_Subscription_Key"),
        ("client_secret", "s", "headers.client_secret"),
        // Headers that change how the answer comes back.
        ("Range", "bytes=0-10", "headers.Range"),
        ("If-None-Match", "\"x\"", "headers.If-None-Match"),
        ("Accept-Encoding", "gzip", "headers.Accept-Encoding"),
        ("Keep-Alive", "timeout=5", "headers.Keep-Alive"),
        ("Upgrade", "h2c", "headers.Upgrade"),
        ("TE", "trailers", "headers.TE"),
        ("Proxy-Authorization", "Basic eA==", "headers.Proxy-Authorization"),
        ("Ocp-Apim-Trace", "true", "headers.Ocp-Apim-Trace"),
    ] {
        let err = client.ecom("o-1").header(name, value).get().await.unwrap_err();
        match &err {
            vipps_order_management::Error::InvalidInput { field: f, .. } => assert_eq!(f, field, "{err}"),
            other => panic!("{name}: {other:?}"),
        }
    }
    // A header given twice would be sent twice.
    let err = client
        .ecom("o-1")
        .header("X-Trace", "a")
        .header("x-trace", "b")
        .get()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, vipps_order_management::Error::InvalidInput { field, reason, .. } if field == "headers.x-trace" && reason.contains("twice")),
        "{err:?}"
    );
    let err = client.ecom("o-1").timeout(std::time::Duration::ZERO).get().await.unwrap_err();
    assert!(
        matches!(&err, vipps_order_management::Error::InvalidInput { field, .. } if field == "timeout"),
        "{err:?}"
    );
    server.verify().await;
}

#[test]
fn an_order_handle_says_which_order_it_is() {
    let client = vipps_order_management::Client::builder()
        .base_url("http://127.0.0.1:1")
        .client_id("id")
        .client_secret("secret")
        .subscription_key("key")
        .merchant_serial_number("123456")
        .build()
        .unwrap();
    let recurring = client.recurring("charge-1");
    assert_eq!(
        (recurring.payment_type(), recurring.order_id().as_str()),
        (&PaymentType::Recurring, "charge-1")
    );
    let ecom = client.ecom("order-1");
    assert_eq!((ecom.payment_type(), ecom.order_id().as_str()), (&PaymentType::Ecom, "order-1"));
}
