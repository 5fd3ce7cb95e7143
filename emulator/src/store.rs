//! What the emulator stores, per merchant serial number: orders (category
//! and receipt as sent, every field kept), images and v3 categories; and
//! the changes that make it what it is. A handler decides on a [`Change`]
//! without touching the store; the change is written to the state file
//! (`journal`) first, and applied only once it is kept, so a change the
//! file could not keep changes nothing.
//!
//! What is stored is counted as it changes (receipts, and bytes as the
//! state file's lines hold them), so that health is read at once and the
//! bound on stored data is checked without a walk.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use vipps_order_management::PaymentType;

/// Everything stored, by merchant serial number.
#[derive(Debug, Default)]
pub(super) struct Store {
    pub(super) merchants: BTreeMap<String, Merchant>,
    /// Receipts stored, all merchants together.
    receipts: usize,
    /// Bytes stored (as the state file's lines), all merchants together.
    bytes: usize,
}

/// What one merchant stored.
#[derive(Debug, Default)]
pub(super) struct Merchant {
    /// Images by id: their bytes in base64, as uploaded.
    pub(super) images: BTreeMap<String, Kept<String>>,
    /// Orders by `PAYMENTTYPE/orderId`.
    pub(super) orders: BTreeMap<String, StoredOrder>,
    /// The v3 categories, oldest first, each as the spec's `Category`.
    pub(super) categories_v3: Vec<Kept<Value>>,
    /// Receipts stored.
    receipts: usize,
    /// Bytes stored (as the state file's lines).
    bytes: usize,
}

/// Something stored, shared (an answer is made from it outside the
/// state's lock), with the bytes its line in the state file took.
#[derive(Debug)]
pub(super) struct Kept<T> {
    pub(super) value: Arc<T>,
    pub(super) bytes: usize,
}

impl<T> Clone for Kept<T> {
    fn clone(&self) -> Self {
        Kept {
            value: self.value.clone(),
            bytes: self.bytes,
        }
    }
}

/// One order's enrichment, as sent.
#[derive(Debug, Default, Clone)]
pub(super) struct StoredOrder {
    pub(super) category: Option<Kept<Value>>,
    pub(super) receipt: Option<Kept<Value>>,
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

/// A change with its line in the state file, made before the state's lock
/// is taken (a receipt of megabytes is written out beside the lock, not
/// under it).
#[derive(Debug)]
pub(super) struct Prepared {
    pub(super) change: Change,
    /// The line, with its newline.
    pub(super) line: Vec<u8>,
}

impl Change {
    /// The change with its line.
    pub(super) fn prepared(self) -> Prepared {
        // A `Change` is strings and JSON values: it always serializes.
        let mut line = serde_json::to_vec(&self).unwrap_or_default();
        line.push(b'\n');
        Prepared { change: self, line }
    }

    /// Whether it stores more (a reset or a delete never does).
    pub(super) fn adds(&self) -> bool {
        !matches!(self, Change::Reset { .. } | Change::DeleteCategoryV3 { .. })
    }
}

impl Store {
    pub(super) fn merchant(&self, msn: &str) -> Option<&Merchant> {
        self.merchants.get(msn)
    }

    /// Applies a change whose line took `bytes`. A change is decided
    /// against this very store, so it always applies; one that no longer
    /// fits (a deleted category that is gone) changes nothing.
    pub(super) fn apply(&mut self, change: Change, bytes: usize) {
        let (msn, freed, added) = match change {
            Change::Reset { msn: Some(msn) } => {
                if let Some(gone) = self.merchants.remove(&msn) {
                    self.receipts -= gone.receipts;
                    self.bytes -= gone.bytes;
                }
                return;
            }
            Change::Reset { msn: None } => {
                *self = Store::default();
                return;
            }
            Change::Image { msn, image_id, src } => {
                let m = self.merchants.entry(msn).or_default();
                let kept = Kept {
                    value: Arc::new(src),
                    bytes,
                };
                let freed = m.images.insert(image_id, kept).map_or(0, |old| old.bytes);
                (m, freed, bytes)
            }
            Change::Category { msn, order, category } => {
                let m = self.merchants.entry(msn).or_default();
                let kept = Kept {
                    value: Arc::new(category),
                    bytes,
                };
                let freed = m.orders.entry(order).or_default().category.replace(kept).map_or(0, |old| old.bytes);
                (m, freed, bytes)
            }
            Change::Receipt { msn, order, receipt } => {
                let m = self.merchants.entry(msn).or_default();
                let kept = Kept {
                    value: Arc::new(receipt),
                    bytes,
                };
                let old = m.orders.entry(order).or_default().receipt.replace(kept);
                if old.is_none() {
                    m.receipts += 1;
                    self.receipts += 1;
                }
                (m, old.map_or(0, |old| old.bytes), bytes)
            }
            Change::CategoryV3 { msn, category } => {
                let m = self.merchants.entry(msn).or_default();
                m.categories_v3.push(Kept {
                    value: Arc::new(category),
                    bytes,
                });
                (m, 0, bytes)
            }
            Change::DeleteCategoryV3 { msn, category_id } => {
                let Some(m) = self.merchants.get_mut(&msn) else { return };
                let mut freed = 0;
                m.categories_v3.retain(|c| {
                    let gone = c.value["categoryId"].as_str() == Some(category_id.as_str());
                    if gone {
                        freed += c.bytes;
                    }
                    !gone
                });
                (m, freed, 0)
            }
        };
        msn.bytes = msn.bytes + added - freed;
        self.bytes = self.bytes + added - freed;
    }

