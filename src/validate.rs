//! The API's rules, checked before any byte leaves the process.
//!
//! Each function returns the list of [`Violation`]s (empty when the value is
//! fine), naming fields as the API does (`orderLines[0].taxRate`). The client
//! refuses to send a request with any violation; the emulator answers them as
//! the service would, with a 400 listing each one. Merchants can call these to
//! check data before they queue it.

use crate::error::Violation;
use crate::model::{Amount, Barcode, BarcodeFormat, BottomLine, Category, NewCategory, OrderLine, Receipt};

/// Longest image id the API accepts.
pub const IMAGE_ID_MAX_LEN: usize = 128;
/// Longest order id this crate sends. The spec sets no limit; no Vipps
/// MobilePay payment API accepts a reference over 64 characters, so 128 only
/// stops obvious mistakes.
pub const ORDER_ID_MAX_LEN: usize = 128;
/// Longest `Vipps-System-*` header value.
pub const SYSTEM_HEADER_MAX_LEN: usize = 30;
/// Largest image, decoded: 2 MB (2,000,000 bytes), as the API guide says
/// ("max file size 2 MB"); an image the service might count in MiB passes too.
pub const IMAGE_MAX_BYTES: usize = 2_000_000;
/// Smallest image height in pixels.
pub const IMAGE_MIN_HEIGHT: u32 = 167;

/// The violations found in one request, in the order found: what the
/// rules here collect, and what a check of one's own (or the emulator's
/// schema check) adds to.
///
/// ```
/// use vipps_order_management::validate::Violations;
/// let mut found = Violations::default();
/// found.fail("orderLines[0].name", "must not be empty");
/// assert!(!found.is_empty());
/// assert_eq!(found.into_vec()[0].name, "orderLines[0].name");
/// ```
#[derive(Debug, Default)]
pub struct Violations(Vec<Violation>);

impl Violations {
    /// Adds a violation: the field's name (as the API names it, with
    /// its place: `orderLines[0].name`) and what is wrong with it.
    pub fn fail(&mut self, name: impl Into<String>, reason: impl Into<String>) {
        self.0.push(Violation {
            name: name.into(),
            reason: reason.into(),
        });
    }

    /// Adds the violations another rule found.
    pub fn extend(&mut self, more: Vec<Violation>) {
        self.0.extend(more);
    }

    /// `true` when nothing was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The violations, in the order found.
    pub fn into_vec(self) -> Vec<Violation> {
        self.0
    }

    /// `Ok` when empty, else the invalid-input error
    /// ([`Error::InvalidInput`](crate::error::Error::InvalidInput)).
    pub fn into_result(self) -> Result<(), crate::error::Error> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(crate::error::Error::from_violations(self.0))
        }
    }
}

/// `true` for a character that the spec's id pattern for order and image
/// ids, `^[0-9A-Za-z-_\.]+$`, allows.
///
/// ```
/// use vipps_order_management::validate::id_char;
/// assert!(id_char('A') && id_char('7') && id_char('_'));
/// assert!(!id_char('#') && !id_char('é') && !id_char(' '));
/// ```
pub fn id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

/// The spec's id pattern, for order and image ids: `true` when every
/// character is allowed (the empty id included; the rules that use it say
/// what they make of that).
///
/// ```
/// use vipps_order_management::validate::id_pattern;
/// assert!(id_pattern("order-1.a_b") && id_pattern(""));
/// assert!(!id_pattern("order 1"));
/// ```
pub fn id_pattern(id: &str) -> bool {
    id.chars().all(id_char)
}

fn id_rule(report: &mut Violations, field: &str, id: &str, max: usize) {
    if id.is_empty() {
        report.fail(field, "must not be empty");
    } else if id == "." || id == ".." {
        report.fail(
            field,
            format!("must not be `{id}`: in a URL path it means the current or parent folder, so the request would go elsewhere"),
        );
    } else if id.len() > max {
        report.fail(field, format!("must be at most {max} characters (is {})", id.len()));
    } else if !id_pattern(id) {
        report.fail(
            field,
            "may only contain the letters A-Z and a-z, digits, '-', '_' and '.' (pattern ^[0-9A-Za-z-_\\.]+$)",
        );
    }
}

