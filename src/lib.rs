//! A typed async client for the Vipps MobilePay **Order Management API**:
//! attach receipts, categories (links) and images to Vipps and MobilePay
//! payments, so that customers see them in the app.
//!
//! - [`Client`] holds the credentials and the standard Vipps headers, and
//!   fetches, caches and refreshes access tokens for you.
//! - [`Client::order`] (or [`Client::ecom`] / [`Client::recurring`]) gives
//!   the calls on one order: [`put_category`](OrderHandle::put_category),
//!   [`post_receipt`](OrderHandle::post_receipt), [`get`](OrderHandle::get).
//! - [`Client::images`] uploads images; [`Client::categories`] holds the v3
//!   category calls.
//! - [`ReceiptBuilder`] turns unit prices, quantities, tax rates and
//!   discounts into order lines that add up. Amounts, tax rates and
//!   quantities have their own types ([`Amount`], [`TaxRate`],
//!   [`Quantity`], [`Money`]), so one cannot be passed for another, and
//!   every sum is checked.
//! - Every request is checked against the API's rules before it is sent
//!   ([`validate`]); a broken one is an [`Error::InvalidInput`] naming the field.
//! - Calls are retried on network failures, 423, 429, 500, 502, 503 and
//!   504 ([`RetryPolicy`]). [`OrderHandle::post_receipt`] is idempotent across
//!   calls and processes: a receipt is never doubled nor lost.
//! - The emulator, the crate `vipps-order-management-emulator`, runs the
//!   API in-process for tests and offline development, or as a server. It
//!   and the `vipps-om` tool (the CLI, the emulator as a service and the
//!   support console) are crates of their own, on this crate's public API.
//!
//! # Example
//!
//! ```no_run
//! use vipps_order_management::{
//!     Amount, Category, CategoryType, Client, Currency, ImageUpload, OrderLine, Receipt, TaxRate,
//! };
//!
//! # async fn demo(logo_png: Vec<u8>) -> Result<(), vipps_order_management::Error> {
//! let client = Client::from_env()?; // VIPPS_CLIENT_ID, VIPPS_CLIENT_SECRET, ...
//!
//! let image_id = client.images().upload(&ImageUpload::from_bytes(logo_png)?).await?;
//!
//! let order = client.ecom("order-123");
//! order
//!     .put_category(
//!         &Category::new(CategoryType::Receipt, "https://shop.example/orders/123")
//!             .with_image(image_id),
//!     )
//!     .await?;
//!
//! // 2 x socks at 125.00 NOK with 25 % VAT: 250.00, of which 50.00 tax.
//! let socks = OrderLine::new(
//!     "sku-1",
//!     "Socks",
//!     Amount::from_minor(25_000), // total, tax included
//!     Amount::from_minor(20_000), // total, tax excluded
//!     TaxRate::percent(25),
//! );
//! let receipt = Receipt::new(Currency::Nok, vec![socks]);
//! // Idempotent: call it until it returns Ok, from any job queue.
//! order.post_receipt(&receipt).await?;
//!
//! let stored = order.get().await?;
//! println!("{:?}", stored.receipt);
//! # Ok(()) }
//! ```
//!
//! # The types
//!
//! - Wire types ([`Receipt`], [`OrderLine`], [`BottomLine`], [`Category`],
//!   [`NewCategory`], ...) are `#[non_exhaustive]`: build them with their
//!   constructors and `with_*` setters, and read or change their fields
//!   directly. A field the API adds later is a new field, not a break.
//! - Amounts are [`Amount`]s (minor units, checked arithmetic), tax rates
//!   [`TaxRate`]s (`TaxRate::percent(25)`), quantities [`Quantity`]s (a
//!   decimal string, compared as a number), prices [`Money`] (an amount
//!   and a currency): distinct types, so one cannot stand in for another.
//! - Ids ([`OrderId`], [`ImageId`], [`CategoryId`]) and the closed sets of
//!   values ([`PaymentType`], [`Currency`], ...) are their own types too;
//!   an enum decodes a value it does not know as `Unknown(..)`.
//! - Everything fallible returns [`Error`]; builders and setters are
//!   `#[must_use]`; wire types are `Serialize`/`Deserialize`, and ids and
//!   money are `Display`.
//!
//! # Errors
//!
//! Every call returns [`Error`]. Its `Display` is written for the merchant's
//! staff (what happened, what to do); [`Error::status`],
//! [`Error::problem`], [`Error::is_conflict`], [`Error::is_not_found`] and
//! [`Error::is_retryable`] and [`Error::kind`] serve code. Secrets never
//! appear in `Debug`, `Display` or logs.
#![deny(missing_docs, missing_debug_implementations)]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod api;
mod auth;
pub mod check;
mod client;
mod clock;
mod error;
#[cfg(test)]
mod fuzz_tests;
pub mod headers;
mod image_file;
pub mod model;
mod money;
mod operation;
mod receipt_builder;
mod retry;
mod secret;
pub mod text;
#[cfg(all(feature = "rustls", not(feature = "native-tls")))]
mod tls;
mod transport;
pub mod validate;
mod view;

#[allow(deprecated)]
pub use api::OrderRequest;
pub use api::{Categories, Images, OrderHandle, ReceiptPosted};
pub use client::{Client, ClientBuilder, Environment, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, DEFAULT_TOKEN_MARGIN};
pub use error::{Error, ErrorBody, ErrorKind, GatewayError, Problem, Violation};
pub use image_file::{inspect as inspect_image, ImageInfo, ImageKind, ImageUpload};
#[allow(deprecated)]
pub use model::arithmetic::{included_tax, tax_included};
pub use model::{
    format_minor_units, Amount, Barcode, BarcodeFormat, BottomLine, Category, CategoryId, CategoryType, CategoryV3, Currency, Discrepancy,
    ImageId, NewCategory, Order, OrderId, OrderLine, Paid, PaymentSources, PaymentType, Quantity, QuantityUnit, Receipt, ShippingInfo,
    TaxRate, UnitInfo, VatGroup,
};
pub use money::Money;
pub use operation::Operation;
pub use receipt_builder::{LineItem, ReceiptBuilder};
pub use retry::{RetryPolicy, MAX_DURATION};
pub use secret::Secret;
pub use view::{LineView, ReceiptView};

/// The HTTP status type used in errors (re-exported from `reqwest`).
pub use reqwest::StatusCode;

/// The HTTP client this crate is built on (0.13), re-exported: name its
/// types through it ([`ClientBuilder::http_client`]'s builder, the source
/// of [`Error::Transport`]) instead of a reqwest dependency of your own that
/// must match this one.
pub use reqwest;

/// The URL crate of [`Client::base_url`], re-exported for the same reason.
pub use url;

/// The README's examples, compiled as doctests (they use the emulator, a
/// dev-dependency).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
