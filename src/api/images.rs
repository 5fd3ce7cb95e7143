//! The image upload call: `client.images()`.

use bytes::Bytes;
use reqwest::StatusCode;

use crate::client::Client;
use crate::error::Error;
use crate::image_file::ImageUpload;
use crate::model::{ImageCreated, ImageId};
use crate::operation::Operation;
use crate::transport::{call_options_setters, CallOptions, Reply};

use super::{Reads, Request};

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
        let request = Request::new(Operation::UploadImage, &self.options)
            .body(Bytes::from(image.json_body()))
            .reads(Reads::Also(&[StatusCode::CONFLICT, StatusCode::BAD_REQUEST]));
        let reply = self.client.send(request).await?;
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
