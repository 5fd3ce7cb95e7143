//! Images: checking, encoding and uploading a picture shown with a category.

use std::path::Path;

use base64::Engine as _;

use bytes::Bytes;
use reqwest::{Method, StatusCode};

use crate::client::Client;
use crate::error::Error;
use crate::model::{ImageCreated, ImageId};
use crate::operation::Operation;
use crate::transport::{call_options_setters, Call, CallOptions, Reply};
use crate::validate::{self, IMAGE_MAX_BYTES, IMAGE_MIN_HEIGHT};

/// The image formats the API accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImageKind {
    /// PNG.
    Png,
    /// JPEG.
    Jpeg,
}

/// What [`inspect`] read from an image's header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImageInfo {
    /// PNG or JPEG.
    pub kind: ImageKind,
    /// Height in pixels.
    pub height: u32,
}

/// Reads an image's format and height from its bytes, and checks the API's
/// rules: PNG or JPEG (by content, not name), whole, at most 2 MiB, at least
/// 167 pixels high. The error, an [`Error::InvalidInput`] for the field
/// `src`, says what is wrong; it never panics.
pub fn inspect(bytes: &[u8]) -> Result<ImageInfo, Error> {
    check(bytes).map_err(|reason| Error::invalid("src", format!("the image {reason}")))
}

fn check(bytes: &[u8]) -> Result<ImageInfo, String> {
    if bytes.len() > IMAGE_MAX_BYTES {
        return Err(format!(
            "is {} bytes; the API accepts at most {IMAGE_MAX_BYTES} bytes (2 MiB)",
            bytes.len()
        ));
    }
    let info = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        png_info(bytes)?
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        jpeg_info(bytes)?
    } else if bytes.starts_with(b"GIF8") {
        return Err("is a GIF; the API accepts only PNG and JPEG, so convert it first".into());
    } else if bytes.is_empty() {
        return Err("is empty".into());
    } else {
        return Err("is not a PNG or JPEG image (its first bytes are neither)".into());
    };
    if info.height < IMAGE_MIN_HEIGHT {
        return Err(format!("is {} pixels high; the API needs at least {IMAGE_MIN_HEIGHT}", info.height));
    }
    Ok(info)
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

fn png_info(bytes: &[u8]) -> Result<ImageInfo, String> {
    if bytes.len() < 33 || &bytes[12..16] != b"IHDR" {
        return Err("is a truncated or damaged PNG (no IHDR header)".into());
    }
    if !bytes.ends_with(&[0xAE, 0x42, 0x60, 0x82]) || &bytes[bytes.len() - 8..bytes.len() - 4] != b"IEND" {
        return Err("is a truncated PNG (it does not end with the IEND chunk)".into());
    }
    Ok(ImageInfo {
        kind: ImageKind::Png,
        height: be32(&bytes[20..24]),
    })
}