/// The order id rules: 1 to 128 characters of `0-9 A-Z a-z - _ .`, and
/// not `.` or `..` (which a URL path would not keep as a segment).
pub fn order_id(field: &str, id: &str) -> Vec<Violation> {
    let mut r = Violations::default();
    id_rule(&mut r, field, id, ORDER_ID_MAX_LEN);
    r.into_vec()
}

/// The image id rules: 1 to 128 characters of `0-9 A-Z a-z - _ .`, and
/// not `.` or `..`.
pub fn image_id(field: &str, id: &str) -> Vec<Violation> {
    let mut r = Violations::default();
    id_rule(&mut r, field, id, IMAGE_ID_MAX_LEN);
    r.into_vec()
}

/// The merchant serial number: one or more ASCII digits (`123456`).
pub fn merchant_serial_number(field: &str, msn: &str) -> Vec<Violation> {
    let mut r = Violations::default();
    if msn.is_empty() {
        r.fail(field, "must not be empty");
    } else if !msn.bytes().all(|b| b.is_ascii_digit()) {
        r.fail(
            field,
            format!("must be the merchant serial number's digits 0-9 only, such as 123456 (is {msn:?})"),
        );
    }
    r.into_vec()
}

/// A v3 category id must be a UUID (any form `uuid` reads: hyphenated,
/// simple, braced or URN; any case). It is sent in canonical form.
pub fn category_id(field: &str, id: &str) -> Vec<Violation> {
    let mut r = Violations::default();
    if uuid::Uuid::parse_str(id).is_err() {
        r.fail(field, "must be a UUID such as 337f5e5d-288b-40d5-be14-901cc3acacc0");
    }
    r.into_vec()
}

/// `true` only for URLs that `url::Url::parse` certainly accepts as https
/// with a host: `https://` then a plain ASCII host name (letters, digits,
/// `-`, `.`; no port, no user info, no IDNA label, not an IP address), then
/// anything after `/`, `?` or `#`. Everything else goes to the parser; this
/// only spares receipts with hundreds of product links the parser's cost.
fn plainly_https(value: &str) -> bool {
    let Some(rest) = value.strip_prefix("https://") else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let last_label = host.rsplit('.').next().unwrap_or_default();
    !host.is_empty()
        && host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        && last_label.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && !host.as_bytes().windows(4).any(|w| w.eq_ignore_ascii_case(b"xn--"))
        && !value.bytes().any(|b| b.is_ascii_control() || b == b' ' || b == b'\\')
}

fn https_url_rule(value: &str) -> Result<(), String> {
    if plainly_https(value) {
        return Ok(());
    }
    match url::Url::parse(value) {
        Ok(u) if u.scheme() == "https" && u.host_str().is_some_and(|h| !h.is_empty()) => Ok(()),
        Ok(_) => Err("must be an absolute https URL (https://...)".to_owned()),
        Err(e) => Err(format!("must be an absolute https URL ({e})")),
    }
}

/// An absolute `https` URL with a host.
pub fn https_url(field: &str, value: &str) -> Vec<Violation> {
    let mut r = Violations::default();
    if let Err(reason) = https_url_rule(value) {
        r.fail(field, reason);
    }
    r.into_vec()
}

/// A `Vipps-System-*` header value: 1 to 30 visible ASCII characters.
pub fn system_header(name: &str, value: &str) -> Vec<Violation> {
    let mut r = Violations::default();
    if value.is_empty() || value.len() > SYSTEM_HEADER_MAX_LEN {
        r.fail(
            name,
            format!("must be 1 to {SYSTEM_HEADER_MAX_LEN} characters (is {})", value.len()),
        );
    } else if !value.bytes().all(|b| b.is_ascii_graphic()) {
        r.fail(name, "may only contain visible ASCII characters (no spaces)");
    }
    r.into_vec()
}

/// The v2 category rules.
pub fn category(c: &Category) -> Vec<Violation> {
    let mut r = Violations::default();
    if !c.category.is_known() {
        r.fail(
            "category",
            known_values("category", crate::model::CategoryType::KNOWN.iter().map(|v| v.as_str())),
        );
    }
    r.extend(https_url("orderDetailsUrl", &c.order_details_url));
    if let Some(id) = &c.image_id {
        r.extend(image_id("imageId", id.as_str()));
    }
    r.into_vec()
}

