//! The console's pages, as maud markup: checked at compile time, every
//! value escaped (a receipt line named `<img src=x onerror=alert(1)>`
//! shows as text), data isolated in `<bdi>` with its direction marks shown
//! escaped (a right-to-left override in a name cannot reorder the page).
//! No scripts, nothing from other hosts; readable on a phone, usable by
//! keyboard, in the staff's language.
//!
//! `layout` holds what every page has (its context `Cx`, the frame with
//! the language switch, data and links shown safely, the trouble box, a
//! page streamed in two parts), `forms` the lookup, sign-in and error
//! pages, `order` the order page, `receipt` the receipt's lines, VAT,
//! payment and details, `audit` the audit trail's view.

mod audit;
mod deliveries;
mod forms;
pub(in crate::console) mod language;
mod layout;
pub(in crate::console) mod numbers;
mod order;
mod receipt;
pub(in crate::console) mod trouble;

pub use audit::audit;
pub use deliveries::{undelivered, unshown, unshown_content};
pub use forms::{login, lookup, signed_on, store_failed, trouble, trouble_content};
pub use layout::{arrived, streamed, Cx, OutboxShown};
pub use order::{order, order_content};

/// The stylesheet, served at `/assets/console.css`.
pub const STYLESHEET: &str = include_str!("console.css");
