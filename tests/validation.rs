//! Every local rule rejects before a byte leaves the process: the server
//! (token endpoint included) must see no request at all.

mod common;

use common::*;
use vipps_order_management::{Amount, TaxRate};
use vipps_order_management::{
    Barcode, BarcodeFormat, Category, CategoryId, CategoryType, Client, Currency, Error, ImageUpload, NewCategory, OrderLine, PaymentType,
    Quantity, QuantityUnit, Receipt, UnitInfo,
};

fn good_line() -> OrderLine {
    OrderLine::new(
        "sku-1",
        "Socks",
        Amount::from_minor(1250),
        Amount::from_minor(1000),
        TaxRate::percent(25),
    )
}

fn receipt_with(line: OrderLine) -> Receipt {
    Receipt::new(Currency::Nok, vec![line])
}

/// Asserts the error is invalid input naming `field`.
fn assert_invalid(result: Result<impl std::fmt::Debug, Error>, field: &str) {
    match result {
        Err(Error::InvalidInput { violations, .. }) => assert!(
            violations.iter().any(|v| v.name == field),
            "expected a violation of {field}, got {violations:?}"
        ),
        other => panic!("expected invalid input on {field}, got {other:?}"),
    }
}

#[tokio::test]
async fn invalid_requests_never_reach_the_server() {
    let server = server_with_token(0).await;
    let client = client(&server);
    let ok_category = Category::new(CategoryType::Receipt, "https://shop.example/o/1");

    // Order ids: pattern, empty, length.
    assert_invalid(client.ecom("order 1").get().await, "orderId");
    assert_invalid(client.ecom("ordre/1").put_category(&ok_category).await, "orderId");
    assert_invalid(client.ecom("").get().await, "orderId");
    assert_invalid(client.ecom("x".repeat(129)).get().await, "orderId");
    assert_invalid(client.order(PaymentType::Unknown("CARD".into()), "o-1").get().await, "paymentType");

    // Categories: https URL, known category, image id pattern and length.
    let http = Category::new(CategoryType::Receipt, "http://shop.example/o/1");
    assert_invalid(client.ecom("o-1").put_category(&http).await, "orderDetailsUrl");
    let relative = Category::new(CategoryType::Receipt, "/orders/1");
    assert_invalid(client.ecom("o-1").put_category(&relative).await, "orderDetailsUrl");
    let unknown = Category::new(CategoryType::Unknown("INVOICE".into()), "https://shop.example");
    assert_invalid(client.ecom("o-1").put_category(&unknown).await, "category");
    let bad_image = ok_category.clone().with_image("logo!.png");
    assert_invalid(client.ecom("o-1").put_category(&bad_image).await, "imageId");
    let long_image = ok_category.clone().with_image("i".repeat(129));
    assert_invalid(client.ecom("o-1").put_category(&long_image).await, "imageId");

    // Receipts.
    let post = |r: Receipt| {
        let c = client.clone();
        async move { c.ecom("o-1").post_receipt(&r).await }
    };
    assert_invalid(post(Receipt::new(Currency::Nok, vec![])).await, "orderLines");
    let mut no_tax = good_line();
    no_tax.tax_rate = None;
    assert_invalid(post(receipt_with(no_tax)).await, "orderLines[0].taxRate");
    let mut high_rate = good_line();
    high_rate.tax_rate = Some(serde_json::from_str("10001").unwrap());
    assert_invalid(post(receipt_with(high_rate)).await, "orderLines[0].taxRate");
    let mut legacy = good_line();
    legacy.tax_rate = None;
    legacy.tax_percentage = Some(101);
    assert_invalid(post(receipt_with(legacy)).await, "orderLines[0].taxPercentage");
    let mut sum = good_line();
    sum.total_tax_amount = Amount::from_minor(249);
    assert_invalid(post(receipt_with(sum)).await, "orderLines[0].totalAmount");
    let negative = OrderLine::new(
        "r",
        "Refund",
        Amount::from_minor(-1250),
        Amount::from_minor(-1000),
        TaxRate::percent(25),
    );
    assert_invalid(post(receipt_with(negative)).await, "orderLines[0].totalAmount");
    assert_invalid(
        post(receipt_with(good_line().with_discount(Amount::from_minor(-1)))).await,
        "orderLines[0].discount",
    );
    for q in ["2,5", "1.123456789", "12345678901", "-1", ""] {
        // A quantity read from elsewhere (JSON) is not checked on the way in.
        let quantity: Quantity = serde_json::from_value(serde_json::json!(q)).unwrap();
        let line = good_line().with_unit_info(UnitInfo::new(Amount::from_minor(1250), quantity, QuantityUnit::Pcs));
        assert_invalid(post(receipt_with(line)).await, "orderLines[0].unitInfo.quantity");
    }
    let neg_price = good_line().with_unit_info(UnitInfo::new(Amount::from_minor(-1), Quantity::from(1), QuantityUnit::Pcs));
    assert_invalid(post(receipt_with(neg_price)).await, "orderLines[0].unitInfo.unitPrice");
    assert_invalid(
        post(receipt_with(good_line().with_product_url("ftp://x/y"))).await,
        "orderLines[0].productUrl",
    );
    let mut unnamed = good_line();
    unnamed.name = " ".into();
    assert_invalid(post(receipt_with(unnamed)).await, "orderLines[0].name");
    assert_invalid(
        post(Receipt::new(Currency::Unknown("SEK".into()), vec![good_line()])).await,
        "bottomLine.currency",
    );
    let mut tip = receipt_with(good_line());
    tip.bottom_line.tip_amount = Some(Amount::from_minor(-5));
    assert_invalid(post(tip).await, "bottomLine.tipAmount");
    let mut ean = receipt_with(good_line());
    ean.bottom_line.barcode = Some(Barcode::new(BarcodeFormat::Ean13, "4006381333932"));
    assert_invalid(post(ean).await, "bottomLine.barcode.data");
    let mut code39 = receipt_with(good_line());
    code39.bottom_line.barcode = Some(Barcode::new(BarcodeFormat::Code39, "lower case"));
    assert_invalid(post(code39).await, "bottomLine.barcode.data");

    // v3 categories.
    let v3 = NewCategory::new(PaymentType::Ecom, "o-1", CategoryType::Ticket, "http://not-https.example");
    assert_invalid(client.categories().add(&v3).await, "url");
    assert_invalid(client.categories().get(&CategoryId::new("not-a-uuid")).await, "categoryId");
    assert_invalid(client.categories().delete(&CategoryId::new("../x")).await, "categoryId");
    assert_invalid(client.categories().list("bad id").await, "orderId");

    // A partner's per-call merchant serial number.
    assert_invalid(client.ecom("o-1").merchant_serial_number("").get().await, "Merchant-Serial-Number");
    assert_invalid(
        client.categories().merchant_serial_number("12\n34").list("o-1").await,
        "Merchant-Serial-Number",
    );

    // Images: id pattern (the bytes are checked when the upload is built).
    let upload = ImageUpload::from_bytes(PNG).unwrap().with_id("bad id");
    assert_invalid(client.images().upload(&upload).await, "imageId");
}

