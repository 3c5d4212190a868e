//! How much disk the library takes: original images, their thumbnails, and the database (with its WAL).
//! A walk of the folder (two levels under `images/`), so run it off the UI thread.

use std::path::Path;

use super::DATABASE_FILE;
use super::store::is_thumbnail;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DiskUsage {
    pub images: u64,
    pub thumbnails: u64,
    pub database: u64,
}

/// What the library at `root` takes on disk now. Unreadable entries count as nothing.
pub fn disk_usage(root: &Path) -> DiskUsage {
    let mut usage = DiskUsage::default();
    let size = |path: &Path| std::fs::metadata(path).map_or(0, |m| m.len());
    for suffix in ["", "-wal", "-shm"] {
        usage.database += size(&root.join(format!("{DATABASE_FILE}{suffix}")));
    }
    let folders = std::fs::read_dir(root.join("images")).into_iter().flatten();
    for folder in folders.flatten() {
        for file in std::fs::read_dir(folder.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = file.file_name();
            let bytes = file.metadata().map_or(0, |m| m.len());
            // Thumbnails are `<hash>.<side>.jpg`; originals `<hash>.<ext>`.
            if is_thumbnail(&name.to_string_lossy()) {
                usage.thumbnails += bytes;
            } else {
                usage.images += bytes;
            }
        }
    }
    usage
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::Library;

    #[test]
    fn originals_thumbnails_and_the_database_are_counted_apart() {
        let dir = tempfile::tempdir().unwrap();
        let library = Library::open(dir.path()).unwrap();
        let before = disk_usage(dir.path());
        assert_eq!((before.images, before.thumbnails), (0, 0));
        assert!(before.database > 0);
        let pixels = image::RgbaImage::from_pixel(64, 64, image::Rgba([200, 40, 40, 255]));
        let stored = library
            .store()
            .put(&crate::imaging::encode_png(&pixels).unwrap())
            .unwrap();
        let after = disk_usage(dir.path());
        assert_eq!(after.images, stored.bytes);
        assert!(after.thumbnails > 0, "the 256 and 512 thumbnails");
        assert!(is_thumbnail("ab12.256.jpg") && !is_thumbnail("ab12.png"));
        assert!(!is_thumbnail("256.jpg"), "a hash is needed too");
    }
}