fn jpeg_info(bytes: &[u8]) -> Result<ImageInfo, String> {
    let truncated = || "is a truncated or damaged JPEG (no frame header found)".to_owned();
    let mut i = 2;
    loop {
        while bytes.get(i) == Some(&0xFF) && bytes.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        if bytes.get(i) != Some(&0xFF) {
            return Err(truncated());
        }
        let marker = *bytes.get(i + 1).ok_or_else(truncated)?;
        i += 2;
        if marker == 0x01 || (0xD0..=0xD7).contains(&marker) {
            continue;
        }
        if marker == 0xD9 || marker == 0xDA {
            return Err(truncated());
        }
        let len = usize::from(u16::from_be_bytes([
            *bytes.get(i).ok_or_else(truncated)?,
            *bytes.get(i + 1).ok_or_else(truncated)?,
        ]));
        let is_sof = (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_sof {
            let h = bytes.get(i + 3..i + 5).ok_or_else(truncated)?;
            return Ok(ImageInfo {
                kind: ImageKind::Jpeg,
                height: u32::from(u16::from_be_bytes([h[0], h[1]])),
            });
        }
        if len < 2 {
            return Err(truncated());
        }
        i += len;
    }
}

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

    /// Reads and checks an image file. At most 2 MiB and one byte are read,
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
                    "the image {} is larger than {IMAGE_MAX_BYTES} bytes (2 MiB), the most the API accepts",
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
        let digest = ring::digest::digest(&ring::digest::SHA512, bytes);
        let mut hex = String::with_capacity(128);
        for b in digest.as_ref() {
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

/// Image uploads: `client.images()`.
#[derive(Debug, Clone)]
#[must_use]
pub struct Images<'c> {
    client: &'c Client,
    options: CallOptions,
}

impl<'c> Images<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Images {
            client,
            options: CallOptions::default(),
        }
    }

    call_options_setters!();

    /// Uploads an image (`POST /order-management/v1/images`) and returns the
    /// id it is stored under, for [`crate::Category::with_image`].
    ///
    /// Images cannot be overwritten, and the service refuses an id that
    /// exists (409, or 400 "duplicate" in older versions). Under the
    /// content-derived id of [`ImageUpload::from_bytes`] that refusal is
    /// success, on any attempt and in any later call: the same id means the
    /// same bytes, so the picture is stored once however often it is
    /// uploaded. Under an id of your own ([`ImageUpload::with_id`]) it is
    /// success only on this call's own retry after an answer that was lost
    /// or a 5xx; otherwise it is a conflict error ([`Error::is_conflict`]).
    ///
    /// ```no_run
    /// # async fn demo(client: vipps_order_management::Client, png: Vec<u8>) -> Result<(), vipps_order_management::Error> {
    /// use vipps_order_management::ImageUpload;
    /// let image_id = client.images().upload(&ImageUpload::from_bytes(png)?).await?;
    /// # let _ = image_id; Ok(()) }
    /// ```
    pub async fn upload(&self, image: &ImageUpload) -> Result<ImageId, Error> {
        image.validate()?;
        let url = self.client.url(["order-management", "v1", "images"])?;
        let mut call = Call::new(Operation::UploadImage, Method::POST, url, self.options.clone());
        call.body = Some(Bytes::from(image.json_body()));
        let reply = self.client.execute(call).await?;
        if is_duplicate_refusal(&reply) && (image.has_content_id() || reply.after_unknown_outcome) {
            tracing::info!(
                image_id = image.id().as_str(),
                content_id = image.has_content_id(),
                "the image is already stored under this id"
            );
            return Ok(image.id().clone());
        }
        let reply = reply.success()?;
        let created: ImageCreated = if reply.body.trim_ascii().is_empty() {
            ImageCreated::default()
        } else {
            reply.json()?
        };
        Ok(created.image_id.unwrap_or_else(|| image.id().clone()))
    }
}

/// A refusal because the image id exists: 409, or the older 400 whose
/// message says duplicate.
fn is_duplicate_refusal(reply: &Reply) -> bool {
    match reply.status {
        StatusCode::CONFLICT => true,
        StatusCode::BAD_REQUEST => String::from_utf8_lossy(&reply.body).to_ascii_lowercase().contains("duplicate"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(height: u32) -> Vec<u8> {
        let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        b.extend_from_slice(&1u32.to_be_bytes());
        b.extend_from_slice(&height.to_be_bytes());
        b.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
        b.extend_from_slice(&[0, 0, 0, 0]);
        b.extend_from_slice(b"IEND\xAE\x42\x60\x82");
        b
    }

    #[test]
    fn png_height_is_read_and_checked() {
        assert_eq!(inspect(&png(200)).unwrap().height, 200);
        assert!(check(&png(100)).unwrap_err().contains("167"));
        let p = png(200);
        assert!(check(&p[..p.len() - 3]).unwrap_err().contains("truncated"));
        assert!(check(&p[..20]).unwrap_err().contains("truncated"));
        let err = inspect(&p[..20]).unwrap_err();
        assert!(matches!(&err, Error::InvalidInput { field, .. } if field == "src"), "{err:?}");
    }

    #[test]
    fn jpeg_gif_and_junk() {
        // SOI, APP0 (len 4), SOF0 with height 300.
        let jpeg = [
            0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 0, 0, 0xFF, 0xC0, 0, 11, 8, 0x01, 0x2C, 0, 10, 1, 1, 0x11, 0,
        ];
        assert_eq!(
            inspect(&jpeg).unwrap(),
            ImageInfo {
                kind: ImageKind::Jpeg,
                height: 300
            }
        );
        assert!(check(&jpeg[..9]).unwrap_err().contains("JPEG"));
        assert!(check(b"GIF89a....").unwrap_err().contains("GIF"));
        assert!(check(b"hello").unwrap_err().contains("not a PNG"));
        assert!(check(&[]).unwrap_err().contains("empty"));
    }

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