#[test]
fn image_bytes_are_checked_when_the_upload_is_built() {
    assert_invalid(ImageUpload::from_bytes(b"GIF89a\x01\x00".to_vec()), "src");
    assert_invalid(ImageUpload::from_bytes(b"not an image".to_vec()), "src");
    assert_invalid(ImageUpload::from_bytes(PNG[..PNG.len() - 10].to_vec()), "src");
    let mut huge = PNG.to_vec();
    huge.resize(vipps_order_management::validate::IMAGE_MAX_BYTES + 1, 0);
    assert_invalid(ImageUpload::from_bytes(huge), "src");
    let upload = ImageUpload::from_bytes(PNG).unwrap();
    assert_eq!(upload.id().as_str().len(), 128);
    assert_eq!(upload.info().height, 200);
}

/// A build without TLS refuses https base URLs unless it is given HTTP
/// settings of the caller's (see `the_tls_of_this_build` in the library):
/// these tests check the other settings in every build.
fn with_tls(builder: vipps_order_management::ClientBuilder) -> vipps_order_management::ClientBuilder {
    if cfg!(any(feature = "rustls", feature = "native-tls")) {
        builder
    } else {
        builder.http_client(|http| http)
    }
}

#[test]
fn build_checks_every_setting() {
    let base = || {
        with_tls(Client::builder())
            .client_id("id")
            .client_secret("secret")
            .subscription_key("key")
            .merchant_serial_number("123456")
    };
    assert!(base().build().is_ok());
    let config_error = |b: vipps_order_management::ClientBuilder, needle: &str| {
        let err = b.build().unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{err:?}");
        assert!(err.to_string().contains(needle), "{needle} not in {err}");
    };
    config_error(base().system_name("x".repeat(31)), "Vipps-System-Name");
    config_error(base().plugin_version(""), "Vipps-System-Plugin-Version");
    config_error(base().system_version("1.0 beta"), "Vipps-System-Version");
    config_error(base().plugin_name("plügin"), "Vipps-System-Plugin-Name");
    config_error(base().base_url("http://api.vipps.no"), "plain http");
    config_error(base().base_url("not a url"), "not a URL");
    config_error(base().client_secret(""), "client secret is missing");
    config_error(
        Client::builder().client_id("id").client_secret("s").subscription_key("k"),
        "merchant serial number is missing",
    );
    assert!(base().base_url("http://127.0.0.1:9").build().is_ok());
    assert!(base().base_url("http://localhost:9").build().is_ok());
    assert!(base().base_url("http://[::1]:9").build().is_ok());
    assert!(base().system_name("x".repeat(30)).build().is_ok());
}

