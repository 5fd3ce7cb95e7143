//! Inputs that once crashed the client or sent a request elsewhere: any
//! `Retry-After`, any duration, ids that URL normalisation would rewrite,
//! category ids in any UUID form, bad merchant serial numbers, base URLs
//! with a password.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;
use vipps_order_management_emulator::Emulator;

use vipps_order_management::{Category, CategoryId, CategoryType, Client, Error, Operation, RetryPolicy};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn get_answers(server: &MockServer, order: &str, answer: ResponseTemplate, times: u64) {
    Mock::given(method("GET"))
        .and(path(format!("/order-management/v2/ECOM/{order}")))
        .respond_with(answer)
        .expect(times)
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_retry_after_of_any_size_or_date_is_handled() {
    let server = server_with_token(1).await;
    let huge = [
        ("u64max", "18446744073709551615"),
        ("beyond", "99999999999999999999999999999"),
        ("year9999", "Fri, 31 Dec 9999 23:59:59 GMT"),
    ];
    for (order, value) in huge {
        get_answers(
            &server,
            &format!("{order}-429"),
            ResponseTemplate::new(429).insert_header("Retry-After", value),
            1,
        )
        .await;
        get_answers(
            &server,
            &format!("{order}-503"),
            ResponseTemplate::new(503).insert_header("Retry-After", value),
            1,
        )
        .await;
    }
    let client = client(&server);
    for (order, _) in huge {
        let err = client.ecom(format!("{order}-429")).get().await.unwrap_err();
        assert!(matches!(err, Error::RateLimited { .. }), "{order}: {err:?}");
        assert!(err.to_string().contains("Nothing was changed"), "{err}");
        // A 5xx asking to wait too long is no rate limit, and the request
        // may have taken effect.
        let err = client.ecom(format!("{order}-503")).get().await.unwrap_err();
        assert!(matches!(err, Error::Api { .. }), "{order}: {err:?}");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
        let text = err.to_string();
        assert!(!text.contains("Nothing was changed") && text.contains("asked to wait"), "{text}");
    }
}

#[tokio::test]
async fn huge_durations_are_clamped_and_zero_timeouts_refused() {
    let emu = Emulator::start().await.unwrap();
    let max = RetryPolicy::default()
        .deadline(Duration::MAX)
        .base_delay(Duration::MAX)
        .max_delay(Duration::MAX)
        .max_attempts(u32::MAX);
    let client = emu
        .client_builder()
        .timeout(Duration::MAX)
        .connect_timeout(Duration::MAX)
        .token_refresh_margin(Duration::MAX)
        .retry_policy(max.clone())
        .build()
        .unwrap();
    client.ecom("o-1").put_category(&category()).await.unwrap();
    client.ecom("o-1").retry_policy(max).get().await.unwrap();
    // Clamped to a day.
    assert!(format!("{:?}", RetryPolicy::default().deadline(Duration::MAX)).contains("deadline: 86400s"));
    for builder in [
        emu.client_builder().timeout(Duration::ZERO),
        emu.client_builder().connect_timeout(Duration::ZERO),
    ] {
        let err = builder.build().unwrap_err();
        assert!(matches!(err, Error::Config { .. }) && err.to_string().contains("is zero"), "{err}");
    }
    let emu = Emulator::builder().token_lifetime(Duration::MAX).start().await.unwrap();
    emu.client().warm_up().await.unwrap();
}

fn category() -> Category {
    Category::new(CategoryType::Receipt, "https://shop.example/o/1")
}

#[tokio::test]
async fn dot_order_ids_are_refused_before_anything_is_sent() {
    let server = server_with_token(0).await;
    let client = client(&server);
    for id in [".", ".."] {
        let order = client.ecom(id);
        let errors = [
            order.get().await.unwrap_err(),
            order.put_category(&category()).await.unwrap_err(),
            order.post_receipt(&receipt_of("x")).await.unwrap_err(),
            client.categories().list(id).await.unwrap_err(),
        ];
        for err in errors {
            assert!(
                matches!(&err, Error::InvalidInput { field, .. } if field == "orderId"),
                "{id}: {err:?}"
            );
            assert!(err.to_string().contains("folder"), "{err}");
        }
    }
}

#[tokio::test]
async fn category_ids_in_any_uuid_form_are_sent_canonical() {
    let server = server_with_token(1).await;
    let canonical = "337f5e5d-288b-40d5-be14-901cc3acacc0";
    let forms = [
        "337F5E5D-288B-40D5-BE14-901CC3ACACC0",
        "{337f5e5d-288b-40d5-be14-901cc3acacc0}",
        "urn:uuid:337f5e5d-288b-40d5-be14-901cc3acacc0",
        "337f5e5d288b40d5be14901cc3acacc0",
    ];
    let body = json!({"categoryId": canonical, "orderId": "o-1", "paymentType": "ECOM", "type": "RECEIPT", "url": "https://a.example"});
    Mock::given(method("GET"))
        .and(path(format!("/order-management/v3/categories/{canonical}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .expect(forms.len() as u64)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("/order-management/v3/categories/{canonical}")))
        .respond_with(ResponseTemplate::new(200))
        .expect(forms.len() as u64)
        .mount(&server)
        .await;
    let client = client(&server);
    for form in forms {
        client.categories().get(&CategoryId::new(form)).await.unwrap();
        client.categories().delete(&CategoryId::new(form)).await.unwrap();
    }
    let err = client.categories().get(&CategoryId::new("not-a-uuid")).await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, .. } if field == "categoryId"),
        "{err:?}"
    );
    // The exact path on the wire, through the emulator's record.
    let emu = Emulator::start().await.unwrap();
    let _ = emu.client().categories().get(&CategoryId::new(forms[1])).await;
    let sent = emu.requests_for(Operation::GetCategory);
    assert_eq!(sent[0].path, format!("/order-management/v3/categories/{canonical}"));
}

#[tokio::test]
async fn merchant_serial_numbers_are_digits_only() {
    let server = server_with_token(0).await;
    for bad in ["12\t34", "１２３４５６", "12 34", "abc", "-1"] {
        let err = builder(&server).merchant_serial_number(bad).build().unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{bad}: {err:?}");
        assert!(err.to_string().contains("merchant serial number"), "{err}");
        let err = client(&server).ecom("o-1").merchant_serial_number(bad).get().await.unwrap_err();
        assert!(
            matches!(&err, Error::InvalidInput { field, .. } if field == "Merchant-Serial-Number"),
            "{bad}: {err:?}"
        );
    }
    let err = client(&server)
        .images()
        .merchant_serial_number("")
        .upload(&vipps_order_management::ImageUpload::from_bytes(PNG).unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, .. } if field == "Merchant-Serial-Number"),
        "{err:?}"
    );
}

#[test]
fn a_base_url_password_is_refused_and_never_shown() {
    let builder = Client::builder()
        .base_url("https://shop:hunter2@api.vipps.no")
        .client_id("id")
        .client_secret("secret")
        .subscription_key("key")
        .merchant_serial_number("123456");
    assert!(!format!("{builder:?}").contains("hunter2"));
    let err = builder.build().unwrap_err();
    assert!(matches!(err, Error::Config { .. }));
    assert!(
        !err.to_string().contains("hunter2") && !format!("{err:?}").contains("hunter2"),
        "{err}"
    );
    assert!(err.to_string().contains("user name or password"), "{err}");
}
