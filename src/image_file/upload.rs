//! An image ready to upload: checked, with its id (derived from its bytes
//! unless given), and encoded straight into the request body.

use std::path::Path;

use base64::Engine as _;

use super::inspect::{inspect, ImageInfo};
use crate::error::Error;
use crate::model::ImageId;
use crate::validate::{self, IMAGE_MAX_BYTES};

/// An image ready to upload: checked, with its id.
///
/// ```
/// # fn demo(png: Vec<u8>) -> Result<(), vipps_order_management::Error> {
/// use vipps_order_management::ImageUpload;
/// let upload = ImageUpload::from_bytes(png)?;      // id derived from the bytes
/// let named = upload.clone().with_id("logo-2026"); // or an id of your own
/// # let _ = named; Ok(()) }
/// ```
#[derive(Clone)]
pub struct ImageUpload {
    id: ImageId,
    /// The id derived from the bytes ([`ImageUpload::content_id`]).
    content_id: ImageId,
    bytes: Vec<u8>,
    info: ImageInfo,
}

impl std::fmt::Debug for ImageUpload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImageUpload")
            .field("id", &self.id)
            .field("kind", &self.info.kind)
            .field("height", &self.info.height)
            .field("len", &self.bytes.len())
            .finish()
    }
}

impl ImageUpload {
    /// Checks the bytes (see [`inspect`]) and gives the upload an id derived
    /// from them ([`ImageUpload::content_id`]), so the same picture always
    /// gets the same id and is stored once.
    pub fn from_bytes(bytes: impl Into<Vec<u8>>) -> Result<Self, Error> {
        let bytes = bytes.into();
        let info = inspect(&bytes)?;
        let content_id = Self::content_id(&bytes);
        Ok(ImageUpload {
            id: content_id.clone(),
            content_id,
            bytes,
            info,
        })
    }

    /// Reads and checks an image file. At most 2 MB and one byte are read,
    /// whatever the file claims to be (a pipe or a device says nothing).
    pub async fn from_path(path: impl AsRef<Path>) -> Result<Self, Error> {
        use tokio::io::AsyncReadExt as _;
        let path = path.as_ref();
        let cannot = |e: std::io::Error| Error::invalid("src", format!("cannot read {}: {e}", path.display()));
        let file = tokio::fs::File::open(path).await.map_err(cannot)?;
        let mut bytes = Vec::new();
        file.take(IMAGE_MAX_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .await
            .map_err(cannot)?;
        if bytes.len() > IMAGE_MAX_BYTES {
            return Err(Error::invalid(
                "src",
                format!(
                    "the image {} is larger than {IMAGE_MAX_BYTES} bytes (2 MB, as the API guide has it), the most the API accepts",
                    path.display()
                ),
            ));
        }
        Self::from_bytes(bytes)
    }

    /// Uses this id instead of the content-derived one.
    #[must_use]
    pub fn with_id(mut self, id: impl Into<ImageId>) -> Self {
        self.id = id.into();
        self
    }

    /// The id derived from an image's bytes: the lower-case hex SHA-512
    /// (128 characters, the API's maximum), as the WooCommerce plugin does.
    pub fn content_id(bytes: &[u8]) -> ImageId {
        let digest = hmac_sha512::Hash::hash(bytes);
        let mut hex = String::with_capacity(128);
        for b in digest {
            hex.push_str(&format!("{b:02x}"));
        }
        ImageId::new(hex)
    }

    /// The id the image will be stored under.
    pub fn id(&self) -> &ImageId {
        &self.id
    }

    /// `true` when the id is derived from the bytes, so an image stored
    /// under it is this very image.
    pub fn has_content_id(&self) -> bool {
        self.id == self.content_id
    }

    /// Format and height.
    pub fn info(&self) -> ImageInfo {
        self.info
    }

    /// The image's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Checks the id.
    pub(crate) fn validate(&self) -> Result<(), Error> {
        let violations = validate::image_id("imageId", self.id.as_str());
        if violations.is_empty() {
            Ok(())
        } else {
            Err(Error::from_violations(violations))
        }
    }

    /// The JSON body `{"imageId":..,"src":<base64>,"type":"base64"}`,
    /// encoded straight into one buffer.
    pub(crate) fn json_body(&self) -> Vec<u8> {
        let id = serde_json::to_string(self.id.as_str()).expect("a string always serializes");
        let b64_len = self.bytes.len().div_ceil(3) * 4;
        let mut out = String::with_capacity(b64_len + id.len() + 40);
        out.push_str("{\"imageId\":");
        out.push_str(&id);
        out.push_str(",\"src\":\"");
        base64::engine::general_purpose::STANDARD.encode_string(&self.bytes, &mut out);
        out.push_str("\",\"type\":\"base64\"}");
        out.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image_file::inspect::tests::png;

    #[test]
    fn body_is_the_spec_shape() {
        let up = ImageUpload::from_bytes(png(200)).unwrap().with_id("logo");
        let v: serde_json::Value = serde_json::from_slice(&up.json_body()).unwrap();
        assert_eq!(v["imageId"], "logo");
        assert_eq!(v["type"], "base64");
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(v["src"].as_str().unwrap())
            .unwrap();
        assert_eq!(decoded, png(200));
        // The SHA-512 of "abc" (FIPS 180-2, appendix C).
        assert_eq!(
            ImageUpload::content_id(b"abc").as_str(),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
        );
    }
}
