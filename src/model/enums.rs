//! The API's closed sets of values. Each decodes a value it does not know
//! into `Unknown(..)` instead of failing, so a new value on the server never
//! breaks a merchant's `get order`; sending an `Unknown` value is refused by
//! local validation.

macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $wire:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of the crate does not know, as the server sent it.
            Unknown(String),
        }

        impl $name {
            /// Every value the API documents, in the spec's order.
            pub const KNOWN: &'static [$name] = &[ $( $name::$variant ),+ ];

            /// The value exactly as it goes on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )+
                    $name::Unknown(other) => other,
                }
            }

            /// `false` for [`Self::Unknown`].
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Unknown(_))
            }

            /// Reads a value, ignoring ASCII case; anything else is `Unknown`.
            pub fn parse_lenient(value: &str) -> Self {
                $( if value.eq_ignore_ascii_case($wire) { return $name::$variant; } )+
                $name::Unknown(value.to_owned())
            }
        }

        /// An absent value: `Unknown("")`. Lets a response with the field
        /// missing or `null` decode instead of failing.
        impl Default for $name {
            fn default() -> Self {
                $name::Unknown(String::new())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::error::Error;
            /// Parses a documented value (any ASCII case); an unknown one is an error.
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                match $name::parse_lenient(value) {
                    $name::Unknown(_) => Err(crate::error::Error::invalid(
                        stringify!($name),
                        format!(
                            "`{value}` is not one of {}",
                            $name::KNOWN.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
                        ),
                    )),
                    known => Ok(known),
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let value = String::deserialize(d)?;
                Ok($name::parse_lenient(&value))
            }
        }
    };
}

wire_enum! {
    /// Which API created the payment: the `{paymentType}` of the order paths.
    PaymentType {
        /// eCom API and ePayment API payments (`ECOM`).
        Ecom = "ECOM",
        /// Recurring API charges (`RECURRING`); the order id is the charge id.
        Recurring = "RECURRING",
    }
}

wire_enum! {
    /// What the link on the payment in the app is: the category of an order.
    CategoryType {
        /// A general link (`GENERAL`).
        General = "GENERAL",
        /// A receipt (`RECEIPT`).
        Receipt = "RECEIPT",
        /// An order confirmation (`ORDER_CONFIRMATION`).
        OrderConfirmation = "ORDER_CONFIRMATION",
        /// Delivery information (`DELIVERY`).
        Delivery = "DELIVERY",
        /// A ticket (`TICKET`).
        Ticket = "TICKET",
        /// A booking (`BOOKING`).
        Booking = "BOOKING",
    }
}

wire_enum! {
    /// The currency of a receipt.
    Currency {
        /// Norwegian krone.
        Nok = "NOK",
        /// Danish krone.
        Dkk = "DKK",
        /// Euro.
        Eur = "EUR",
    }
}

wire_enum! {
    /// The unit of an order line's quantity (the API's default is pieces).
    QuantityUnit {
        /// Pieces.
        Pcs = "PCS",
        /// Kilograms.
        Kg = "KG",
        /// Kilometres.
        Km = "KM",
        /// Minutes.
        Minute = "MINUTE",
        /// Litres.
        Litre = "LITRE",
        /// Kilowatt hours.
        Kwh = "KWH",
    }
}

wire_enum! {
    /// The symbology of a receipt's barcode.
    BarcodeFormat {
        /// EAN-13: 12 or 13 digits.
        Ean13 = "EAN-13",
        /// Code 39: upper-case letters, digits, space and `-.$/+%`.
        Code39 = "CODE 39",
        /// Code 128: printable ASCII.
        Code128 = "CODE 128",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_values_decode_and_round_trip() {
        let v: PaymentType = serde_json::from_str("\"ecom\"").unwrap();
        assert_eq!(v, PaymentType::Ecom);
        let v: CategoryType = serde_json::from_str("\"INVOICE\"").unwrap();
        assert_eq!(v, CategoryType::Unknown("INVOICE".into()));
        assert_eq!(serde_json::to_string(&v).unwrap(), "\"INVOICE\"");
        assert_eq!(serde_json::to_string(&BarcodeFormat::Code39).unwrap(), "\"CODE 39\"");
        assert!("BTC".parse::<Currency>().is_err());
        assert_eq!("recurring".parse::<PaymentType>().unwrap(), PaymentType::Recurring);
    }
}
