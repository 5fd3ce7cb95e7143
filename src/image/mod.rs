//! Images shown with a category: reading and checking them (`inspect`),
//! and preparing one for upload (`upload`). The upload call itself is
//! [`crate::Images`].

mod inspect;
mod upload;

pub use inspect::{inspect, ImageInfo, ImageKind};
pub use upload::ImageUpload;
