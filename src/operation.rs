//! The API's operations, named for errors, logs and the emulator's faults.

use std::fmt;

/// One operation of the API (or the access token fetch).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operation {
    /// `POST /accesstoken/get`.
    FetchToken,
    /// `POST /order-management/v1/images`.
    UploadImage,
    /// `PUT /order-management/v2/{paymentType}/categories/{orderId}`.
    PutCategory,
    /// `POST /order-management/v2/{paymentType}/receipts/{orderId}`.
    PostReceipt,
    /// `GET /order-management/v2/{paymentType}/{orderId}`.
    GetOrder,
    /// `POST /order-management/v3/categories`.
    AddCategory,
    /// `GET /order-management/v3/categories?orderId=`.
    ListCategories,
    /// `GET /order-management/v3/categories/{categoryId}`.
    GetCategory,
    /// `DELETE /order-management/v3/categories/{categoryId}`.
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

    /// The path segments of the operation's URL under the base URL: the
    /// one place the API's paths are written. `payment_type` goes where a
    /// v2 path has one, `id` (an order id, or a v3 category id) at the end
    /// where the path takes one.
    pub(crate) fn path<'a>(self, payment_type: &'a str, id: Option<&'a str>) -> Vec<&'a str> {
        let mut path = match self {
            Operation::FetchToken => return vec!["accesstoken", "get"],
            Operation::UploadImage => return vec!["order-management", "v1", "images"],
            Operation::PutCategory => vec!["order-management", "v2", payment_type, "categories"],
            Operation::PostReceipt => vec!["order-management", "v2", payment_type, "receipts"],
            Operation::GetOrder => vec!["order-management", "v2", payment_type],
            Operation::AddCategory | Operation::ListCategories => return vec!["order-management", "v3", "categories"],
            Operation::GetCategory | Operation::DeleteCategory => vec!["order-management", "v3", "categories"],
        };
        path.extend(id);
        path
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
    pub(crate) fn from_name(name: &str) -> Option<Operation> {
        Operation::ALL.into_iter().find(|op| op.name() == name)
    }

    /// Every operation's name, comma-separated: for messages naming them.
    pub(crate) fn names() -> String {
        Operation::ALL.map(|op| op.name()).join(", ")
    }
}

/// Reads a name of [`Operation::name`] (`post_receipt`, ...).
impl std::str::FromStr for Operation {
    type Err = crate::Error;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Operation::from_name(name)
            .ok_or_else(|| crate::Error::invalid("operation", format!("`{name}` is not one of {}", Operation::names())))
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
