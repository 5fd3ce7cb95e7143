//! The answer to an image upload.

use serde::{Deserialize, Serialize};

use super::ids::ImageId;
use super::lenient::null_as_default;

/// The answer to an image upload (`ImageResponse` in the spec).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ImageCreated {
    /// The id the image is stored under.
    #[serde(default, deserialize_with = "null_as_default")]
    pub image_id: Option<ImageId>,
}
