//! Wire types: the request and response bodies of the API, field by field as
//! the spec names them (camelCase on the wire). Requests leave out `None`
//! fields; responses decode leniently (unknown fields ignored, `null` and
//! absent alike).

mod category;
mod enums;
mod ids;
mod image;
mod lenient;
mod order;
mod receipt;

pub use category::{Category, CategoryCreated, CategoryList, CategoryV3, NewCategory};
pub use enums::{BarcodeFormat, CategoryType, Currency, PaymentType, QuantityUnit};
pub use ids::{CategoryId, ImageId, OrderId};
pub use image::{ImageBody, ImageCreated};
pub use order::{format_minor_units, Order};
pub use receipt::{Barcode, BottomLine, OrderLine, PaymentSources, Receipt, UnitInfo};
