//! Orders laid out for people: a receipt as a table with amounts in major
//! units (kroner, euro), returns negative, shipping and returned lines
//! marked, and the sum as the service computes it. `Display` for
//! [`Order`], the `vipps-om` tool and merchants' own support screens use it.
//!
//! Every number is formatted from exact integers; a sum that does not fit
//! the API's 64-bit amounts is said to, never computed wrongly.

use std::fmt;

use crate::model::{format_minor, Amount, Order, OrderLine, Receipt};
use crate::text::printable;

/// A receipt as support staff read it.
///
/// ```
/// use vipps_order_management::{Amount, Currency, OrderLine, Receipt, TaxRate};
/// let socks = OrderLine::new("1", "Socks", Amount::from_minor(25_000), Amount::from_minor(20_000), TaxRate::percent(25));
/// let view = Receipt::new(Currency::Nok, vec![socks.returned()]).view();
/// assert_eq!(view.lines[0].amount, "-250.00");
/// assert_eq!(view.total, "-250.00");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReceiptView {
    /// The currency (`NOK`), or `?` when the receipt has none.
    pub currency: String,
    /// The order lines, in order.
    pub lines: Vec<LineView>,
    /// The sum in major units, or a note that it does not add up in 64 bits.
    pub total: String,
    /// The tax in major units, or a note that it does not add up in 64 bits.
    pub total_tax: String,
    /// Further facts worth showing, label and value: tip, receipt number,
    /// POS id, barcode, payment sources, and any deprecated bottom-line
    /// field an older system sent (gift card, shipping, terminal, ...).
    pub details: Vec<(String, String)>,
}

/// One line of a [`ReceiptView`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LineView {
    /// The product name.
    pub name: String,
    /// The merchant's product id.
    pub id: String,
    /// The quantity as written (`1` when none is given).
    pub quantity: String,
    /// The quantity's unit (`PCS` when none is given).
    pub unit: String,
    /// The tax rate (`25%`), or empty when the line has none.
    pub tax_rate: String,
    /// The line's total in major units, negative for a return.
    pub amount: String,
    /// Of it tax, negative for a return.
    pub tax: String,
    /// A shipping line.
    pub shipping: bool,
    /// A returned item.
    pub returned: bool,
    /// The line's discount (included in its amount), when it has one.
    pub discount: Option<String>,
}

/// Major units of `amount`, negated for a return: in `i128`, so even
/// `i64::MIN` negates.
impl OrderLine {
    fn view(&self) -> LineView {
        let returned = self.is_return == Some(true);
        let (quantity, unit) = match &self.unit_info {
            Some(info) => (
                info.quantity.to_string(),
                info.quantity_unit.as_ref().map_or("PCS", |u| u.as_str()).to_owned(),
            ),
            None => ("1".to_owned(), "PCS".to_owned()),
        };
        let tax_rate = match (self.tax_rate, self.tax_percentage) {
            (Some(rate), _) => rate.to_string(),
            (None, Some(pct)) => format!("{pct}%"),
            (None, None) => String::new(),
        };
        LineView {
            name: self.name.clone(),
            id: self.id.clone(),
            quantity,
            unit,
            tax_rate,
            amount: format_minor(self.counted(self.total_amount)),
            tax: format_minor(self.counted(self.total_tax_amount)),
            shipping: self.is_shipping == Some(true),
            returned,
            discount: self.discount.map(|d| d.to_string()),
        }
    }
}

impl Receipt {
    /// The receipt laid out for people.
    pub fn view(&self) -> ReceiptView {
        let b = &self.bottom_line;
        let sum = |total: Result<Amount, crate::error::Error>| match total {
            Ok(a) => a.to_string(),
            Err(_) => "too large to add up (beyond 64-bit amounts)".to_owned(),
        };
        let mut details: Vec<(String, String)> = Vec::new();
        let mut amount = |label: &str, value: Option<Amount>| {
            if let Some(v) = value {
                details.push((label.to_owned(), v.to_string()));
            }
        };
        amount("Tip", b.tip_amount);
        if let Some(s) = &b.payment_sources {
            amount("Paid by gift card", s.gift_card);
            amount("Paid by card", s.card);
            amount("Paid by voucher", s.voucher);
            amount("Paid in cash", s.cash);
        }
        amount("Gift card (deprecated field)", b.gift_card_amount);
        amount("Shipping (deprecated field)", b.shipping_amount);
        amount("Total as sent (deprecated field)", b.total_amount);
        amount("Tax as sent (deprecated field)", b.total_tax);
        amount("Discount as sent (deprecated field)", b.total_discount);
        if let Some(s) = &b.shipping_info {
            amount("Shipping info (deprecated field)", s.amount);
        }
        let mut text = |label: &str, value: Option<&String>| {
            if let Some(v) = value {
                details.push((label.to_owned(), v.clone()));
            }
        };
        text("Receipt number", b.receipt_number.as_ref());
        text("POS", b.pos_id.as_ref());
        text("Terminal (deprecated field)", b.terminal_id.as_ref());
        if let Some(code) = &b.barcode {
            details.push((format!("Barcode ({})", code.format), code.data.clone().unwrap_or_default()));
        }
        ReceiptView {
            currency: if b.currency.as_str().is_empty() {
                "?".to_owned()
            } else {
                b.currency.to_string()
            },
            lines: self.order_lines.iter().map(OrderLine::view).collect(),
            total: sum(self.total_amount()),
            total_tax: sum(self.total_tax_amount()),
            details,
        }
    }
}

