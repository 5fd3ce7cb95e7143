//! The calls on one order: put its category, post its receipt, get it.

use reqwest::{Method, StatusCode};

use crate::client::Client;
use crate::error::Error;
use crate::model::{Category, Order, OrderId, PaymentType, Receipt};
use crate::operation::Operation;
use crate::transport::{call_options_setters, json_body, Call, CallOptions};
use crate::validate::{self, Report};

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
pub struct OrderRequest<'c> {
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
    /// `true` when an earlier attempt of this call had already stored this
    /// very receipt (its answer was lost, the retry got 409, and the stored
    /// receipt equals the one sent).
    pub already_stored: bool,
}

impl<'c> OrderRequest<'c> {
    pub(crate) fn new(client: &'c Client, payment_type: PaymentType, order_id: OrderId) -> Self {
        OrderRequest {
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

    fn check_path(&self, report: &mut Report) {
        if !self.payment_type.is_known() {
            report.fail("paymentType", "must be ECOM or RECURRING");
        }
        report.extend(validate::order_id("orderId", self.order_id.as_str()));
    }

    fn call(&self, op: Operation, method: Method, kind: Option<&str>, body: Option<bytes::Bytes>) -> Call {
        let url = self.client.url(
            ["order-management", "v2", self.payment_type.as_str()]
                .into_iter()
                .chain(kind)
                .chain([self.order_id.as_str()]),
        );
        let mut call = Call::new(op, method, url, self.options.clone());
        call.body = body;
        call
    }

    /// Sets the order's category: the link (and image) on the payment in the
    /// app (`PUT /order-management/v2/{paymentType}/categories/{orderId}`).
    /// A new PUT replaces the previous category; retrying is always safe.
    pub async fn put_category(&self, category: &Category) -> Result<(), Error> {
        let mut report = Report::default();
        self.check_path(&mut report);
        report.extend(validate::category(category));
        report.into_result()?;
        let call = self.call(Operation::PutCategory, Method::PUT, Some("categories"), Some(json_body(category)));
        self.client.execute(call).await?.success()?;
        Ok(())
    }

    /// Posts the order's receipt
    /// (`POST /order-management/v2/{paymentType}/receipts/{orderId}`).
    ///
    /// A receipt is written once. When an attempt's answer is lost and the
    /// retry is refused with 409, the stored receipt is fetched and compared:
    /// the same receipt is success ([`ReceiptPosted::already_stored`]), a
    /// different one is [`Error::ReceiptConflict`]. A 409 on the first
    /// attempt is an error ([`Error::is_conflict`]).
    pub async fn post_receipt(&self, receipt: &Receipt) -> Result<ReceiptPosted, Error> {
        let mut report = Report::default();
        self.check_path(&mut report);
        report.extend(validate::receipt(receipt));
        if let Some(barcode) = &receipt.bottom_line.barcode {
            report.extend(validate::barcode("bottomLine.barcode.data", barcode));
        }
        report.into_result()?;
        let call = self.call(Operation::PostReceipt, Method::POST, Some("receipts"), Some(json_body(receipt)));
        let reply = self.client.execute(call).await?;
        if reply.status == StatusCode::CONFLICT && reply.after_unknown_outcome {
            let stored = self.get().await?.receipt.ok_or_else(|| reply.error())?;
            return if same_receipt(&stored, receipt) {
                tracing::info!("the receipt was stored by this call's earlier attempt");
                Ok(ReceiptPosted {
                    id: None,
                    already_stored: true,
                })
            } else {
                Err(Error::ReceiptConflict {
                    sent: Box::new(receipt.clone()),
                    stored: Box::new(stored),
                })
            };
        }
        let reply = reply.success()?;
        Ok(ReceiptPosted {
            id: reply.text(),
            already_stored: false,
        })
    }

    /// Gets the order's category and receipt
    /// (`GET /order-management/v2/{paymentType}/{orderId}`). A 404
    /// ([`Error::is_not_found`]) means neither was written.
    pub async fn get(&self) -> Result<Order, Error> {
        let mut report = Report::default();
        self.check_path(&mut report);
        report.into_result()?;
        let call = self.call(Operation::GetOrder, Method::GET, None, None);
        self.client.execute(call).await?.success()?.json()
    }
}

/// Compares two receipts as canonical JSON (what goes on the wire).
pub(crate) fn same_receipt(a: &Receipt, b: &Receipt) -> bool {
    serde_json::to_value(a).ok() == serde_json::to_value(b).ok()
}
