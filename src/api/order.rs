//! The calls on one order: put its category, post its receipt, get it.

use reqwest::StatusCode;

use crate::client::Client;
use crate::error::{Error, ErrorBody};
use crate::model::{Category, Order, OrderId, PaymentType, Receipt};
use crate::operation::Operation;
use crate::transport::{call_options_setters, json_body, CallOptions, Limits, Reply};

use super::{Reads, Request};
use crate::validate::{self, Violations};

/// The calls on one order, from [`Client::order`], [`Client::ecom`] or
/// [`Client::recurring`].
///
/// ```no_run
/// # async fn demo(client: vipps_order_management::Client) -> Result<(), vipps_order_management::Error> {
/// use vipps_order_management::{Category, CategoryType};
/// client
///     .ecom("order-123")
///     .merchant_serial_number("654321") // a partner acting for another merchant
///     .put_category(&Category::new(CategoryType::Receipt, "https://shop.example/orders/123"))
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct OrderHandle<'c> {
    client: &'c Client,
    payment_type: PaymentType,
    order_id: OrderId,
    options: CallOptions,
}

/// What a successful receipt POST tells.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReceiptPosted {
    /// The id the service answered with (a UUID), when it sent one.
    pub id: Option<String>,
    /// `true` when this very receipt was already stored: by an earlier
    /// attempt of this call whose answer was lost, or by an earlier call
    /// (another try of a job, another process). The service answered 409,
    /// and the stored receipt equals the one sent.
    pub already_stored: bool,
}

impl ReceiptPosted {
    /// What a receipt POST told: the id the service answered with, and
    /// whether the receipt was already stored. For test doubles of code
    /// that posts receipts; the client makes these itself.
    #[must_use]
    pub fn new(id: Option<String>, already_stored: bool) -> Self {
        ReceiptPosted { id, already_stored }
    }
}

/// The calls on one order: the name this handle had before 0.1.
#[deprecated(note = "renamed `OrderHandle`: it is a handle on an order's calls, not a request")]
pub type OrderRequest<'c> = OrderHandle<'c>;

impl<'c> OrderHandle<'c> {
    pub(crate) fn new(client: &'c Client, payment_type: PaymentType, order_id: OrderId) -> Self {
        OrderHandle {
            client,
            payment_type,
            order_id,
            options: CallOptions::default(),
        }
    }

    call_options_setters!();

    /// The order id.
    pub fn order_id(&self) -> &OrderId {
        &self.order_id
    }

    /// The payment type.
    pub fn payment_type(&self) -> &PaymentType {
        &self.payment_type
    }

    /// The checks of the path (payment type and order id), which every
    /// operation starts from.
    fn path_violations(&self) -> Violations {
        let mut violations = Violations::default();
        if !self.payment_type.is_known() {
            violations.fail("paymentType", "must be ECOM or RECURRING");
        }
        violations.extend(validate::order_id("orderId", self.order_id.as_str()));
        violations
    }

