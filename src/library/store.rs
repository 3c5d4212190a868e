//! Image files, named by the SHA-256 of their bytes and never re-encoded: `images/ab/abcdef….png`, with
//! thumbnails beside them (`….256.jpg`, `….512.jpg`). Every write goes to a temporary file that is renamed
//! into place, so a crash leaves either the whole file or none.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::LibraryError;
use crate::imaging::{self, ImageError};

/// Longest side of each thumbnail kept on disk.
pub const THUMBNAIL_SIZES: [u32; 2] = [256, 512];
const THUMBNAIL_QUALITY: u8 = 85;
/// Largest image file accepted into the library.
pub const MAX_IMAGE_BYTES: usize = 96 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq)]
pub struct StoredImage {
    pub hash: String,
    /// Relative to the library root, with `/` separators.
    pub relative_path: String,
    pub width: u32,
    pub height: u32,
    pub bytes: u64,
}

#[derive(Debug, Clone)]
pub struct ImageStore {
    dir: PathBuf,
}

impl ImageStore {
    pub fn new(dir: PathBuf) -> ImageStore {
        ImageStore { dir }
    }

    /// Checks that `bytes` are a readable image within the limits, then stores them unchanged with their
    /// thumbnails. Storing the same bytes twice is a no-op. CPU and disk work: call off the UI thread.
    pub fn put(&self, bytes: &[u8]) -> Result<StoredImage, LibraryError> {
        self.put_new(bytes).map(|(stored, _)| stored)
    }

    /// [`put`], and the files this call wrote (none when the image was already stored), so that a caller
    /// whose larger operation fails can take back what it added. A failure part-way removes what this call
    /// wrote itself.
    ///
    /// [`put`]: ImageStore::put
    pub fn put_new(&self, bytes: &[u8]) -> Result<(StoredImage, Vec<PathBuf>), LibraryError> {
        let mut written = Vec::new();
        match self.put_tracked(bytes, &mut written) {
            Ok(stored) => Ok((stored, written)),
            Err(e) => {
                remove_files(&written);
                Err(e)
            }
        }
    }

    fn put_tracked(
        &self,
        bytes: &[u8],
        written: &mut Vec<PathBuf>,
    ) -> Result<StoredImage, LibraryError> {
        if bytes.len() > MAX_IMAGE_BYTES {
            return Err(too_large(bytes.len() as u64));
        }
        let decoded = imaging::decode_rgba(bytes)?;
        let hash = hex(&Sha256::digest(bytes));
        let extension = imaging::sniff_format(bytes)
            .and_then(|f| f.extensions_str().first().copied())
            .unwrap_or("img");
        let relative_path = format!("images/{}/{hash}.{extension}", &hash[..2]);
        let path = self
            .dir
            .join(&hash[..2])
            .join(format!("{hash}.{extension}"));
        if !path.exists() {
            write_atomically(&path, bytes)?;
            written.push(path);
        }
        let missing: Vec<u32> = THUMBNAIL_SIZES
            .into_iter()
            .filter(|size| !self.thumbnail_path(&hash, *size).exists())
            .collect();
        for (size, thumb) in missing.iter().zip(imaging::thumbnails(&decoded, &missing)?) {
            let thumbnail = self.thumbnail_path(&hash, *size);
            write_atomically(
                &thumbnail,
                &imaging::encode_jpeg(&thumb, THUMBNAIL_QUALITY)?,
            )?;
            written.push(thumbnail);
        }
        Ok(StoredImage {
            hash,
            relative_path,
            width: decoded.width(),
            height: decoded.height(),
            bytes: bytes.len() as u64,
        })
    }

    /// Writes `bytes` again if the file stored for them, or a thumbnail, is gone. Called once the row that
    /// refers to `stored` has committed: [`put`] skips bytes already on disk, and Empty Trash may have
    /// removed that file between the skip and the commit (it removes only files no committed row uses).
    ///
    /// [`put`]: ImageStore::put
    pub fn keep(&self, stored: &StoredImage, bytes: &[u8]) -> Result<(), LibraryError> {
        if !self.is_whole(stored) {
            self.put(bytes)?;
        }
        Ok(())
    }

    /// Whether the original and every thumbnail of `stored` are on disk.
    pub fn is_whole(&self, stored: &StoredImage) -> bool {
        let original = self.dir.join(
            stored
                .relative_path
                .strip_prefix("images/")
                .unwrap_or(&stored.relative_path),
        );
        original.exists()
            && THUMBNAIL_SIZES
                .iter()
                .all(|size| self.thumbnail_path(&stored.hash, *size).exists())
    }

    /// Reads a user's file (refusing one over the size limit before reading it) and stores it as [`put`]
    /// does. Errors name the file.
    ///
    /// [`put`]: ImageStore::put
    pub fn put_file(&self, path: &Path) -> Result<StoredImage, LibraryError> {
        let unreadable = |source| LibraryError::Unreadable {
            path: path.to_owned(),
            source,
        };
        let size = std::fs::metadata(path).map_err(unreadable)?.len();
        if size > MAX_IMAGE_BYTES as u64 {
            return Err(too_large(size));
        }
        self.put(&std::fs::read(path).map_err(unreadable)?)
    }

