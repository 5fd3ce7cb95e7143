//! The API's operation handles, together: the calls on one order
//! (`OrderHandle`: its category, its receipt, reading it), image uploads
//! (`Images`) and the v3 categories (`Categories`). Each checks what it is
//! given, builds a [`Request`] and reaches the transport with one call,
//! `Client::send`; what it does with the answer is its own.

mod categories;
mod images;
mod order;
mod request;

pub use categories::Categories;
pub use images::Images;
#[allow(deprecated)]
pub use order::{OrderHandle, OrderRequest, ReceiptPosted};
pub(crate) use request::{Reads, Request};
