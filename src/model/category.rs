//! Categories: the link on the payment in the app, with an optional image.

use serde::{Deserialize, Serialize};

use super::enums::{CategoryType, PaymentType};
use super::ids::{CategoryId, ImageId, OrderId};
use super::lenient::null_as_default;

/// The v2 category of an order (`Order` in the spec): one per order, each
/// PUT replaces the previous one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Category {
    /// What the link is.
    #[serde(default, deserialize_with = "null_as_default")]
    pub category: CategoryType,
    /// Where the link goes: an absolute https URL at the merchant.
    #[serde(default, deserialize_with = "null_as_default")]
    pub order_details_url: String,
    /// An uploaded image shown with the link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_id: Option<ImageId>,
}

impl Category {
    /// A category of this type linking to `order_details_url`.
    #[must_use]
    pub fn new(category: CategoryType, order_details_url: impl Into<String>) -> Self {
        Category {
            category,
            order_details_url: order_details_url.into(),
            image_id: None,
        }
    }

    /// Shows this uploaded image with the link.
    #[must_use]
    pub fn with_image(mut self, image_id: impl Into<ImageId>) -> Self {
        self.image_id = Some(image_id.into());
        self
    }
}

/// The body of a v3 category POST (`AddCategoryRequest` in the spec).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NewCategory {
    /// The order the category belongs to.
    pub order_id: OrderId,
    /// Which API created the payment.
    pub payment_type: PaymentType,
    /// What the link is.
    #[serde(rename = "type")]
    pub category_type: CategoryType,
    /// Where the link goes: an absolute https URL at the merchant.
    pub url: String,
    /// An uploaded image shown with the link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_id: Option<ImageId>,
}

impl NewCategory {
    /// A v3 category for this order.
    #[must_use]
    pub fn new(payment_type: PaymentType, order_id: impl Into<OrderId>, category_type: CategoryType, url: impl Into<String>) -> Self {
        NewCategory {
            order_id: order_id.into(),
            payment_type,
            category_type,
            url: url.into(),
            image_id: None,
        }
    }

    /// Shows this uploaded image with the link.
    #[must_use]
    pub fn with_image(mut self, image_id: impl Into<ImageId>) -> Self {
        self.image_id = Some(image_id.into());
        self
    }
}

/// A stored v3 category (`Category` in the spec's v3 operations).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CategoryV3 {
    /// The id the service gave it.
    #[serde(default, deserialize_with = "null_as_default")]
    pub category_id: Option<CategoryId>,
    /// The order it belongs to.
    #[serde(default, deserialize_with = "null_as_default")]
    pub order_id: Option<OrderId>,
    /// Which API created the payment.
    #[serde(default, deserialize_with = "null_as_default")]
    pub payment_type: Option<PaymentType>,
    /// What the link is.
    #[serde(rename = "type", default, deserialize_with = "null_as_default")]
    pub category_type: Option<CategoryType>,
    /// Where the link goes.
    #[serde(default, deserialize_with = "null_as_default")]
    pub url: Option<String>,
    /// The image shown with the link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_id: Option<ImageId>,
}

/// The answer to a v3 category POST.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CategoryCreated {
    /// The new category's id.
    #[serde(default, deserialize_with = "null_as_default")]
    pub category_id: Option<CategoryId>,
}

/// The answer to a v3 category query by order id.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CategoryList {
    /// The order's categories.
    #[serde(default, deserialize_with = "null_as_default")]
    pub categories: Vec<CategoryV3>,
}