    /// The cached thumbnail of the image with this hash whose longer side is `size`.
    pub fn thumbnail_path(&self, hash: &str, size: u32) -> PathBuf {
        self.dir
            .join(hash.get(..2).unwrap_or("00"))
            .join(thumbnail_name(hash, size))
    }
}

/// Removes files written by an operation that then failed. One already gone is what was wanted.
pub(super) fn remove_files(paths: &[PathBuf]) {
    for path in paths {
        let _ = std::fs::remove_file(path);
    }
}

fn too_large(bytes: u64) -> LibraryError {
    ImageError::Corrupt(format!(
        "the file is {} MB, more than the {} MB limit",
        bytes / (1024 * 1024),
        MAX_IMAGE_BYTES / (1024 * 1024)
    ))
    .into()
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), LibraryError> {
    crate::files::write_atomically(path, bytes).map_err(|source| LibraryError::Io {
        path: path.to_owned(),
        source,
    })
}

/// The thumbnail of `size` of an original stored at `original` (thumbnails sit beside their original).
pub fn thumbnail_beside(original: &Path, hash: &str, size: u32) -> PathBuf {
    original.with_file_name(thumbnail_name(hash, size))
}

/// A thumbnail's file name: `<hash>.<side>.jpg`.
fn thumbnail_name(hash: &str, size: u32) -> String {
    format!("{hash}.{size}.jpg")
}

/// Whether a file of the image store is a thumbnail (else an original, `<hash>.<ext>`).
pub(super) fn is_thumbnail(file_name: &str) -> bool {
    file_name
        .strip_suffix(".jpg")
        .and_then(|stem| stem.rsplit_once('.'))
        .is_some_and(|(hash, side)| {
            !hash.is_empty() && THUMBNAIL_SIZES.iter().any(|s| s.to_string() == side)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::RgbaImage;

    fn png(w: u32, h: u32) -> Vec<u8> {
        imaging::encode_png(&RgbaImage::from_fn(w, h, |x, y| {
            image::Rgba([x as u8, y as u8, 90, 255])
        }))
        .unwrap()
    }

    #[test]
    fn a_users_file_is_stored_or_refused_naming_what_is_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let store = ImageStore::new(dir.path().join("images"));
        let photo = dir.path().join("photo.png");
        std::fs::write(&photo, png(40, 30)).unwrap();
        assert_eq!(store.put_file(&photo).unwrap().width, 40);
        let text = dir.path().join("notes.png");
        std::fs::write(&text, "not a picture").unwrap();
        let refused = store.put_file(&text).unwrap_err().to_string();
        assert!(refused.contains("not an image"), "{refused}");
        let missing = store.put_file(&dir.path().join("gone.png")).unwrap_err();
        assert!(matches!(missing, LibraryError::Unreadable { .. }));
        assert!(missing.to_string().contains("gone.png"), "{missing}");
    }

    #[test]
    fn images_are_stored_once_under_their_hash_with_thumbnails() {
        let dir = tempfile::tempdir().unwrap();
        let store = ImageStore::new(dir.path().join("images"));
        let bytes = png(600, 300);
        let stored = store.put(&bytes).unwrap();
        assert_eq!(
            (stored.width, stored.height, stored.bytes),
            (600, 300, bytes.len() as u64)
        );
        assert_eq!(stored.hash.len(), 64);
        let on_disk = std::fs::read(dir.path().join(&stored.relative_path)).unwrap();
        assert_eq!(on_disk, bytes, "stored byte for byte, never re-encoded");
        assert_eq!(
            store.put(&bytes).unwrap(),
            stored,
            "the same bytes are the same file"
        );
        let thumb = image::load_from_memory(
            &std::fs::read(store.thumbnail_path(&stored.hash, 256)).unwrap(),
        )
        .unwrap();
        assert_eq!((thumb.width(), thumb.height()), (256, 128));
        let large = image::load_from_memory(
            &std::fs::read(store.thumbnail_path(&stored.hash, 512)).unwrap(),
        )
        .unwrap();
        assert_eq!((large.width(), large.height()), (512, 256));
    }

    #[test]
    fn bad_files_are_refused_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let store = ImageStore::new(dir.path().join("images"));
        let truncated = &png(50, 50)[..100];
        for bytes in [&b""[..], b"plain text, not an image", truncated] {
            assert!(matches!(store.put(bytes), Err(LibraryError::Image(_))));
        }
        assert!(
            !dir.path().join("images").exists()
                || std::fs::read_dir(dir.path().join("images"))
                    .unwrap()
                    .next()
                    .is_none()
        );
    }

    #[test]
    fn thumbnails_have_the_asked_sides_and_small_images_are_not_enlarged() {
        let wide = RgbaImage::from_fn(1200, 600, |x, _| image::Rgba([(x % 256) as u8, 0, 0, 255]));
        let made = imaging::thumbnails(&wide, &[256, 512]).unwrap();
        assert_eq!(
            made.iter().map(|t| t.dimensions()).collect::<Vec<_>>(),
            [(256, 128), (512, 256)],
            "in the order asked, aspect kept"
        );
        let small = imaging::thumbnails(&RgbaImage::new(40, 20), &[512, 256]).unwrap();
        assert!(small.iter().all(|t| t.dimensions() == (40, 20)));
    }
}
