//! Thumbnails of uploaded images, made with bounded memory: an image's size is
//! read from its header first, and one larger than [`MAX_PIXELS`] (a decompression
//! bomb: a few kilobytes that would unpack into gigabytes) is never decoded.

use image::{ImageFormat, ImageReader, Limits};
use std::io::Cursor;

/// The largest image decoded for a thumbnail: 25 megapixels (a 6000 × 4000 photo).
pub const MAX_PIXELS: u64 = 25_000_000;
/// Memory the decoder may take (25 megapixels of 8-bit RGBA, with room to spare).
const MAX_DECODE_BYTES: u64 = 128 << 20;
/// The longest side of a thumbnail, in pixels.
pub const THUMBNAIL_SIDE: u32 = 320;

/// A thumbnail: its bytes and content type.
pub struct Thumbnail {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
}

/// The width and height an image's header claims, without decoding it.
pub fn dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    ImageReader::new(Cursor::new(bytes)).with_guessed_format().ok()?.into_dimensions().ok()
}

/// A thumbnail at most [`THUMBNAIL_SIDE`] pixels on its longest side: JPEG, or
/// PNG for images with transparency. `None` for images too large to decode, and
/// for anything the decoder refuses.
pub fn thumbnail(bytes: &[u8]) -> Option<Thumbnail> {
    let (width, height) = dimensions(bytes)?;
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return None;
    }
    let mut reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().ok()?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(width);
    limits.max_image_height = Some(height);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let image = reader.decode().ok()?;
    let small = if width <= THUMBNAIL_SIDE && height <= THUMBNAIL_SIDE {
        image
    } else {
        image.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE)
    };
    let mut out = Cursor::new(Vec::new());
    if small.color().has_alpha() {
        small.write_to(&mut out, ImageFormat::Png).ok()?;
        Some(Thumbnail { bytes: out.into_inner(), content_type: "image/png" })
    } else {
        small.to_rgb8().write_to(&mut out, ImageFormat::Jpeg).ok()?;
        Some(Thumbnail { bytes: out.into_inner(), content_type: "image/jpeg" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = image::RgbImage::from_pixel(width, height, image::Rgb([200, 30, 30]));
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn thumbnails_keep_the_shape_within_the_side() {
        let thumb = thumbnail(&png(1000, 500)).unwrap();
        assert_eq!(thumb.content_type, "image/jpeg");
        assert_eq!(dimensions(&thumb.bytes), Some((320, 160)));
        let small = thumbnail(&png(64, 48)).unwrap();
        assert_eq!(dimensions(&small.bytes), Some((64, 48)), "never enlarged");
    }

    #[test]
    fn what_is_not_an_image_has_no_thumbnail() {
        // A decompression bomb is in tests/it/files.rs.
        assert!(thumbnail(b"not an image").is_none());
        assert!(dimensions(b"not an image").is_none());
    }
}
