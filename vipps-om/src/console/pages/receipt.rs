//! A receipt as staff read it: every line with its quantity, unit price
//! (per kg, km, minute where it is), discount, VAT and product link,
//! marked where returned or shipping and where its numbers do not agree;
//! the sums; what the customer paid (the tip, the total, the payment
//! sources reconciled with it); the VAT by rate; and every field of the
//! bottom line, old (deprecated) ones named as such.

use maud::{html, Markup};
use vipps_order_management::{Amount, BottomLine, Currency, Discrepancy, OrderLine, QuantityUnit, Receipt};

use crate::console::pages::language::Arg;
use crate::console::pages::layout::{data, link, Cx};

/// An amount with the receipt's currency, in the staff's language.
fn money(cx: &Cx, amount: Amount, currency: &Currency) -> Markup {
    html! { (cx.words.money(amount, currency)) }
}

/// A unit price with its unit: "NOK 320.00 per kg"; a price each when
/// the line counts pieces (or says no unit).
fn unit_price(cx: &Cx, price: Amount, unit: Option<&QuantityUnit>, currency: &Currency) -> Markup {
    let price = cx.words.money(price, currency);
    let unit = match unit {
        None | Some(QuantityUnit::Pcs) => return html! { (price) },
        Some(QuantityUnit::Kg) => Arg::Text(cx.t("unit-kg")),
        Some(QuantityUnit::Km) => Arg::Text(cx.t("unit-km")),
        Some(QuantityUnit::Minute) => Arg::Text(cx.t("unit-minute")),
        Some(QuantityUnit::Litre) => Arg::Text(cx.t("unit-litre")),
        Some(QuantityUnit::Kwh) => Arg::Text(cx.t("unit-kwh")),
        Some(other) => Arg::Data(other.as_str().to_owned()),
    };
    html! { (cx.words.with("unit-price-per", [("price", Arg::Text(price)), ("unit", unit)])) }
}

/// A line's amount as the receipt counts it (returns negative: the SDK's
/// one rule, exact), with the receipt's currency.
fn counted(cx: &Cx, line: &OrderLine, amount: Amount, currency: &Currency) -> Markup {
    html! { (cx.words.money_minor(line.counted(amount), currency)) }
}

fn discrepancy(cx: &Cx, d: &Discrepancy, currency: &Currency) -> String {
    let w = &cx.words;
    match d {
        Discrepancy::TaxDoesNotMatchRate { expected, stated, .. } => w.with(
            "warning-vat",
            [
                ("stated", Arg::Text(w.money(*stated, currency))),
                ("expected", Arg::Text(w.money(*expected, currency))),
            ],
        ),
        Discrepancy::TotalDoesNotMatchUnitPrice { expected, stated, .. } => w.with(
            "warning-total",
            [
                ("stated", Arg::Text(w.money(*stated, currency))),
                ("expected", Arg::Text(w.money(*expected, currency))),
            ],
        ),
        Discrepancy::UnitPriceTimesQuantityOutOfRange { .. } => w.get("warning-out-of-range"),
        Discrepancy::QuantityUnreadable { .. } => w.get("warning-quantity"),
        Discrepancy::RateOutOfRange { .. } => w.get("warning-rate"),
        // `SumsDoNotAddUp`, and any kind a later SDK adds: the sums'
        // warning, the most general.
        _ => w.get("warning-sums"),
    }
}

