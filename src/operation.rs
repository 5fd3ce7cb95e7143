//! The API's operations: the one table of the API (each operation's
//! method and path template, as the API's reference writes them), used by
//! the handles, the token endpoint, the go-live check's probes and the
//! emulator crate's router; and their names for errors, logs and faults.

use std::fmt;

use reqwest::Method;

/// One operation of the API (or the access token fetch). Its method and
/// path are [`Operation::method`] and [`Operation::path_template`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operation {
    /// Fetches an access token.
    FetchToken,
    /// Uploads an image.
    UploadImage,
    /// Sets an order's category (v2).
    PutCategory,
    /// Posts an order's receipt.
    PostReceipt,
    /// Gets an order: its category, image and receipt.
    GetOrder,
    /// Adds a category to an order (v3).
    AddCategory,
    /// Lists an order's categories (v3).
    ListCategories,
    /// Gets a category (v3).
    GetCategory,
    /// Deletes a category (v3).
    DeleteCategory,
}

impl Operation {
    /// Every operation, in the order of the API's reference.
    pub const ALL: [Operation; 9] = [
        Operation::FetchToken,
        Operation::UploadImage,
        Operation::PutCategory,
        Operation::PostReceipt,
        Operation::GetOrder,
        Operation::AddCategory,
        Operation::ListCategories,
        Operation::GetCategory,
        Operation::DeleteCategory,
    ];

    /// A short name for logs: `post_receipt`, `get_order`, ...
    pub fn name(self) -> &'static str {
        match self {
            Operation::FetchToken => "fetch_token",
            Operation::UploadImage => "upload_image",
            Operation::PutCategory => "put_category",
            Operation::PostReceipt => "post_receipt",
            Operation::GetOrder => "get_order",
            Operation::AddCategory => "add_category",
            Operation::ListCategories => "list_categories",
            Operation::GetCategory => "get_category",
            Operation::DeleteCategory => "delete_category",
        }
    }

    /// The operation's HTTP method and path template, as the API's
    /// reference writes them: the one place they are written.
    fn row(self) -> (Method, &'static str) {
        match self {
            Operation::FetchToken => (Method::POST, "/accesstoken/get"),
            Operation::UploadImage => (Method::POST, "/order-management/v1/images"),
            Operation::PutCategory => (Method::PUT, "/order-management/v2/{paymentType}/categories/{orderId}"),
            Operation::PostReceipt => (Method::POST, "/order-management/v2/{paymentType}/receipts/{orderId}"),
            Operation::GetOrder => (Method::GET, "/order-management/v2/{paymentType}/{orderId}"),
            Operation::AddCategory => (Method::POST, "/order-management/v3/categories"),
            Operation::ListCategories => (Method::GET, "/order-management/v3/categories"),
            Operation::GetCategory => (Method::GET, "/order-management/v3/categories/{categoryId}"),
            Operation::DeleteCategory => (Method::DELETE, "/order-management/v3/categories/{categoryId}"),
        }
    }

    /// The operation's HTTP method.
    ///
    /// ```
    /// use vipps_order_management::{reqwest::Method, Operation};
    /// assert_eq!(Operation::PutCategory.method(), Method::PUT);
    /// ```
    pub fn method(self) -> Method {
        self.row().0
    }

    /// The operation's path template under the base URL, as the API's
    /// reference writes it: fixed parts, and `{paymentType}`, `{orderId}`
    /// or `{categoryId}` where a value goes. A query (the v3 list's
    /// `orderId`) is not part of it.
    ///
    /// ```
    /// use vipps_order_management::Operation;
    /// assert_eq!(
    ///     Operation::PostReceipt.path_template(),
    ///     "/order-management/v2/{paymentType}/receipts/{orderId}"
    /// );
    /// ```
    pub fn path_template(self) -> &'static str {
        self.row().1
    }

    /// The path segments of the operation's URL under the base URL, from
    /// its [`path_template`](Operation::path_template): `payment_type` for
    /// `{paymentType}`, `id` (an order id, or a v3 category id) for
    /// `{orderId}` or `{categoryId}`.
    pub(crate) fn path<'a>(self, payment_type: &'a str, id: Option<&'a str>) -> Vec<&'a str> {
        self.path_template()
            .split('/')
            .skip(1)
            .filter_map(|part| match part {
                "{paymentType}" => Some(payment_type),
                "{orderId}" | "{categoryId}" => id,
                fixed => Some(fixed),
            })
            .collect()
    }

    /// What the operation does, in words for a message to people.
    pub fn describe(self) -> &'static str {
        match self {
            Operation::FetchToken => "fetching an access token",
            Operation::UploadImage => "uploading the image",
            Operation::PutCategory => "setting the order's category",
            Operation::PostReceipt => "posting the receipt",
            Operation::GetOrder => "getting the order",
            Operation::AddCategory => "adding the category",
            Operation::ListCategories => "listing the order's categories",
            Operation::GetCategory => "getting the category",
            Operation::DeleteCategory => "deleting the category",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Operation {
    /// The operation of a [`Operation::name`], when it is one.
    pub fn from_name(name: &str) -> Option<Operation> {
        Operation::ALL.into_iter().find(|op| op.name() == name)
    }

    /// Every operation's name, comma-separated: for messages naming them.
    pub fn names() -> String {
        Operation::ALL.map(|op| op.name()).join(", ")
    }
}

/// Reads a name of [`Operation::name`] (`post_receipt`, ...).
impl std::str::FromStr for Operation {
    type Err = crate::error::Error;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Operation::from_name(name)
            .ok_or_else(|| crate::error::Error::invalid("operation", format!("`{name}` is not one of {}", Operation::names())))
    }
}

/// As its [`Operation::name`].
impl serde::Serialize for Operation {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// From its [`Operation::name`].
impl<'de> serde::Deserialize<'de> for Operation {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Operation::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown operation `{name}`; it is one of {}", Operation::names())))
    }
}
