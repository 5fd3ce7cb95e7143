//! Looking up an order: reading what the API holds for it (its v2 answer
//! and its v3 categories) and, when nothing is stored, the orders staff
//! may have meant. What staff pasted is cleaned first (`order_id`).

pub(in crate::console) mod deliveries;
pub(in crate::console) mod order_id;

use std::future::Future;

use vipps_order_management::{CategoryV3, Client, Error, ErrorKind, OrderHandle, PaymentType};

use crate::console::lookup::order_id::{clean_order_id, problem_of, IdProblem};

/// What staff asked for in an order's address, read once: the payment
/// type (or why it is none), the id as typed and as cleaned of what
/// pasting adds, why it cannot be an order's id, and what was searched
/// for (only when cleaning made this id of it: an address cannot claim
/// any other search).
pub struct OrderAsked {
    /// The payment type, or why the address names none.
    pub payment_type: Result<PaymentType, String>,
    /// The id as the address has it.
    pub typed: String,
    /// The id cleaned of what pasting adds.
    pub order_id: String,
    /// Why the id cannot be an order's, even cleaned.
    pub problem: Option<IdProblem>,
    /// What was typed in the lookup form, when it was cleaned to this id.
    pub searched: Option<String>,
}

impl OrderAsked {
    /// Reads an order's address (`/orders/{paymentType}/{orderId}`) and its
    /// `searched` parameter.
    pub fn read(payment_type_text: &str, typed: String, searched: Option<String>) -> OrderAsked {
        let searched = searched.filter(|s| clean_order_id(s) == typed && *s != typed);
        let order_id = clean_order_id(&typed);
        OrderAsked {
            payment_type: payment_type_text.parse::<PaymentType>().map_err(|_| payment_type_text.to_owned()),
            problem: problem_of(&typed, &order_id),
            order_id,
            typed,
            searched,
        }
    }

    /// The payment type, or why it cannot be shown.
    pub fn payment_type(&self) -> Result<PaymentType, Unshown> {
        self.payment_type.clone().map_err(Unshown::PaymentType)
    }
}

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
    // Parsing takes the documented values only: never `Unknown`.
    text.parse::<PaymentType>().map_err(|_| Unshown::PaymentType(text.to_owned()))
}

/// The other payment type.
pub fn other(payment_type: &PaymentType) -> PaymentType {
    match payment_type {
        PaymentType::Recurring => PaymentType::Ecom,
        _ => PaymentType::Recurring,
    }
}

/// Gets the order (with `read`) and its v3 categories at once. The v3
/// categories are listed by order id alone: only those of this payment
/// type are the order's (the same id under the other payment type is
/// another payment). When nothing is stored at all, the same id under the
/// other payment type, and in lower and upper case, are tried, to offer
/// the ones that hold something.
pub async fn look_up<'c, T, F>(
    client: &'c Client,
    payment_type: PaymentType,
    order_id: String,
    read: impl FnOnce(OrderHandle<'c>) -> F,
) -> Result<Found<T>, Unshown>
where
    F: Future<Output = Result<T, Error>>,
{
    let order = read(client.order(payment_type.clone(), order_id.as_str()));
    let categories = client.categories();
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
            let instead = instead(client, &payment_type, &order_id).await;
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
/// case-sensitive; shops print them in either).
pub fn candidates(payment_type: &PaymentType, order_id: &str) -> Vec<(PaymentType, String)> {
    let mut all = vec![(other(payment_type), order_id.to_owned())];
    for variant in [order_id.to_ascii_lowercase(), order_id.to_ascii_uppercase()] {
        // The two cases differ whenever either differs from the id (ASCII
        // letters), so no candidate comes twice.
        if variant != order_id {
            all.push((payment_type.clone(), variant.clone()));
            all.push((other(payment_type), variant));
        }
    }
    all
}

/// The [`candidates`] that hold a receipt or a category, each asked at
/// once, in the order of the candidates.
async fn instead(client: &Client, payment_type: &PaymentType, order_id: &str) -> Vec<(PaymentType, String)> {
    let mut asks = tokio::task::JoinSet::new();
    for (index, (pt, id)) in candidates(payment_type, order_id).into_iter().enumerate() {
        let client = client.clone();
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
        let unique: std::collections::HashSet<_> = all.iter().collect();
        assert_eq!(unique.len(), all.len(), "none twice");
        assert_eq!(candidates(&PaymentType::Ecom, "ORDER-1").len(), 3);
    }

    #[test]
    fn only_known_payment_types_are_looked_up() {
        assert_eq!(payment_type("ecom").ok(), Some(PaymentType::Ecom));
        assert_eq!(payment_type("RECURRING").ok(), Some(PaymentType::Recurring));
        for text in ["swish", "", "ecom "] {
            assert!(
                matches!(payment_type(text), Err(Unshown::PaymentType(ref t)) if t == text),
                "{text:?}"
            );
        }
    }
}