fn lines(cx: &Cx, receipt: &Receipt) -> Markup {
    let currency = &receipt.bottom_line.currency;
    let found = receipt.discrepancies();
    let label = |key: &str| cx.t(key);
    let dash = html! { span.none aria-label=(cx.t("none")) { "–" } };
    html! {
        div.scroll tabindex="0" role="region" aria-label=(cx.t("receipt-lines")) {
            table.receipt.stack {
                caption.visually-hidden { (cx.t("receipt-lines")) }
                thead { tr {
                    th scope="col" { (label("col-item")) }
                    th scope="col" { (label("col-quantity")) }
                    th.num scope="col" { (label("col-unit-price")) }
                    th.num scope="col" { (label("col-discount")) }
                    th.num scope="col" { (label("col-vat-rate")) }
                    th.num scope="col" { (label("col-excluding-vat")) }
                    th.num scope="col" { (label("col-vat")) }
                    th.num scope="col" { (label("col-amount")) }
                } }
                tbody {
                    @for (index, line) in receipt.order_lines.iter().enumerate() {
                        @let warnings: Vec<&Discrepancy> = found.iter().filter(|d| d.line() == index).collect();
                        tr.returned[line.is_return == Some(true)].flagged[!warnings.is_empty()] {
                            th scope="row" data-label=(label("col-item")) {
                                span.name { (data(&line.name)) }
                                @if line.is_shipping == Some(true) { " " span.badge { (cx.t("badge-shipping")) } }
                                @if line.is_return == Some(true) { " " span.badge.return { (cx.t("badge-returned")) } }
                                @if !warnings.is_empty() { " " span.badge.warn.staff { (cx.t("badge-check")) } }
                                br;
                                small { (cx.t("product-id")) " " code.id { (data(&line.id)) } }
                                @if let Some(url) = &line.product_url { br; small { (cx.t("product-link")) " " (link(url)) } }
                            }
                            td data-label=(label("col-quantity")) {
                                @match &line.unit_info {
                                    Some(info) => (cx.words.quantity(&info.quantity, info.quantity_unit.as_ref())),
                                    None => (dash),
                                }
                            }
                            td.num data-label=(label("col-unit-price")) {
                                @match line.unit_info.as_ref().and_then(|i| i.unit_price.map(|p| (p, i.quantity_unit.as_ref()))) {
                                    Some((price, unit)) => (unit_price(cx, price, unit, currency)),
                                    None => (dash),
                                }
                            }
                            td.num data-label=(label("col-discount")) {
                                @match line.discount { Some(d) => (money(cx, d, currency)), None => (dash) }
                            }
                            td.num data-label=(label("col-vat-rate")) {
                                @match line.stated_tax_rate() {
                                    Some(rate) => {
                                        (cx.words.rate(rate))
                                        @if line.tax_rate.is_none() { " " small { (cx.t("old-field")) } }
                                    },
                                    None => (dash),
                                }
                            }
                            td.num data-label=(label("col-excluding-vat")) { (counted(cx, line, line.total_amount_excluding_tax, currency)) }
                            td.num data-label=(label("col-vat")) { (counted(cx, line, line.total_tax_amount, currency)) }
                            td.num data-label=(label("col-amount")) { strong { (counted(cx, line, line.total_amount, currency)) } }
                        }
                        @if !warnings.is_empty() {
                            tr.warning.staff {
                                td colspan="8" {
                                    strong { (cx.words.with("warning-line", [("line", Arg::Data(line.name.clone()))])) }
                                    ul { @for w in &warnings { li { (discrepancy(cx, w, currency)) } } }
                                }
                            }
                        }
                    }
                }
                tfoot { tr {
                    th scope="row" colspan="5" { (cx.t("receipt-sum")) }
                    td.num data-label=(label("col-excluding-vat")) { (sum(cx, receipt, Receipt::total_amount_excluding_tax)) }
                    td.num data-label=(label("col-vat")) { (sum(cx, receipt, Receipt::total_tax_amount)) }
                    td.num data-label=(label("col-amount")) { strong { (sum(cx, receipt, Receipt::total_amount)) } }
                } }
            }
        }
    }
}

/// A column's sum, returns negative; a sum past the API's 64 bits is named
/// as such rather than shown wrong.
fn sum(cx: &Cx, receipt: &Receipt, total: fn(&Receipt) -> Result<Amount, vipps_order_management::Error>) -> Markup {
    match total(receipt) {
        Ok(amount) => money(cx, amount, &receipt.bottom_line.currency),
        Err(_) => html! { (cx.t("sum-too-large")) },
    }
}