/// The receipt as a table for people: one row a line (shipping, returned
/// and discounted lines marked), the sum, then the bottom line's details.
/// Text from the service is printed safely: control characters show
/// escaped, so no name can forge a row or drive a terminal.
///
/// ```
/// use vipps_order_management::{Amount, Currency, OrderLine, Receipt, TaxRate};
/// let socks = OrderLine::new("1", "Socks", Amount::from_minor(25_000), Amount::from_minor(20_000), TaxRate::percent(25))
///     .with_discount(Amount::from_minor(5_000));
/// let table = Receipt::new(Currency::Nok, vec![socks]).view().to_string();
/// assert!(table.contains("Socks (discount 50.00)"));
/// assert!(table.contains("Sum (NOK)"));
/// ```
impl fmt::Display for ReceiptView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const RULE: &str = "-------------------------------------------------------------------";
        writeln!(
            f,
            "{:<26} {:>9} {:>6} {:>12} {:>10}",
            "Item", "Quantity", "VAT", "Amount", "of it VAT"
        )?;
        writeln!(f, "{RULE}")?;
        for line in &self.lines {
            let mut name = printable(&line.name).into_owned();
            if let Some(discount) = &line.discount {
                name.push_str(&format!(" (discount {discount})"));
            }
            if line.shipping {
                name.push_str(" [shipping]");
            }
            if line.returned {
                name.push_str(" [returned]");
            }
            let quantity = printable(&format!("{} {}", line.quantity, line.unit)).into_owned();
            writeln!(
                f,
                "{:<26} {:>9} {:>6} {:>12} {:>10}",
                name,
                quantity,
                printable(&line.tax_rate),
                line.amount,
                line.tax
            )?;
        }
        writeln!(f, "{RULE}")?;
        writeln!(
            f,
            "{:<26} {:>9} {:>6} {:>12} {:>10}",
            format!("Sum ({})", printable(&self.currency)),
            "",
            "",
            self.total,
            self.total_tax
        )?;
        for (label, value) in &self.details {
            writeln!(f, "{}: {}", printable(label), printable(value))?;
        }
        Ok(())
    }
}

/// A readable view for customer support: the order lines as a table with
/// amounts in major units, the sum as the service computes it, and the
/// category with its link. Text from the service is printed safely: control
/// characters (a line break that would forge a row, a terminal escape) show
/// escaped.
impl fmt::Display for Order {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.receipt {
            Some(receipt) => write!(f, "{}", receipt.view())?,
            None => writeln!(f, "No receipt.")?,
        }
        match &self.category {
            Some(c) => {
                write!(
                    f,
                    "Category: {} -> {}",
                    printable(c.category.as_str()),
                    printable(&c.order_details_url)
                )?;
                if let Some(image) = &c.image_id {
                    write!(f, " (image {})", printable(image.as_str()))?;
                }
                writeln!(f)
            }
            None => writeln!(f, "No category."),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Currency, TaxRate};

    #[test]
    fn service_text_cannot_forge_rows_or_drive_a_terminal() {
        let a = Amount::from_minor;
        let line = OrderLine::new(
            "1",
            "Hat\n----\nSum (NOK) 0.00\u{1b}]0;pwned\u{7}\u{202e}",
            a(100),
            a(80),
            TaxRate::percent(25),
        );
        let order = Order {
            category: None,
            receipt: Some(Receipt::new(Currency::Nok, vec![line])),
        };
        let shown = order.to_string();
        assert!(!shown.chars().any(|c| c.is_control() && c != '\n'), "{shown:?}");
        assert_eq!(shown.lines().filter(|l| l.starts_with("Sum")).count(), 1, "{shown}");
        assert!(
            shown.contains("Hat\\u{a}----\\u{a}Sum (NOK) 0.00\\u{1b}]0;pwned\\u{7}\\u{202e}"),
            "{shown}"
        );
    }
}
