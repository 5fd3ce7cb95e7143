//! Identifier newtypes, so an order id cannot be passed where an image id
//! belongs. They are checked against the API's rules when a request is made
//! (see [`crate::validate`]), not when they are built, so reading an id back
//! from the server never fails.

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps an id as given.
            pub fn new(id: impl Into<String>) -> Self {
                $name(id.into())
            }

            /// The id as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The id as an owned string.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                $name(id.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                $name(id)
            }
        }

        impl From<&String> for $name {
            fn from(id: &String) -> Self {
                $name(id.clone())
            }
        }

        impl From<&$name> for $name {
            fn from(id: &$name) -> Self {
                id.clone()
            }
        }
    };
}

id_type! {
    /// The merchant's own reference of a payment (`reference` in the ePayment
    /// API, `orderId` in eCom, the charge id in Recurring): characters
    /// `0-9 A-Z a-z - _ .`.
    OrderId
}

id_type! {
    /// The id of an uploaded image: characters `0-9 A-Z a-z - _ .`, 1 to 128 long.
    ImageId
}

id_type! {
    /// The id the service gives a v3 category (a UUID).
    CategoryId
}
