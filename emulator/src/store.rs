//! What the emulator stores, per merchant serial number: orders (category
//! and receipt as sent, every field kept), images and v3 categories; and
//! the changes that make it what it is. A handler decides on a [`Change`]
//! without touching the store; the change is written to the state file
//! (`journal`) first, and applied only once it is kept, so a change the
//! file could not keep changes nothing.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use vipps_order_management::PaymentType;

/// Everything stored, by merchant serial number.
#[derive(Debug, Default)]
pub(super) struct Store {
    pub(super) merchants: BTreeMap<String, Merchant>,
}

/// What one merchant stored.
#[derive(Debug, Default)]
pub(super) struct Merchant {
    /// Images by id: their bytes in base64, as uploaded.
    pub(super) images: BTreeMap<String, String>,
    /// Orders by `PAYMENTTYPE/orderId`.
    pub(super) orders: BTreeMap<String, StoredOrder>,
    /// The v3 categories, oldest first, each as the spec's `Category`.
    pub(super) categories_v3: Vec<Value>,
}

/// One order's enrichment, as sent.
#[derive(Debug, Default, Clone)]
pub(super) struct StoredOrder {
    pub(super) category: Option<Value>,
    pub(super) receipt: Option<Value>,
}

/// The key of an order: `ECOM/order-1`.
pub(super) fn order_key(payment_type: &PaymentType, order_id: &str) -> String {
    format!("{}/{order_id}", payment_type.as_str())
}

/// One change to the store: a line of the state file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub(super) enum Change {
    /// An image stored under an id not yet in use.
    Image { msn: String, image_id: String, src: String },
    /// An order's v2 category, replacing the one before.
    Category { msn: String, order: String, category: Value },
    /// An order's receipt, the first and only one.
    Receipt { msn: String, order: String, receipt: Value },
    /// A v3 category added (with its id).
    CategoryV3 { msn: String, category: Value },
    /// A v3 category deleted, by its id as stored.
    DeleteCategoryV3 { msn: String, category_id: String },
    /// Everything of one merchant, or of all (`msn` absent), forgotten.
    Reset {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        msn: Option<String>,
    },
}

impl Store {
    pub(super) fn merchant(&self, msn: &str) -> Option<&Merchant> {
        self.merchants.get(msn)
    }

    fn merchant_mut(&mut self, msn: &str) -> &mut Merchant {
        self.merchants.entry(msn.to_owned()).or_default()
    }

    /// Applies a change. A change is decided against this very store, so
    /// it always applies; one that no longer fits (a deleted category that
    /// is gone) changes nothing.
    pub(super) fn apply(&mut self, change: Change) {
        match change {
            Change::Image { msn, image_id, src } => {
                self.merchant_mut(&msn).images.insert(image_id, src);
            }
            Change::Category { msn, order, category } => {
                self.merchant_mut(&msn).orders.entry(order).or_default().category = Some(category);
            }
            Change::Receipt { msn, order, receipt } => {
                self.merchant_mut(&msn).orders.entry(order).or_default().receipt = Some(receipt);
            }
            Change::CategoryV3 { msn, category } => self.merchant_mut(&msn).categories_v3.push(category),
            Change::DeleteCategoryV3 { msn, category_id } => {
                if let Some(m) = self.merchants.get_mut(&msn) {
                    m.categories_v3.retain(|c| c["categoryId"].as_str() != Some(category_id.as_str()));
                }
            }
            Change::Reset { msn: Some(msn) } => {
                self.merchants.remove(&msn);
            }
            Change::Reset { msn: None } => self.merchants.clear(),
        }
    }

    /// How many receipts are stored, for all merchants.
    pub(super) fn receipt_count(&self) -> usize {
        self.merchants
            .values()
            .flat_map(|m| m.orders.values())
            .filter(|o| o.receipt.is_some())
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn changes_apply_and_read_back_from_their_lines() {
        let changes = [
            Change::Image {
                msn: "1".into(),
                image_id: "logo".into(),
                src: "eA==".into(),
            },
            Change::Category {
                msn: "1".into(),
                order: "ECOM/o-1".into(),
                category: json!({"category": "RECEIPT"}),
            },
            Change::Receipt {
                msn: "1".into(),
                order: "ECOM/o-1".into(),
                receipt: json!({"orderLines": []}),
            },
            Change::CategoryV3 {
                msn: "2".into(),
                category: json!({"categoryId": "c-1", "orderId": "o-1"}),
            },
            Change::CategoryV3 {
                msn: "2".into(),
                category: json!({"categoryId": "c-2", "orderId": "o-1"}),
            },
            Change::DeleteCategoryV3 {
                msn: "2".into(),
                category_id: "c-1".into(),
            },
        ];
        let mut store = Store::default();
        for change in &changes {
            let line = serde_json::to_string(change).unwrap();
            assert_eq!(&serde_json::from_str::<Change>(&line).unwrap(), change, "{line}");
            store.apply(change.clone());
        }
        assert_eq!(store.merchant("1").unwrap().images["logo"], "eA==");
        assert_eq!(store.receipt_count(), 1);
        assert_eq!(
            store.merchant("2").unwrap().categories_v3,
            vec![json!({"categoryId": "c-2", "orderId": "o-1"})]
        );
        store.apply(Change::Reset { msn: Some("1".into()) });
        assert!(store.merchant("1").is_none() && store.merchant("2").is_some());
        store.apply(Change::Reset { msn: None });
        assert!(store.merchants.is_empty());
        assert_eq!(
            serde_json::to_string(&Change::Reset { msn: None }).unwrap(),
            r#"{"change":"reset"}"#
        );
    }
}