    /// The bytes of what a change would replace (a category put again):
    /// they are freed as it is kept.
    pub(super) fn replaced_bytes(&self, change: &Change) -> usize {
        let stored = |msn: &str, order: &str| self.merchants.get(msn).and_then(|m| m.orders.get(order));
        match change {
            Change::Category { msn, order, .. } => stored(msn, order).and_then(|o| o.category.as_ref()).map_or(0, |c| c.bytes),
            Change::Receipt { msn, order, .. } => stored(msn, order).and_then(|o| o.receipt.as_ref()).map_or(0, |r| r.bytes),
            Change::Image { msn, image_id, .. } => self.merchants.get(msn).and_then(|m| m.images.get(image_id)).map_or(0, |i| i.bytes),
            Change::CategoryV3 { .. } | Change::DeleteCategoryV3 { .. } | Change::Reset { .. } => 0,
        }
    }

    /// How many receipts are stored, for all merchants.
    pub(super) fn receipt_count(&self) -> usize {
        self.receipts
    }

    /// How many bytes are stored (as the state file's lines), for all
    /// merchants.
    pub(super) fn bytes(&self) -> usize {
        self.bytes
    }

    /// What is stored, shared (no value copied), as the changes that make
    /// it again: what a compacted state file holds, written out after the
    /// lock is let go.
    pub(super) fn snapshot(&self) -> Vec<Snapshot> {
        let mut all = Vec::new();
        for (msn, m) in &self.merchants {
            for (image_id, src) in &m.images {
                all.push(Snapshot::Image {
                    msn: msn.clone(),
                    image_id: image_id.clone(),
                    src: src.value.clone(),
                });
            }
            for (order, stored) in &m.orders {
                if let Some(category) = &stored.category {
                    all.push(Snapshot::Category {
                        msn: msn.clone(),
                        order: order.clone(),
                        category: category.value.clone(),
                    });
                }
                if let Some(receipt) = &stored.receipt {
                    all.push(Snapshot::Receipt {
                        msn: msn.clone(),
                        order: order.clone(),
                        receipt: receipt.value.clone(),
                    });
                }
            }
            for category in &m.categories_v3 {
                all.push(Snapshot::CategoryV3 {
                    msn: msn.clone(),
                    category: category.value.clone(),
                });
            }
        }
        all
    }
}

/// One thing stored, shared, as the change that stores it again.
#[derive(Debug)]
pub(super) enum Snapshot {
    Image { msn: String, image_id: String, src: Arc<String> },
    Category { msn: String, order: String, category: Arc<Value> },
    Receipt { msn: String, order: String, receipt: Arc<Value> },
    CategoryV3 { msn: String, category: Arc<Value> },
}

/// A [`Change`] that stores, borrowed: serialized exactly as the change.
#[derive(Serialize)]
#[serde(tag = "change", rename_all = "camelCase", rename_all_fields = "camelCase")]
enum Storing<'a> {
    Image { msn: &'a str, image_id: &'a str, src: &'a str },
    Category { msn: &'a str, order: &'a str, category: &'a Value },
    Receipt { msn: &'a str, order: &'a str, receipt: &'a Value },
    CategoryV3 { msn: &'a str, category: &'a Value },
}

impl Snapshot {
    /// Its line in the state file, with its newline.
    pub(super) fn line(&self) -> Vec<u8> {
        let storing = match self {
            Snapshot::Image { msn, image_id, src } => Storing::Image { msn, image_id, src },
            Snapshot::Category { msn, order, category } => Storing::Category { msn, order, category },
            Snapshot::Receipt { msn, order, receipt } => Storing::Receipt { msn, order, receipt },
            Snapshot::CategoryV3 { msn, category } => Storing::CategoryV3 { msn, category },
        };
        let mut line = serde_json::to_vec(&storing).unwrap_or_default();
        line.push(b'\n');
        line
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
            let prepared = change.clone().prepared();
            store.apply(prepared.change, prepared.line.len());
        }
        assert_eq!(*store.merchant("1").unwrap().images["logo"].value, "eA==");
        assert_eq!(store.receipt_count(), 1);
        let v3: Vec<&Value> = store.merchant("2").unwrap().categories_v3.iter().map(|c| &*c.value).collect();
        assert_eq!(v3, [&json!({"categoryId": "c-2", "orderId": "o-1"})]);
        // What is stored is counted as it changes: the lines of what stays.
        let line = |change: &Change| serde_json::to_vec(change).unwrap().len() + 1;
        let of_one: usize = changes[..3].iter().map(line).sum();
        let of_two = line(&changes[4]);
        assert_eq!(store.bytes(), of_one + of_two);
        // A snapshot's lines are the changes' own.
        let lines: Vec<Vec<u8>> = store.snapshot().iter().map(Snapshot::line).collect();
        let kept: Vec<Vec<u8>> = [&changes[0], &changes[1], &changes[2], &changes[4]]
            .iter()
            .map(|c| (*c).clone().prepared().line)
            .collect();
        assert_eq!(lines, kept);
        store.apply(Change::Reset { msn: Some("1".into()) }, 0);
        assert!(store.merchant("1").is_none() && store.merchant("2").is_some());
        assert_eq!((store.receipt_count(), store.bytes()), (0, of_two));
        store.apply(Change::Reset { msn: None }, 0);
        assert!(store.merchants.is_empty());
        assert_eq!((store.receipt_count(), store.bytes()), (0, 0));
        assert_eq!(
            serde_json::to_string(&Change::Reset { msn: None }).unwrap(),
            r#"{"change":"reset"}"#
        );
    }
}