/// The v3 category rules.
pub fn new_category(c: &NewCategory) -> Vec<Violation> {
    let mut r = Violations::default();
    r.extend(order_id("orderId", c.order_id.as_str()));
    if !c.payment_type.is_known() {
        r.fail(
            "paymentType",
            known_values("paymentType", crate::model::PaymentType::KNOWN.iter().map(|v| v.as_str())),
        );
    }
    if !c.category_type.is_known() {
        r.fail(
            "type",
            known_values("type", crate::model::CategoryType::KNOWN.iter().map(|v| v.as_str())),
        );
    }
    r.extend(https_url("url", &c.url));
    if let Some(id) = &c.image_id {
        r.extend(image_id("imageId", id.as_str()));
    }
    r.into_vec()
}

fn known_values<'a>(field: &str, values: impl Iterator<Item = &'a str>) -> String {
    format!("{field} must be one of {}", values.collect::<Vec<_>>().join(", "))
}

/// A quantity: digits, optionally `.` and 1 to 8 digits, at most 10 characters
/// (the rule [`Quantity::is_valid`](crate::Quantity::is_valid) keeps).
pub use crate::model::quantity::{quantity_ok, QUANTITY_MAX_LEN};

/// The receipt rules: the spec's, plus the line arithmetic the service
/// enforces (`totalAmount = totalAmountExcludingTax + totalTaxAmount`).
pub fn receipt(receipt: &Receipt) -> Vec<Violation> {
    let mut r = Violations::default();
    if receipt.order_lines.is_empty() {
        r.fail("orderLines", "must hold at least one order line");
    }
    for (i, line) in receipt.order_lines.iter().enumerate() {
        check_line(&mut r, &LineAt(i), line);
    }
    r.extend(bottom_line(&receipt.bottom_line));
    r.into_vec()
}

/// The bottom line's rules: a known currency, a tip of 0 or more, a
/// barcode with a known format and data that its format can encode
/// ([`barcode`]).
pub fn bottom_line(b: &BottomLine) -> Vec<Violation> {
    let mut r = Violations::default();
    if !b.currency.is_known() {
        r.fail(
            "bottomLine.currency",
            known_values("currency", crate::model::Currency::KNOWN.iter().map(|v| v.as_str())),
        );
    }
    non_negative(&mut r, &"bottomLine", "tipAmount", b.tip_amount);
    if let Some(barcode) = &b.barcode {
        if !barcode.format.is_known() {
            r.fail(
                "bottomLine.barcode.format",
                known_values("format", BarcodeFormat::KNOWN.iter().map(|v| v.as_str())),
            );
        }
        if barcode.data.as_deref().is_none_or(str::is_empty) {
            r.fail("bottomLine.barcode.data", "must not be empty (leave the barcode out instead)");
        } else {
            r.extend(self::barcode("bottomLine.barcode.data", barcode));
        }
    }
    r.into_vec()
}

/// `at.field` must be 0 or more; the name is only formatted on failure.
fn non_negative(r: &mut Violations, at: &dyn std::fmt::Display, field: &str, value: Option<Amount>) {
    if let Some(v) = value {
        if v.is_negative() {
            r.fail(
                format!("{at}.{field}"),
                format!("must be 0 or more (is {v}); returns are lines with isReturn"),
            );
        }
    }
}

/// The rules of one order line; `at` is its name (`orderLines[2]`).
pub fn order_line(at: &str, line: &OrderLine) -> Vec<Violation> {
    let mut r = Violations::default();
    check_line(&mut r, &at, line);
    r.into_vec()
}

/// `orderLines[i]`, formatted only when a rule fails.
struct LineAt(usize);

impl std::fmt::Display for LineAt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "orderLines[{}]", self.0)
    }
}

/// The rules the service enforces beyond its schema, on every line: no
/// negative amounts (returns are lines with `isReturn`), a tax rate or
/// legacy percentage, and `totalAmount = totalAmountExcludingTax +
/// totalTaxAmount`. The emulator applies these after the spec's schema;
/// [`receipt`] applies them with the rest.
pub fn service_rules(receipt: &Receipt) -> Vec<Violation> {
    let mut r = Violations::default();
    for (i, line) in receipt.order_lines.iter().enumerate() {
        line_sums(&mut r, &LineAt(i), line);
    }
    r.into_vec()
}