fn vat_breakdown(cx: &Cx, receipt: &Receipt) -> Markup {
    let currency = &receipt.bottom_line.currency;
    let Ok(groups) = receipt.vat_breakdown() else {
        return html! { p { (cx.t("sum-too-large")) } };
    };
    html! {
        div.scroll tabindex="0" role="region" aria-labelledby="vat" {
            table.vat.stack {
                thead { tr {
                    th scope="col" { (cx.t("col-vat-rate")) }
                    th.num scope="col" { (cx.t("col-excluding-vat")) }
                    th.num scope="col" { (cx.t("col-vat")) }
                    th.num scope="col" { (cx.t("col-including-vat")) }
                    th.num scope="col" { (cx.t("col-lines")) }
                } }
                tbody {
                    @for g in &groups {
                        tr {
                            th scope="row" data-label=(cx.t("col-vat-rate")) {
                                @match g.rate { Some(rate) => (cx.words.rate(rate)), None => (cx.t("vat-no-rate")) }
                            }
                            td.num data-label=(cx.t("col-excluding-vat")) { (money(cx, g.excluding_tax, currency)) }
                            td.num data-label=(cx.t("col-vat")) { (money(cx, g.tax, currency)) }
                            td.num data-label=(cx.t("col-including-vat")) { (money(cx, g.total, currency)) }
                            td.num data-label=(cx.t("col-lines")) { (cx.words.with("vat-lines", [("count", Arg::Count(g.lines))])) }
                        }
                    }
                }
            }
        }
    }
}

/// What the customer paid: the lines, the tip and the total, each payment
/// source, and whether the sources account for the total (a mismatch is
/// a note for staff: the customer sees the receipt as the shop sent it).
fn payment(cx: &Cx, receipt: &Receipt) -> Markup {
    let c = &receipt.bottom_line.currency;
    let Ok(paid) = receipt.paid() else {
        return html! { p { (cx.t("sum-too-large")) } };
    };
    let sources = receipt.bottom_line.payment_sources.as_ref();
    let each = [
        ("fact-paid-card", sources.and_then(|s| s.card)),
        ("fact-paid-gift-card", sources.and_then(|s| s.gift_card)),
        ("fact-paid-voucher", sources.and_then(|s| s.voucher)),
        ("fact-paid-cash", sources.and_then(|s| s.cash)),
    ];
    html! {
        dl.facts.paid {
            dt { (cx.t("paid-lines")) } dd { (money(cx, paid.lines, c)) }
            @if receipt.bottom_line.tip_amount.is_some() {
                dt { (cx.t("fact-tip")) } dd { (money(cx, paid.tip, c)) }
            }
            dt.total { (cx.t("paid-total")) } dd.total { strong { (money(cx, paid.total, c)) } }
            @for (key, value) in each {
                @if let Some(v) = value { dt { (cx.t(key)) } dd { (money(cx, v, c)) } }
            }
        }
        @match (paid.sources, paid.sources_match()) {
            (Some(_), Some(true)) => p.reconciled.staff { (cx.t("paid-sources-match")) },
            (Some(sources), _) => p.warning.staff role="note" { (cx.words.with("paid-sources-differ", [
                ("sources", Arg::Text(cx.words.money(sources, c))),
                ("total", Arg::Text(cx.words.money(paid.total, c))),
            ])) },
            _ => p.hint.staff { (cx.t("paid-no-sources")) },
        }
    }
}

/// One fact of the bottom line; `old` for a deprecated field.
fn fact(cx: &Cx, key: &str, old: bool, value: Markup) -> Markup {
    html! {
        dt { (cx.t(key)) @if old { " " small { (cx.t("old-field")) } } }
        dd { (value) }
    }
}

