//! Looking up an order: cleaning what staff paste, reading what the API
//! holds for it (its v2 answer and its v3 categories), and, when nothing
//! is stored, the orders staff may have meant.

use std::future::Future;

use icu_properties::props::{DefaultIgnorableCodePoint, WhiteSpace};
use icu_properties::CodePointSetData;
use vipps_order_management::text::escape_chars;
use vipps_order_management::validate::id_char;
use vipps_order_management::{CategoryV3, Error, ErrorKind, OrderRequest, PaymentType};

use super::Console;

/// Everything the console knows about one order; `T` is the v2 answer as
/// the caller reads it (decoded, or as received).
pub struct Found<T> {
    /// The order's payment type.
    pub payment_type: PaymentType,
    /// The order's id.
    pub order_id: String,
    /// The v2 answer: `None` when nothing is stored (404).
    pub order: Option<T>,
    /// The v3 categories, or why they could not be read.
    pub categories: Result<Vec<CategoryV3>, Error>,
}

/// Why an order cannot be shown.
pub enum Unshown {
    /// The API said no, or could not be asked.
    Client(Error),
    /// The address names no payment type.
    PaymentType(String),
    /// The order id is not one an order can have, even cleaned: why.
    OrderId(IdProblem),
    /// Nothing is stored for the order; the orders staff may have meant.
    Nothing {
        /// The lookup's error (a 404).
        error: Error,
        /// Orders that do hold something, with another payment type or
        /// another case.
        instead: Vec<(PaymentType, String)>,
    },
}

/// The payment type in an address (`ecom`, `recurring`, any case).
pub fn payment_type(text: &str) -> Result<PaymentType, Unshown> {
    match text.parse::<PaymentType>() {
        Ok(pt) if pt.is_known() => Ok(pt),
        _ => Err(Unshown::PaymentType(text.to_owned())),
    }
}

/// The other payment type.
pub fn other(payment_type: &PaymentType) -> PaymentType {
    match payment_type {
        PaymentType::Recurring => PaymentType::Ecom,
        _ => PaymentType::Recurring,
    }
}

/// `true` for a character nobody sees in what they pasted: white space,
/// Unicode's default-ignorable code points (zero-width spaces, direction
/// marks, soft hyphens) and control characters.
fn unseen(c: char) -> bool {
    CodePointSetData::new::<WhiteSpace>().contains(c) || CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c) || c.is_control()
}

/// An order id as pasted, cleaned: without spaces, line breaks, invisible
/// characters (zero-width spaces, direction marks, soft hyphens: Unicode's
/// default-ignorable code points) and control characters anywhere, and
/// without what surrounds an id in a mail or a shop's page (`#`, quotes,
/// brackets, a trailing comma).
pub fn clean_order_id(pasted: &str) -> String {
    let kept: String = pasted.chars().filter(|c| !unseen(*c)).collect();
    // Punctuation and symbols around it go; a letter never does (`ordré`
    // stays, to be refused, not looked up as another order).
    kept.trim_matches(|c: char| !id_char(c) && !c.is_alphanumeric()).to_owned()
}

/// Why a text cannot be an order id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdProblem {
    /// Nothing (or nothing once cleaned).
    Empty,
    /// The address holds bytes that are not text (`%FF`).
    NotText,
    /// `.` or `..`.
    Dots,
    /// Longer than the API takes.
    TooLong {
        /// The most characters an order id has.
        max: usize,
    },
    /// Characters an order id cannot hold, each once, in order.
    Characters(String),
}

/// What staff typed, with what cannot be seen made visible: invisible
/// characters, line breaks and spaces other than the plain one shown as
/// `\u{200b}`, so a page can say why a pasted id did not match.
pub fn visible(typed: &str) -> String {
    escape_chars(typed, |c| c != ' ' && unseen(c)).into_owned()
}

