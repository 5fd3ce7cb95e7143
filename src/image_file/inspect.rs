//! What an image is, read from its bytes: PNG or JPEG (by content, not
//! name), its height, and whether it keeps the API's rules.

use crate::error::Error;
use crate::validate::{IMAGE_MAX_BYTES, IMAGE_MIN_HEIGHT};

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
/// rules: PNG or JPEG (by content, not name), whole, at most 2 MB, at least
/// 167 pixels high. The error, an [`Error::InvalidInput`] for the field
/// `src`, says what is wrong; it never panics.
pub fn inspect(bytes: &[u8]) -> Result<ImageInfo, Error> {
    read_image(bytes).map_err(|reason| Error::invalid("src", format!("the image {reason}")))
}

fn read_image(bytes: &[u8]) -> Result<ImageInfo, String> {
    if bytes.len() > IMAGE_MAX_BYTES {
        return Err(format!(
            "is {} bytes; the API accepts at most {IMAGE_MAX_BYTES} bytes (2 MB, as the API guide has it)",
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A PNG of 1 × `height` pixels, as far as its header goes.
    pub(crate) fn png(height: u32) -> Vec<u8> {
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
        assert!(read_image(&png(100)).unwrap_err().contains("167"));
        let p = png(200);
        assert!(read_image(&p[..p.len() - 3]).unwrap_err().contains("truncated"));
        assert!(read_image(&p[..20]).unwrap_err().contains("truncated"));
        let err = inspect(&p[..20]).unwrap_err();
        assert!(matches!(&err, Error::InvalidInput { field, .. } if field == "src"), "{err:?}");
    }

    /// The height rule at its edge: 167 pixels pass, 166 do not, whatever
    /// the format, from `inspect` and from `ImageUpload`.
    #[test]
    fn the_height_rule_holds_at_167_pixels() {
        assert_eq!(inspect(&png(IMAGE_MIN_HEIGHT)).unwrap().height, 167);
        let err = inspect(&png(166)).unwrap_err();
        assert!(err.to_string().contains("is 166 pixels high; the API needs at least 167"), "{err}");
        let jpeg = |h: u16| {
            let [hi, lo] = h.to_be_bytes();
            vec![0xFF, 0xD8, 0xFF, 0xC0, 0, 11, 8, hi, lo, 0, 10, 1, 1, 0x11, 0]
        };
        assert_eq!(inspect(&jpeg(167)).unwrap().height, 167);
        assert!(inspect(&jpeg(166)).is_err());
        assert!(crate::image_file::ImageUpload::from_bytes(png(167)).is_ok());
        assert!(crate::image_file::ImageUpload::from_bytes(png(166)).is_err());
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
        assert!(read_image(&jpeg[..9]).unwrap_err().contains("JPEG"));
        assert!(read_image(b"GIF89a....").unwrap_err().contains("GIF"));
        assert!(read_image(b"hello").unwrap_err().contains("not a PNG"));
        assert!(read_image(&[]).unwrap_err().contains("empty"));
    }
}
