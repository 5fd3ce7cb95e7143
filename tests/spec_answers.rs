//! Every answer the published spec allows is read and shown: answers drawn
//! from the spec's own schemas (`common::spec`: every `$ref` resolved,
//! optional fields absent, nullable ones `null`, integers over their whole
//! range, strings by pattern, enumeration and format, fields added later)
//! decode, render for people without a panic, keep every field through
//! `get_raw`, and come back through the client's calls. These read the
//! spec from `../shared` and are `#[ignore]`d; CI runs them with
//! `--ignored`.

mod common;

use common::spec::answers;
use common::*;
use proptest::prelude::*;
use serde_json::Value;
use vipps_order_management::model::CategoryList;
use vipps_order_management::{CategoryId, CategoryV3, Order};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    #[ignore = "reads ../shared/spec; CI runs it with --ignored"]
    fn every_order_answer_the_spec_allows_decodes_and_renders(answer in answers("OrderV2Response")) {
        let order: Order = serde_json::from_value(answer.clone()).map_err(|e| TestCaseError::fail(format!("{e}: {answer}")))?;
        let shown = order.to_string();
        prop_assert_eq!(order.receipt.is_some(), answer.get("receipt").is_some_and(|r| !r.is_null()));
        prop_assert_eq!(order.category.is_some(), answer.get("category").is_some_and(|c| !c.is_null()));
        if let (Some(receipt), Some(sum)) = (&order.receipt, exact_sum(&answer)) {
            let view = receipt.view();
            match i64::try_from(sum) {
                Ok(fits) => prop_assert_eq!(&view.total, &vipps_order_management::format_minor_units(fits)),
                Err(_) => prop_assert!(view.total.contains("too large"), "{}", view.total),
            }
            prop_assert!(shown.contains(&view.total));
            prop_assert_eq!(view.lines.len(), receipt.order_lines.len());
        }
    }

    #[test]
    #[ignore = "reads ../shared/spec; CI runs it with --ignored"]
    fn every_v3_category_answer_the_spec_allows_decodes(list in answers("GetCategoriesResponse"), one in answers("Category")) {
        let decoded: CategoryList = serde_json::from_value(list.clone()).map_err(|e| TestCaseError::fail(format!("{e}: {list}")))?;
        let listed = list.get("categories").and_then(Value::as_array).map_or(0, Vec::len);
        prop_assert_eq!(decoded.categories.len(), listed);
        let category: CategoryV3 = serde_json::from_value(one.clone()).map_err(|e| TestCaseError::fail(format!("{e}: {one}")))?;
        prop_assert_eq!(category.category_id.as_ref().map(CategoryId::as_str), one.get("categoryId").and_then(Value::as_str));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    /// Through the client's calls: `get` decodes, `get_raw` keeps every
    /// field exactly, and the v3 list and get decode.
    #[test]
    #[ignore = "reads ../shared/spec; CI runs it with --ignored"]
    fn the_clients_calls_read_every_answer_the_spec_allows(
        orders in prop::collection::vec(answers("OrderV2Response"), 1..4),
        list in answers("GetCategoriesResponse"),
        one in answers("Category"),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let server = server_with_token(1).await;
            for (i, answer) in orders.iter().enumerate() {
                Mock::given(method("GET"))
                    .and(path(format!("/order-management/v2/ECOM/answer-{i}")))
                    .respond_with(ResponseTemplate::new(200).set_body_json(answer))
                    .expect(2)
                    .mount(&server)
                    .await;
            }
            Mock::given(method("GET"))
                .and(path("/order-management/v3/categories"))
                .respond_with(ResponseTemplate::new(200).set_body_json(&list))
                .expect(1)
                .mount(&server)
                .await;
            let id = "880f5088-7708-4a5a-87d9-31e83aacc035";
            Mock::given(method("GET"))
                .and(path(format!("/order-management/v3/categories/{id}")))
                .respond_with(ResponseTemplate::new(200).set_body_json(&one))
                .expect(1)
                .mount(&server)
                .await;
            let client = client(&server);
            for (i, answer) in orders.iter().enumerate() {
                let order = client.ecom(format!("answer-{i}"));
                order.get().await.map_err(|e| TestCaseError::fail(format!("{e}: {answer}")))?;
                let raw = order.get_raw().await.map_err(|e| TestCaseError::fail(e.to_string()))?;
                let received: Value = serde_json::from_str(&raw).unwrap();
                prop_assert_eq!(&received, answer);
            }
            client.categories().list("o-1").await.map_err(|e| TestCaseError::fail(format!("{e}: {list}")))?;
            client.categories().get(&CategoryId::new(id)).await.map_err(|e| TestCaseError::fail(format!("{e}: {one}")))?;
            server.verify().await;
            Ok(())
        })?;
    }
}