#[test]
fn from_env_names_the_missing_variable() {
    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let owned: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name: &str| owned.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }
    let all = [
        ("VIPPS_CLIENT_ID", "a"),
        ("VIPPS_CLIENT_SECRET", "b"),
        ("VIPPS_SUBSCRIPTION_KEY", "c"),
        ("VIPPS_MSN", "1"),
    ];
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut v = all.to_vec();
        v.extend_from_slice(extra);
        Client::builder_from_variables(vars(&v)).map(with_tls)
    };
    let err = Client::builder_from_variables(vars(&all[..3])).unwrap_err();
    assert!(err.to_string().contains("VIPPS_MSN"), "{err}");
    let err = Client::builder_from_variables(vars(&[all[0], ("VIPPS_CLIENT_SECRET", ""), all[2], all[3]])).unwrap_err();
    assert!(err.to_string().contains("VIPPS_CLIENT_SECRET"), "{err}");
    assert_eq!(with(&[]).unwrap().build().unwrap().base_url().as_str(), "https://apitest.vipps.no/");
    let prod = with(&[("VIPPS_ENV", "production"), ("VIPPS_SYSTEM_NAME", "shop")])
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(prod.base_url().as_str(), "https://api.vipps.no/");
    assert!(with(&[("VIPPS_ENV", "staging")]).unwrap_err().to_string().contains("VIPPS_ENV"));
    // The old name reads the same variables, as before.
    #[allow(deprecated)]
    let old = Client::builder_from(vars(&[all[0], all[1], all[2], ("VIPPS_MSN", "654321")])).map(with_tls);
    assert_eq!(old.unwrap().build().unwrap().merchant_serial_number(), "654321");
    #[allow(deprecated)]
    let old = Client::builder_from(vars(&all[..3])).unwrap_err();
    assert!(old.to_string().contains("VIPPS_MSN"), "{old}");
    let custom = with(&[("VIPPS_ENV", "production"), ("VIPPS_BASE_URL", "http://127.0.0.1:4010")])
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(custom.base_url().as_str(), "http://127.0.0.1:4010/");
}

