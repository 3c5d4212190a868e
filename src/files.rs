//! The user's files: written whole or not at all (into a temporary file beside the target, synced, then
//! renamed over it: a crash or a full disk leaves the old file, never half a new one), and read only up to
//! a stated size.

use std::io::{Read as _, Write as _};
use std::path::Path;

/// Reads a user's file, refusing it, before reading, when it is larger than `limit` bytes (`what` names
/// the kind of file in the message: "a mask", "a board file").
pub fn read_limited(path: &Path, limit: u64, what: &str) -> Result<Vec<u8>, String> {
    let name = path.display();
    let file =
        std::fs::File::open(path).map_err(|e| format!("{name}: cannot read the file ({e})"))?;
    let size = file
        .metadata()
        .map_err(|e| format!("{name}: cannot read the file ({e})"))?
        .len();
    let too_large = || {
        format!(
            "{name}: the file is {} MB; {what} may be at most {} MB",
            size.div_ceil(1024 * 1024),
            limit / (1024 * 1024)
        )
    };
    if size > limit {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(size as usize);
    // `take`: the file may grow between the size check and the read.
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{name}: cannot read the file ({e})"))?;
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    Ok(bytes)
}

/// Writes `bytes` to `path` atomically, creating its folder if needed.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let mut temp = tempfile::NamedTempFile::new_in(dir)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_file_over_the_limit_is_refused_with_its_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mask.png");
        std::fs::write(&path, vec![0u8; 3 * 1024 * 1024]).unwrap();
        let refused = super::read_limited(&path, 2 * 1024 * 1024, "a mask").unwrap_err();
        assert!(
            refused.contains("mask.png: the file is 3 MB; a mask may be at most 2 MB"),
            "{refused}"
        );
        assert_eq!(
            super::read_limited(&path, 4 * 1024 * 1024, "a mask")
                .unwrap()
                .len(),
            3 * 1024 * 1024
        );
    }

    #[test]
    fn a_file_is_replaced_whole_and_no_temporary_file_stays() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested").join("board.png");
        super::write_atomically(&path, b"first").unwrap();
        super::write_atomically(&path, b"second, longer").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second, longer");
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["board.png"]);
    }
}
