//! The image upload body and its answer.

use serde::{Deserialize, Serialize};

use super::ids::ImageId;
use super::lenient::null_as_default;

/// The body of an image upload (`Image` in the spec). Build it with
/// [`crate::ImageUpload`], which checks and encodes the bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageBody {
    /// The id the image is stored under.
    pub image_id: ImageId,
    /// Base64 of the PNG or JPEG bytes.
    pub src: String,
    /// Always `"base64"`.
    #[serde(rename = "type")]
    pub src_type: String,
}

/// The answer to an image upload.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageCreated {
    /// The id the image is stored under.
    #[serde(default, deserialize_with = "null_as_default")]
    pub image_id: Option<ImageId>,
}
