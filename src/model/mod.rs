//! Wire types: the request and response bodies of the API, field by field as
//! the spec names them (camelCase on the wire), and the value types they
//! are made of ([`Amount`], [`TaxRate`], [`Quantity`], the ids and enums).
//! Requests leave out `None` fields (but send `null` for fields the spec
//! requires and allows to be null); responses decode leniently (unknown
//! fields ignored, `null` and absent alike).
//!
//! The structs are `#[non_exhaustive]`: build them with their constructors
//! and setters, read (and change) their fields directly. A field the API
//! adds later is then a new field, not a breaking change.

mod amount;
pub(crate) mod arithmetic;
mod category;
mod discrepancy;
mod enums;
mod ids;
mod image;
mod lenient;
mod order;
mod paid;
pub(crate) mod quantity;
mod receipt;
mod receipt_compare;
mod tax_rate;
mod vat;

pub(crate) use amount::format_minor;
pub use amount::{format_minor_units, Amount};
pub use category::{Category, CategoryCreated, CategoryList, CategoryV3, NewCategory};
pub use discrepancy::Discrepancy;
pub use enums::{BarcodeFormat, CategoryType, Currency, PaymentType, QuantityUnit};
pub use ids::{CategoryId, ImageId, OrderId};
pub use image::ImageCreated;
pub use order::Order;
pub use paid::Paid;
pub use quantity::Quantity;
pub use receipt::{Barcode, BottomLine, OrderLine, PaymentSources, Receipt, ShippingInfo, UnitInfo};
pub use tax_rate::TaxRate;
pub use vat::VatGroup;