fn line_sums(r: &mut Violations, at: &dyn std::fmt::Display, line: &OrderLine) {
    non_negative(r, at, "totalAmount", Some(line.total_amount));
    non_negative(r, at, "totalAmountExcludingTax", Some(line.total_amount_excluding_tax));
    non_negative(r, at, "totalTaxAmount", Some(line.total_tax_amount));
    if line.tax_rate.is_none() && line.tax_percentage.is_none() {
        r.fail(format!("{at}.taxRate"), "must be set (0..=10000, 2500 is 25 %)");
    }
    match line.total_amount_excluding_tax.checked_add(line.total_tax_amount) {
        Some(sum) if sum == line.total_amount => {}
        _ => r.fail(
            format!("{at}.totalAmount"),
            format!(
                "must equal totalAmountExcludingTax + totalTaxAmount ({} + {} != {})",
                line.total_amount_excluding_tax.minor(),
                line.total_tax_amount.minor(),
                line.total_amount.minor()
            ),
        ),
    }
}

fn check_line(r: &mut Violations, at: &dyn std::fmt::Display, line: &OrderLine) {
    if line.name.trim().is_empty() {
        r.fail(format!("{at}.name"), "must not be empty");
    }
    if line.id.trim().is_empty() {
        r.fail(format!("{at}.id"), "must not be empty");
    }
    line_sums(r, at, line);
    non_negative(r, at, "discount", line.discount);
    if line.tax_rate.is_some_and(|v| !v.is_valid()) {
        r.fail(format!("{at}.taxRate"), "must be 0..=10000 (hundredths of a percent, 2500 is 25 %)");
    }
    if line.tax_percentage.is_some_and(|v| !(0..=100).contains(&v)) {
        r.fail(format!("{at}.taxPercentage"), "must be 0..=100");
    }
    if let Some(info) = &line.unit_info {
        non_negative(r, at, "unitInfo.unitPrice", info.unit_price);
        if !info.quantity.is_valid() {
            r.fail(
                format!("{at}.unitInfo.quantity"),
                "must be a whole or decimal number of at most 10 characters with at most 8 decimals, like \"2\" or \"2.5\"",
            );
        }
        if let Some(unit) = &info.quantity_unit {
            if !unit.is_known() {
                r.fail(
                    format!("{at}.unitInfo.quantityUnit"),
                    known_values("quantityUnit", crate::model::QuantityUnit::KNOWN.iter().map(|v| v.as_str())),
                );
            }
        }
    }
    if let Some(url) = &line.product_url {
        if let Err(reason) = https_url_rule(url) {
            r.fail(format!("{at}.productUrl"), reason);
        }
    }
}

/// Barcode data checks beyond the spec: the EAN-13 check digit and the
/// CODE 39 / CODE 128 character sets. Part of [`bottom_line`] (and so of
/// [`receipt`]), so a barcode that no scanner can read is caught before
/// sending.
pub fn barcode(field: &str, b: &Barcode) -> Vec<Violation> {
    let mut r = Violations::default();
    let data = b.data.as_deref().unwrap_or_default();
    match &b.format {
        BarcodeFormat::Ean13 => {
            // Thirteen ASCII digits first, so the slices below are on
            // character boundaries.
            let digits = data.len() == 13 && data.bytes().all(|c| c.is_ascii_digit());
            match digits.then(|| ean13_check_digit(&data[..12])).flatten() {
                None => r.fail(field, "EAN-13 data must be exactly 13 digits"),
                Some(expected) if expected != data.as_bytes()[12] - b'0' => {
                    r.fail(field, format!("EAN-13 check digit is wrong: expected {expected}"))
                }
                Some(_) => {}
            }
        }
        BarcodeFormat::Code39 => {
            if !data
                .bytes()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || b" -.$/+%".contains(&c))
            {
                r.fail(field, "CODE 39 data may only contain A-Z, 0-9, space and - . $ / + %");
            }
        }
        BarcodeFormat::Code128 => {
            if !data.bytes().all(|c| (32..=126).contains(&c)) {
                r.fail(field, "CODE 128 data may only contain printable ASCII characters");
            }
        }
        BarcodeFormat::Unknown(_) => {}
    }
    r.into_vec()
}

