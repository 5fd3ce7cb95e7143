//! An image file to show with a category: reading and checking it (`inspect`),
//! and preparing it for upload (`upload`). The upload call itself is
//! [`crate::Images`].

mod inspect;
mod upload;

pub use inspect::{inspect, ImageInfo, ImageKind};
pub use upload::ImageUpload;