/// Why `typed`, cleaned into `cleaned`, cannot be an order id; `None`
/// when it can. When cleaning leaves nothing of a text that had visible
/// characters (`😀`), those characters are the problem, not emptiness.
pub fn problem_of(typed: &str, cleaned: &str) -> Option<IdProblem> {
    match order_id_problem(cleaned)? {
        IdProblem::Empty => {
            let mut odd = String::new();
            for c in typed.chars() {
                if !unseen(c) && !id_char(c) && c != '#' && !odd.contains(c) {
                    odd.push(c);
                }
            }
            Some(if odd.is_empty() {
                IdProblem::Empty
            } else {
                IdProblem::Characters(odd)
            })
        }
        other => Some(other),
    }
}

/// Why `id` cannot be an order id; `None` when it can (by the SDK's rule,
/// which decides; this only says which part of it failed).
pub fn order_id_problem(id: &str) -> Option<IdProblem> {
    vipps_order_management::validate::order_id("orderId", id).first()?;
    let max = vipps_order_management::validate::ORDER_ID_MAX_LEN;
    Some(if id.is_empty() {
        IdProblem::Empty
    } else if id == "." || id == ".." {
        IdProblem::Dots
    } else if id.len() > max {
        IdProblem::TooLong { max }
    } else {
        let mut odd = String::new();
        for c in id.chars().filter(|c| !id_char(*c)) {
            if !odd.contains(c) {
                odd.push(c);
            }
        }
        IdProblem::Characters(odd)
    })
}

/// Gets the order (with `read`) and its v3 categories at once. The v3
/// categories are listed by order id alone: only those of this payment
/// type are the order's (the same id under the other payment type is
/// another payment). When nothing is stored at all, the same id under the
/// other payment type, and in lower and upper case, are tried, to offer
/// the ones that hold something.
pub async fn look_up<'c, T, F>(
    console: &'c Console,
    payment_type: PaymentType,
    order_id: String,
    read: impl FnOnce(OrderRequest<'c>) -> F,
) -> Result<Found<T>, Unshown>
where
    F: Future<Output = Result<T, Error>>,
{
    let order = read(console.client.order(payment_type.clone(), order_id.as_str()));
    let categories = console.client.categories();
    let (order, categories) = tokio::join!(order, categories.list(order_id.as_str()));
    let categories = categories.map(|list| {
        list.into_iter()
            .filter(|c| c.payment_type.as_ref().is_none_or(|pt| *pt == payment_type))
            .collect::<Vec<_>>()
    });
    let order = match order {
        Ok(order) => Some(order),
        // Nothing stored under v2: still worth a page when v3 holds some.
        Err(e) if e.kind() == ErrorKind::NotFound && categories.as_ref().is_ok_and(|c| !c.is_empty()) => None,
        Err(e) if e.kind() == ErrorKind::NotFound => {
            let instead = instead(console, &payment_type, &order_id).await;
            return Err(Unshown::Nothing { error: e, instead });
        }
        Err(e) => return Err(Unshown::Client(e)),
    };
    Ok(Found {
        payment_type,
        order_id,
        order,
        categories,
    })
}

/// The orders staff may have meant by an id that holds nothing: the other
/// payment type, and the id in lower and in upper case (ids are
/// case-sensitive; shops print them in either). Each asked at once; those
/// that hold a receipt or a category are kept.
pub fn candidates(payment_type: &PaymentType, order_id: &str) -> Vec<(PaymentType, String)> {
    let mut all = vec![(other(payment_type), order_id.to_owned())];
    for variant in [order_id.to_ascii_lowercase(), order_id.to_ascii_uppercase()] {
        if variant != order_id && !all.iter().any(|(_, id)| *id == variant) {
            all.push((payment_type.clone(), variant.clone()));
            all.push((other(payment_type), variant));
        }
    }
    all
}