    /// The request of `op` on this order.
    fn request(&self, op: Operation) -> Request<'_> {
        Request::new(op, &self.options)
            .payment_type(self.payment_type.as_str())
            .id(self.order_id.as_str())
    }

    /// Sets the order's category: the link (and image) on the payment in the
    /// app (`PUT /order-management/v2/{paymentType}/categories/{orderId}`).
    /// A new PUT replaces the previous category; retrying is always safe.
    pub async fn put_category(&self, category: &Category) -> Result<(), Error> {
        let mut violations = self.path_violations();
        violations.extend(validate::category(category));
        violations.into_result()?;
        self.client
            .send(self.request(Operation::PutCategory).body(json_body(category)))
            .await?;
        Ok(())
    }

    /// Posts the order's receipt
    /// (`POST /order-management/v2/{paymentType}/receipts/{orderId}`).
    ///
    /// **Idempotent: call it until it returns `Ok`.** That is safe from any
    /// job queue, any number of times, across retries and restarts: a
    /// receipt is never stored twice, and never lost. Receipts are written
    /// once per order; whenever the service answers 409 (a receipt exists),
    /// on the first attempt or on a retry, this call gets the order and
    /// compares the stored receipt with `receipt`
    /// ([`Receipt::same_as`](crate::Receipt::same_as)):
    ///
    /// - the same receipt: `Ok` with [`ReceiptPosted::already_stored`] set;
    /// - a different one: [`Error::ReceiptConflict`] carrying both (this
    ///   order id already has another receipt, for good);
    /// - the order could not be read: [`Error::ReceiptUnverified`], with the
    ///   get-order failure as its source. Call again later.
    ///
    /// The comparison runs inside this call: under the same deadline and
    /// retry budget, and its errors name the receipt.
    pub async fn post_receipt(&self, receipt: &Receipt) -> Result<ReceiptPosted, Error> {
        let mut violations = self.path_violations();
        violations.extend(validate::receipt(receipt));
        violations.into_result()?;
        let limits = self.client.limits(&self.options);
        let request = self
            .request(Operation::PostReceipt)
            .body(json_body(receipt))
            .within(&limits)
            .reads(Reads::Also(&[StatusCode::CONFLICT]));
        let reply = self.client.send(request).await?;
        if reply.status == StatusCode::CONFLICT {
            return self.reconcile(receipt, reply, &limits).await;
        }
        Ok(ReceiptPosted {
            id: reply.text(),
            already_stored: false,
        })
    }

    /// After a 409: is the stored receipt the one sent?
    async fn reconcile(&self, sent: &Receipt, conflict: Reply, limits: &Limits) -> Result<ReceiptPosted, Error> {
        let unverified = |source: Option<Error>| Error::ReceiptUnverified {
            body: ErrorBody::parse(&conflict.body),
            source: source.map(Box::new),
        };
        let stored = match self.read(limits).await.and_then(|reply| reply.json::<Order>()) {
            Ok(order) => order.receipt,
            Err(e) => return Err(unverified(Some(e))),
        };
        match stored {
            None => Err(unverified(None)),
            Some(stored) if sent.same_as(&stored) => {
                tracing::info!(
                    after_unknown_outcome = conflict.after_unknown_outcome,
                    "the receipt was already stored; it equals the one sent"
                );
                Ok(ReceiptPosted {
                    id: None,
                    already_stored: true,
                })
            }
            Some(stored) => Err(Error::ReceiptConflict {
                sent: Box::new(sent.clone()),
                stored: Box::new(stored),
                body: ErrorBody::parse(&conflict.body),
            }),
        }
    }

    /// Gets the order's category and receipt
    /// (`GET /order-management/v2/{paymentType}/{orderId}`). A 404
    /// ([`Error::is_not_found`]) means neither was written.
    pub async fn get(&self) -> Result<Order, Error> {
        self.path_violations().into_result()?;
        self.read(&self.client.limits(&self.options)).await?.json()
    }

    /// Gets the order as the service answered it: its JSON text exactly as
    /// received (every field, deprecated and unknown ones included, numbers
    /// as written), for tools that show or keep it unchanged. [`get`]
    /// decodes the same answer into an [`Order`].
    ///
    /// [`get`]: OrderHandle::get
    pub async fn get_raw(&self) -> Result<String, Error> {
        self.path_violations().into_result()?;
        let reply = self.read(&self.client.limits(&self.options)).await?;
        reply.json::<serde::de::IgnoredAny>()?;
        String::from_utf8(reply.body.to_vec()).map_err(|_| reply.malformed("the answer is not UTF-8 text"))
    }

    /// The get-order call's successful answer, within `limits`.
    async fn read(&self, limits: &Limits) -> Result<Reply, Error> {
        self.client.send(self.request(Operation::GetOrder).within(limits)).await
    }
}
