//! Looking up an order: what the API holds for it (its v2 answer and its
//! v3 categories), or why it cannot be shown.

use std::future::Future;

use vipps_order_management::{CategoryV3, Error, ErrorKind, OrderRequest, PaymentType};

use super::Console;

/// Everything the console knows about one order; `T` is the v2 answer as
/// the caller reads it (decoded, or as received).
pub struct Found<T> {
    pub payment_type: PaymentType,
    pub order_id: String,
    /// The v2 answer: `None` when nothing is stored (404).
    pub order: Option<T>,
    /// The v3 categories, or why they could not be read.
    pub categories: Result<Vec<CategoryV3>, Error>,
}

/// Why an order cannot be shown.
pub enum Unshown {
    Client(Error),
    PaymentType(String),
    /// The order id in the address is no text.
    OrderId,
}

/// The payment type in an address (`ecom`, `recurring`, any case).
pub fn payment_type(text: &str) -> Result<PaymentType, Unshown> {
    text.parse().map_err(|_| Unshown::PaymentType(text.to_owned()))
}

/// Gets the order (with `read`) and its v3 categories at once. The v3
/// categories are listed by order id alone: only those of this payment
/// type are the order's (the same id under the other payment type is
/// another payment).
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
        Err(e) => return Err(Unshown::Client(e)),
    };
    Ok(Found {
        payment_type,
        order_id,
        order,
        categories,
    })
}
