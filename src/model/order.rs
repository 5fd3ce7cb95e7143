//! What `get order` answers.

use serde::{Deserialize, Serialize};

use super::category::Category;
use super::receipt::Receipt;

/// An order's enrichment as stored by the service (`OrderV2Response`):
/// its category and its receipt, each present only once written.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Order {
    /// The latest category, if one was put.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    /// The receipt, if one was posted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt: Option<Receipt>,
}

/// Formats minor units as major units: `-19900` is `-199.00`.
pub fn format_minor_units(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// A readable view for customer support: the order lines as a table with
/// amounts in major units (kroner, euro), the sum as the service computes
/// it, and the category with its link.
impl std::fmt::Display for Order {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const RULE: &str = "-------------------------------------------------------------------";
        match &self.receipt {
            Some(receipt) => {
                writeln!(
                    f,
                    "{:<26} {:>9} {:>6} {:>12} {:>10}",
                    "Item", "Quantity", "VAT", "Amount", "of it VAT"
                )?;
                writeln!(f, "{RULE}")?;
                for line in &receipt.order_lines {
                    let quantity = line
                        .unit_info
                        .as_ref()
                        .map(|u| format!("{} {}", u.quantity, u.quantity_unit.as_ref().map(|q| q.as_str()).unwrap_or("PCS")))
                        .unwrap_or_else(|| "1".into());
                    let mut name = line.name.clone();
                    if line.is_shipping == Some(true) {
                        name.push_str(" [shipping]");
                    }
                    if line.is_return == Some(true) {
                        name.push_str(" [returned]");
                    }
                    let rate = match (line.tax_rate, line.tax_percentage) {
                        (Some(r), _) => format!("{}%", r as f64 / 100.0),
                        (None, Some(p)) => format!("{p}%"),
                        (None, None) => String::new(),
                    };
                    let sign = if line.is_return == Some(true) { -1 } else { 1 };
                    writeln!(
                        f,
                        "{:<26} {:>9} {:>6} {:>12} {:>10}",
                        name,
                        quantity,
                        rate,
                        format_minor_units(sign * line.total_amount),
                        format_minor_units(sign * line.total_tax_amount)
                    )?;
                }
                writeln!(f, "{RULE}")?;
                let b = &receipt.bottom_line;
                writeln!(
                    f,
                    "{:<26} {:>9} {:>6} {:>12} {:>10}",
                    format!("Sum ({})", b.currency),
                    "",
                    "",
                    format_minor_units(receipt.total_amount()),
                    format_minor_units(receipt.total_tax_amount())
                )?;
                if let Some(tip) = b.tip_amount.filter(|t| *t != 0) {
                    writeln!(f, "Tip: {}", format_minor_units(tip))?;
                }
                if let Some(n) = &b.receipt_number {
                    writeln!(f, "Receipt number: {n}")?;
                }
                if let Some(pos) = &b.pos_id {
                    writeln!(f, "POS: {pos}")?;
                }
                if let Some(code) = &b.barcode {
                    writeln!(f, "Barcode ({}): {}", code.format, code.data)?;
                }
            }
            None => writeln!(f, "No receipt.")?,
        }
        match &self.category {
            Some(c) => {
                write!(f, "Category: {} -> {}", c.category, c.order_details_url)?;
                if let Some(image) = &c.image_id {
                    write!(f, " (image {image})")?;
                }
                writeln!(f)
            }
            None => writeln!(f, "No category."),
        }
    }
}