/// The EAN-13 check digit of the first 12 digits; `None` unless given
/// exactly 12 ASCII digits.
pub fn ean13_check_digit(first12: &str) -> Option<u8> {
    if first12.len() != 12 || !first12.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first12
        .bytes()
        .enumerate()
        .map(|(i, c)| u32::from(c - b'0') * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    Some(((10 - sum % 10) % 10) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        for ok in ["1", "2.5", "0.822", "12345678.9", "1.12345678"] {
            assert!(quantity_ok(ok), "{ok}");
        }
        for bad in ["", ".5", "1.", "1,5", "-1", "1.123456789", "12345678901", "1e3"] {
            assert!(!quantity_ok(bad), "{bad}");
        }
    }

    proptest::proptest! {
        /// The fast path never accepts what the URL parser would refuse.
        #[test]
        fn fast_https_check_agrees_with_the_parser(s in "(https?://)?[a-zA-Z0-9.:@%/?#\\\\ \\-]{0,30}") {
            if plainly_https(&s) {
                let parsed = url::Url::parse(&s).unwrap();
                proptest::prop_assert!(parsed.scheme() == "https" && parsed.host_str().is_some_and(|h| !h.is_empty()));
            }
        }
    }

    #[test]
    fn fast_https_check() {
        for ok in [
            "https://shop.example/p/1",
            "https://a-b.example.com?x=1",
            "https://example.com#top",
            "https://localhost",
        ] {
            assert!(plainly_https(ok), "{ok}");
            assert!(https_url("u", ok).is_empty());
        }
        for slow in [
            "https://127.0.0.1/x",
            "https://xn--nxasmq6b.example",
            "https://shop.example:8443/",
            "https://user@shop.example",
            "https://bücher.example",
        ] {
            assert!(!plainly_https(slow), "{slow}");
        }
        for bad in [
            "http://shop.example",
            "https://",
            "https://exa mple.com",
            "shop.example",
            "https://999.1.1.1/",
        ] {
            assert!(!https_url("u", bad).is_empty(), "{bad}");
        }
    }

    #[test]
    fn ean13() {
        let ok = Barcode::new(BarcodeFormat::Ean13, "4006381333931");
        assert!(barcode("b", &ok).is_empty());
        let bad = Barcode::new(BarcodeFormat::Ean13, "4006381333932");
        assert!(barcode("b", &bad)[0].reason.contains("check digit"));
        for junk in ["", "400638133393", "40063813339311", "4006381333 31", "40063813339\u{e9}", "ÆØÅ"] {
            let b = Barcode::new(BarcodeFormat::Ean13, junk);
            assert!(barcode("b", &b)[0].reason.contains("13 digits"), "{junk}");
        }
        assert_eq!(ean13_check_digit("40063813339x"), None);
    }

    #[test]
    fn a_receipt_is_checked_with_its_barcode() {
        use crate::model::{Amount, Currency, OrderLine, TaxRate};
        let line = OrderLine::new("tea", "Tea", Amount::from_minor(125), Amount::from_minor(100), TaxRate::percent(25));
        let with = |barcode: Barcode| {
            Receipt::new(Currency::Nok, vec![line.clone()]).with_bottom_line(BottomLine::new(Currency::Nok).with_barcode(barcode))
        };
        assert!(receipt(&with(Barcode::new(BarcodeFormat::Ean13, "4006381333931"))).is_empty());
        let bad = receipt(&with(Barcode::new(BarcodeFormat::Ean13, "5901234123458")));
        assert_eq!(bad.len(), 1, "{bad:?}");
        assert_eq!(bad[0].name, "bottomLine.barcode.data");
        assert!(bad[0].reason.contains("check digit"), "{bad:?}");
        let mut empty = Barcode::new(BarcodeFormat::Code128, "");
        assert!(receipt(&with(empty.clone()))[0].reason.contains("leave the barcode out"));
        empty.data = None;
        assert!(receipt(&with(empty))[0].reason.contains("must not be empty"));
    }
}
