//! What `get order` answers.

use serde::{Deserialize, Serialize};

use super::category::Category;
use super::receipt::Receipt;

/// An order's enrichment as stored by the service (`OrderV2Response`):
/// its category and its receipt, each present only once written.
///
/// `Display` shows it as support staff read it (see [`crate::ReceiptView`]).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Order {
    /// The latest category, if one was put.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    /// The receipt, if one was posted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt: Option<Receipt>,
}