async fn instead(console: &Console, payment_type: &PaymentType, order_id: &str) -> Vec<(PaymentType, String)> {
    let mut asks = tokio::task::JoinSet::new();
    for (index, (pt, id)) in candidates(payment_type, order_id).into_iter().enumerate() {
        let client = console.client.clone();
        asks.spawn(async move {
            // A receipt or link under v2, or a v3 link of this payment type.
            let mut held = client.order(pt.clone(), id.as_str()).get().await.is_ok();
            if !held {
                held = client
                    .categories()
                    .list(id.as_str())
                    .await
                    .is_ok_and(|list| list.iter().any(|c| c.payment_type.as_ref() == Some(&pt)));
            }
            (index, held.then_some((pt, id)))
        });
    }
    let mut found: Vec<(usize, (PaymentType, String))> = Vec::new();
    while let Some(done) = asks.join_next().await {
        if let Ok((index, Some(order))) = done {
            found.push((index, order));
        }
    }
    found.sort_by_key(|(index, _)| *index);
    found.into_iter().map(|(_, order)| order).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_ids_are_cleaned() {
        for (pasted, clean) in [
            ("order-1042", "order-1042"),
            ("  order-1042\n", "order-1042"),
            ("#order-1042", "order-1042"),
            ("##order-1042", "order-1042"),
            ("order-1042\u{200b}", "order-1042"),
            ("\u{feff}order\u{200d}-1042\u{00ad}", "order-1042"),
            ("order - 1042", "order-1042"),
            ("\u{202e}order-1042\u{202c}", "order-1042"),
            ("\u{a0}order-1042\u{2009}", "order-1042"),
            ("“order-1042”,", "order-1042"),
            ("(order-1042)", "order-1042"),
            ("order.1042.", "order.1042."),
            ("#", ""),
            ("ordré-1042", "ordré-1042"),
            ("1042æ", "1042æ"),
        ] {
            assert_eq!(clean_order_id(pasted), clean, "{pasted:?}");
        }
        assert_eq!(order_id_problem("ordré-1042"), Some(IdProblem::Characters("é".into())));
        assert_eq!(order_id_problem("a b/a"), Some(IdProblem::Characters(" /".into())));
        assert_eq!(problem_of("😀", &clean_order_id("😀")), Some(IdProblem::Characters("😀".into())));
        assert_eq!(problem_of(" \u{200b} ", &clean_order_id(" \u{200b} ")), Some(IdProblem::Empty));
        assert_eq!(problem_of("#", &clean_order_id("#")), Some(IdProblem::Empty));
        assert_eq!(order_id_problem(".."), Some(IdProblem::Dots));
        assert_eq!(order_id_problem(""), Some(IdProblem::Empty));
        assert_eq!(order_id_problem(&"a".repeat(129)), Some(IdProblem::TooLong { max: 128 }));
        assert!(order_id_problem("order-1042").is_none());
    }

    #[test]
    fn invisible_characters_are_made_visible() {
        assert_eq!(visible(" #order-1042\u{200b}\u{a0}\n"), " #order-1042\\u{200b}\\u{a0}\\u{a}");
        assert_eq!(visible("ordre æ/1"), "ordre æ/1");
    }

    #[test]
    fn other_types_and_cases_are_candidates() {
        assert_eq!(
            candidates(&PaymentType::Ecom, "1042"),
            vec![(PaymentType::Recurring, "1042".to_owned())]
        );
        assert_eq!(
            candidates(&PaymentType::Recurring, "order-1"),
            vec![
                (PaymentType::Ecom, "order-1".to_owned()),
                (PaymentType::Recurring, "ORDER-1".to_owned()),
                (PaymentType::Ecom, "ORDER-1".to_owned())
            ]
        );
        let all = candidates(&PaymentType::Ecom, "Order-1");
        assert_eq!(all.len(), 5);
        assert!(all.contains(&(PaymentType::Ecom, "order-1".to_owned())));
        assert!(all.contains(&(PaymentType::Recurring, "ORDER-1".to_owned())));
    }
}