fn bottom_line(cx: &Cx, b: &BottomLine) -> Markup {
    let c = &b.currency;
    let amount = |a: Option<Amount>| a.map(|a| money(cx, a, c));
    let mut facts: Vec<Markup> = Vec::new();
    facts.push(fact(cx, "fact-currency", false, data(c.as_str())));
    if let Some(n) = &b.receipt_number {
        facts.push(fact(cx, "fact-receipt-number", false, html! { code.id { (data(n)) } }));
    }
    if let Some(code) = &b.barcode {
        facts.push(fact(
            cx,
            "fact-barcode",
            false,
            html! { (data(code.format.as_str())) ": " code.id { (data(code.data.as_deref().unwrap_or_default())) } },
        ));
    }
    if let Some(pos) = &b.pos_id {
        facts.push(fact(cx, "fact-pos-id", false, html! { code.id { (data(pos)) } }));
    }
    for (key, value) in [
        ("fact-gift-card", b.gift_card_amount),
        ("fact-total", b.total_amount),
        ("fact-total-vat", b.total_tax),
        ("fact-total-discount", b.total_discount),
        ("fact-shipping", b.shipping_amount),
    ] {
        if let Some(v) = amount(value) {
            facts.push(fact(cx, key, true, v));
        }
    }
    if let Some(info) = &b.shipping_info {
        let parts = html! {
            @if let Some(a) = amount(info.amount) { (a) }
            @if let Some(a) = amount(info.amount_excluding_tax) { " · " (cx.t("col-excluding-vat")) " " (a) }
            @if let Some(a) = amount(info.tax_amount) { " · " (cx.t("col-vat")) " " (a) }
            @if let Some(p) = info.tax_percentage { " · " (data(&format!("{p} %"))) }
        };
        facts.push(fact(cx, "fact-shipping-info", true, parts));
    }
    if let Some(terminal) = &b.terminal_id {
        facts.push(fact(cx, "fact-terminal-id", true, html! { code.id { (data(terminal)) } }));
    }
    html! { dl.facts { @for f in facts { (f) } } }
}

/// The receipt: its lines, a warning above when some lines' numbers do not
/// agree, the VAT by rate, and the bottom line's facts.
pub fn receipt(cx: &Cx, receipt: &Receipt) -> Markup {
    let flagged = {
        let mut lines: Vec<usize> = receipt.discrepancies().iter().map(Discrepancy::line).collect();
        lines.dedup();
        lines.len()
    };
    html! {
        @if flagged > 0 {
            p.warning.staff role="note" { (cx.words.with("warning-summary", [("count", Arg::Count(flagged))])) }
        }
        (lines(cx, receipt))
        h3 #paid { (cx.t("paid-title")) }
        (payment(cx, receipt))
        h3 #vat { (cx.t("vat-title")) }
        (vat_breakdown(cx, receipt))
        h3 { (cx.t("facts-title")) }
        (bottom_line(cx, &receipt.bottom_line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::pages::language::{Lang, Words};

    #[test]
    fn each_discrepancy_has_its_own_words() {
        let cx = Cx::bare(Words::new(Lang::En), "/");
        let nok = Currency::Nok;
        let (stated, expected) = (Amount::from_minor(2_000), Amount::from_minor(2_500));
        let said = |d: Discrepancy| discrepancy(&cx, &d, &nok);
        assert_eq!(
            said(Discrepancy::SumsDoNotAddUp { line: 0 }),
            "the amount is not the amount before VAT plus the VAT."
        );
        assert!(said(Discrepancy::TaxDoesNotMatchRate { line: 0, expected, stated }).starts_with("the VAT is "));
        assert!(said(Discrepancy::TotalDoesNotMatchUnitPrice { line: 0, expected, stated }).starts_with("the amount is NOK"));
        assert!(said(Discrepancy::UnitPriceTimesQuantityOutOfRange { line: 0 }).contains("larger than any amount"));
        assert!(said(Discrepancy::QuantityUnreadable { line: 0 }).starts_with("the quantity is not a number"));
        assert_eq!(
            said(Discrepancy::RateOutOfRange { line: 0 }),
            "the VAT rate is outside 0 % to 100 %."
        );
    }
}