/// A device or a pipe says nothing about its size: reading stops after the
/// API's limit.
#[cfg(unix)]
#[tokio::test]
async fn an_endless_image_file_is_refused_after_the_limit() {
    let err = common::without_hanging("reading /dev/zero", ImageUpload::from_path("/dev/zero"))
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::InvalidInput { field, .. } if field == "src"), "{err:?}");
    assert!(err.to_string().contains("larger than 2000000 bytes"), "{err}");
}

#[test]
fn https_urls_that_only_the_parser_reads_are_accepted() {
    use vipps_order_management::validate::https_url;
    // Past the plain host names that skip the parser: a port, user info,
    // an IP address, an international name, upper case.
    for ok in [
        "https://shop.example:8443/p",
        "https://user@shop.example/",
        "https://192.0.2.1/r",
        "https://[2001:db8::1]/r",
        "https://xn--bcher-kva.example/",
        "https://bücher.example/",
        "HTTPS://SHOP.EXAMPLE/",
    ] {
        assert!(https_url("url", ok).is_empty(), "{ok}: {:?}", https_url("url", ok));
    }
    for bad in ["http://shop.example/", "https://", "ftp://shop.example/", "shop.example"] {
        assert!(!https_url("url", bad).is_empty(), "{bad}");
    }
}

#[test]
fn an_unknown_value_is_refused_naming_the_known_ones() {
    use vipps_order_management::validate;
    let reason = |violations: Vec<vipps_order_management::Violation>, field: &str| {
        violations
            .into_iter()
            .find(|v| v.name == field)
            .map(|v| v.reason)
            .unwrap_or_else(|| panic!("no violation of {field}"))
    };
    let category = Category::new(CategoryType::parse_lenient("POSTER"), "https://shop.example/o/1");
    assert_eq!(
        reason(validate::category(&category), "category"),
        "category must be one of GENERAL, RECEIPT, ORDER_CONFIRMATION, DELIVERY, TICKET, BOOKING"
    );
    let v3 = NewCategory::new(
        PaymentType::parse_lenient("CARD"),
        "order-1",
        CategoryType::parse_lenient("POSTER"),
        "https://shop.example/o/1",
    );
    let violations = validate::new_category(&v3);
    assert_eq!(
        reason(violations.clone(), "paymentType"),
        "paymentType must be one of ECOM, RECURRING"
    );
    assert!(reason(violations, "type").starts_with("type must be one of GENERAL, "));
}

#[test]
fn barcodes_are_checked_by_their_format() {
    use vipps_order_management::validate;
    let ok = |format: BarcodeFormat, data: &str| validate::barcode("barcode", &Barcode::new(format, data)).is_empty();
    // EAN-13: the check digit weighs the digits 1, 3, 1, 3, ...
    assert_eq!(validate::ean13_check_digit("400638133393"), Some(1));
    assert_eq!(validate::ean13_check_digit("590123412345"), Some(7));
    assert_eq!(validate::ean13_check_digit("000000000000"), Some(0));
    assert!(ok(BarcodeFormat::Ean13, "4006381333931"));
    assert!(ok(BarcodeFormat::Ean13, "5901234123457"));
    assert!(!ok(BarcodeFormat::Ean13, "4006381333932"));
    // CODE 39: upper case, digits, space and - . $ / + %.
    assert!(ok(BarcodeFormat::Code39, "SC0527 -.$/+%"));
    assert!(!ok(BarcodeFormat::Code39, "lower"));
    assert!(!ok(BarcodeFormat::Code39, "A#1"));
    // CODE 128: printable ASCII.
    assert!(ok(BarcodeFormat::Code128, "Order #1042 (paid) ~"));
    assert!(!ok(BarcodeFormat::Code128, "ordré"));
    assert!(!ok(BarcodeFormat::Code128, "tab\there"));
}
