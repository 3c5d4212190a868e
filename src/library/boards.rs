//! Moodboards in the library: one row per board, its scene as JSON, written whole on every save (a board
//! of 300 items is a few tens of kilobytes), so nothing is lost on a crash.

use std::path::Path;

use rusqlite::params;

use super::{Library, LibraryError, StoredImage, now_ms};
use crate::domain::board::{Board, Content};
use crate::imaging::{self, ImageError};

#[derive(Debug, Clone)]
pub struct StoredBoard {
    pub id: i64,
    pub board: Board,
    pub updated_at: i64,
}

impl Library {
    pub fn create_board(&self, board: &Board) -> Result<i64, LibraryError> {
        let now = now_ms();
        let conn = self.conn();
        conn.execute(
            "INSERT INTO boards (name, scene, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
            params![board.name, scene(board)?, now],
        )?;
        Ok(conn.last_insert_rowid())
    }

    pub fn save_board(&self, id: i64, board: &Board) -> Result<(), LibraryError> {
        save_board_in(&self.conn(), id, board)
    }

    pub fn delete_board(&self, id: i64) -> Result<(), LibraryError> {
        self.conn()
            .execute("DELETE FROM boards WHERE id = ?1", [id])?;
        Ok(())
    }

    /// Every board, most recently edited first.
    pub fn boards(&self) -> Result<Vec<StoredBoard>, LibraryError> {
        boards_in(&self.conn())
    }
}

/// `UPDATE` of one board, on `conn` (a transaction's, when the save belongs to a larger change).
pub(super) fn save_board_in(
    conn: &rusqlite::Connection,
    id: i64,
    board: &Board,
) -> Result<(), LibraryError> {
    let changed = conn.execute(
        "UPDATE boards SET name = ?2, scene = ?3, updated_at = ?4 WHERE id = ?1",
        params![id, board.name, scene(board)?, now_ms()],
    )?;
    if changed == 0 {
        return Err(LibraryError::NotFound(format!("board {id}")));
    }
    Ok(())
}

/// Every board as `conn` sees it, most recently edited first.
pub(super) fn boards_in(conn: &rusqlite::Connection) -> Result<Vec<StoredBoard>, LibraryError> {
    let mut statement =
        conn.prepare("SELECT id, scene, updated_at FROM boards ORDER BY updated_at DESC, id DESC")?;
    let rows: Vec<(i64, String, i64)> = statement
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    rows.into_iter()
        .map(|(id, json, updated_at)| {
            let board = serde_json::from_str(&json).map_err(|e| LibraryError::BadBoard {
                id,
                reason: e.to_string(),
            })?;
            Ok(StoredBoard {
                id,
                board,
                updated_at,
            })
        })
        .collect()
}

impl Library {
    /// The jobs whose image is on some board, for the gallery's "on a board" filter.
    pub fn jobs_on_boards(&self) -> Result<std::collections::HashSet<i64>, LibraryError> {
        Ok(self
            .boards()?
            .iter()
            .flat_map(|stored| stored.board.items())
            .filter_map(|item| match &item.content {
                Content::Image { job, .. } => *job,
                _ => None,
            })
            .collect())
    }
}

/// A board as one self-contained file: the scene and every image it shows, base64-encoded by hash.
#[derive(serde::Serialize, serde::Deserialize)]
struct BoardFile {
    moodgrid_board: u32,
    board: Board,
    images: std::collections::BTreeMap<String, String>,
}

const BOARD_FILE_VERSION: u32 = 1;
/// Largest board file imported (its images are embedded; 300 upscales fit with room to spare).
pub const MAX_BOARD_FILE_BYTES: u64 = 512 * 1024 * 1024;
/// Most items (images and notes) an imported board may hold, and most images it may embed.
pub const MAX_BOARD_ITEMS: usize = 2_000;

impl Library {
    /// The board and its images as one JSON file (images embedded), for another machine or library.
    pub fn export_board(&self, id: i64) -> Result<Vec<u8>, LibraryError> {
        let stored = self
            .boards()?
            .into_iter()
            .find(|b| b.id == id)
            .ok_or_else(|| LibraryError::NotFound(format!("board {id}")))?;
        let mut images = std::collections::BTreeMap::new();
        for item in stored.board.items() {
            if let Content::Image { hash, file, .. } = &item.content
                && !images.contains_key(hash)
            {
                let path = self.root().join(file);
                let bytes =
                    std::fs::read(&path).map_err(|source| LibraryError::Io { path, source })?;
                images.insert(hash.clone(), imaging::to_base64(&bytes));
            }
        }
        serde_json::to_vec(&BoardFile {
            moodgrid_board: BOARD_FILE_VERSION,
            board: stored.board,
            images,
        })
        .map_err(|e| LibraryError::BadBoard {
            id,
            reason: e.to_string(),
        })
    }

    /// Stores the images of an exported board (each checked like any image) and adds the board.
    pub fn import_board(&self, file: &[u8]) -> Result<i64, LibraryError> {
        let bad = |reason: String| LibraryError::BadBoard { id: 0, reason };
        if file.len() as u64 > MAX_BOARD_FILE_BYTES {
            return Err(bad(format!(
                "the file is {} MB; a board file may be at most {} MB",
                (file.len() as u64).div_ceil(1024 * 1024),
                MAX_BOARD_FILE_BYTES / (1024 * 1024)
            )));
        }
        let parsed: BoardFile = serde_json::from_slice(file)
            .map_err(|e| bad(format!("not a Moodgrid board file ({e})")))?;
        let items = parsed.board.items().len().max(parsed.images.len());
        if items > MAX_BOARD_ITEMS {
            return Err(bad(format!(
                "the board holds {items} items; Moodgrid imports boards of up to {MAX_BOARD_ITEMS}"
            )));
        }
        if parsed.moodgrid_board != BOARD_FILE_VERSION {
            return Err(bad(format!(
                "board file version {} is not one this build reads ({BOARD_FILE_VERSION})",
                parsed.moodgrid_board
            )));
        }
        // Every image this import wrote a file of, taken back if it fails: nothing else refers to them yet.
        let mut written: Vec<(String, String)> = Vec::new();
        let mut stored = Vec::new();
        let imported = self.import_parsed(&parsed, &mut written, &mut stored);
        if imported.is_err() {
            // Under the write lock, and only what no job or board has come to use meanwhile: if the
            // library cannot say, the files stay (an unused file costs disk space, a removed one an image).
            if let Err(e) = self.remove_unreferenced(&written) {
                tracing::warn!(error = %e, "a failed board import left its files behind");
            }
            return imported;
        }
        // Bytes found already stored were not written again, and Empty Trash may have removed them before
        // the board's row committed: written back now if so.
        for (image, encoded) in stored.iter().zip(parsed.images.values()) {
            if !self.store().is_whole(image) {
                self.store()
                    .put(&imaging::from_base64_or_data_uri(encoded)?)?;
            }
        }
        imported
    }

    fn import_parsed(
        &self,
        parsed: &BoardFile,
        written: &mut Vec<(String, String)>,
        stored_images: &mut Vec<StoredImage>,
    ) -> Result<i64, LibraryError> {
        let bad = |reason: String| LibraryError::BadBoard { id: 0, reason };
        let mut stored_files = std::collections::BTreeMap::new();
        for (hash, encoded) in &parsed.images {
            let bytes = imaging::from_base64_or_data_uri(encoded)?;
            let (stored, files) = self.store().put_new(&bytes)?;
            if !files.is_empty() {
                written.push((stored.hash.clone(), stored.relative_path.clone()));
            }
            if &stored.hash != hash {
                return Err(bad(format!("the image {hash} does not match its content")));
            }
            stored_files.insert(hash.clone(), stored.relative_path.clone());
            stored_images.push(stored);
        }
        let mut board = parsed.board.clone();
        board.relink(|hash| stored_files.get(hash).cloned());
        // A job link survives only where this library has that job with that image (an import back
        // into the library it came from); elsewhere a double-click would open an unrelated job.
        board.keep_job_links(|job, hash| {
            self.images(job)
                .is_ok_and(|images| images.iter().any(|i| i.hash == hash))
        });
        self.create_board(&board)
    }
}

fn scene(board: &Board) -> Result<String, LibraryError> {
    serde_json::to_string(board).map_err(|e| LibraryError::BadBoard {
        id: 0,
        reason: e.to_string(),
    })
}

/// A board drawn to a PNG file's bytes, and the images that could not be read (grey boxes instead).
pub struct RenderedBoard {
    pub png: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub missing: Vec<String>,
}

/// Draws a board of the library at `root` with `scale` pixels per board unit (see
/// `imaging::board_render`). Reads every image file: call it off the UI thread.
pub fn render_board(root: &Path, board: &Board, scale: f32) -> Result<RenderedBoard, LibraryError> {
    let fonts = crate::imaging::fonts::note_fonts();
    let fonts: Vec<&[u8]> = fonts.iter().map(|f| (**f).as_ref()).collect();
    let load = |file: &str| {
        let path = root.join(file);
        let bytes = std::fs::read(&path)
            .map_err(|e| ImageError::Corrupt(format!("{}: {e}", path.display())))?;
        crate::imaging::decode_rgba(&bytes)
    };
    let rendered = crate::imaging::board_render::render(board, scale, load, &fonts)?;
    Ok(RenderedBoard {
        png: crate::imaging::encode_png(&rendered.image)?,
        width: rendered.image.width(),
        height: rendered.image.height(),
        missing: rendered.missing,
    })
}

#[cfg(test)]
mod tests {
    use super::{BOARD_FILE_VERSION, MAX_BOARD_ITEMS};
    use crate::domain::board::{Board, Content, V2};
    use crate::library::Library;

    #[test]
    fn boards_are_created_saved_listed_newest_first_and_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let library = Library::open(dir.path()).unwrap();
        let first = library.create_board(&Board::new("Autumn")).unwrap();
        let mut board = Board::new("Harbour");
        let second = library.create_board(&board).unwrap();
        board.add(
            Content::Note {
                text: "fog".into(),
                width: 100.0,
                height: 30.0,
            },
            V2::new(1.0, 2.0),
        );
        std::thread::sleep(std::time::Duration::from_millis(2));
        library.save_board(second, &board).unwrap();
        let boards = library.boards().unwrap();
        assert_eq!(
            boards
                .iter()
                .map(|b| (b.id, b.board.name.as_str()))
                .collect::<Vec<_>>(),
            [(second, "Harbour"), (first, "Autumn")]
        );
        assert_eq!(boards[0].board.items(), board.items());
        assert!(
            library.jobs_on_boards().unwrap().is_empty(),
            "a note is no job"
        );
        let job = library
            .insert_job(&crate::library::jobs::tests::new_job("a fox"))
            .unwrap()
            .id;
        board.add(
            Content::Image {
                hash: "0".repeat(64),
                file: "images/x.png".into(),
                job: Some(job),
                width: 10,
                height: 10,
            },
            V2::new(0.0, 0.0),
        );
        library.save_board(second, &board).unwrap();
        assert_eq!(
            library.jobs_on_boards().unwrap(),
            std::collections::HashSet::from([job])
        );
        // Reopened, the library still has them (saved, not cached).
        drop(library);
        let library = Library::open(dir.path()).unwrap();
        assert_eq!(library.boards().unwrap().len(), 2);
        library.delete_board(first).unwrap();
        assert_eq!(library.boards().unwrap().len(), 1);
        assert!(library.save_board(first, &board).is_err());
    }

    #[test]
    fn an_exported_board_carries_its_images_into_another_library() {
        let here = tempfile::tempdir().unwrap();
        let there = tempfile::tempdir().unwrap();
        let library = Library::open(here.path()).unwrap();
        let png = crate::imaging::encode_png(&image::RgbaImage::from_pixel(
            30,
            20,
            image::Rgba([200, 90, 10, 255]),
        ))
        .unwrap();
        let stored = library.store().put(&png).unwrap();
        let mut board = Board::new("Export me");
        board.add(
            Content::Image {
                hash: stored.hash.clone(),
                file: stored.relative_path.clone(),
                job: Some(7),
                width: 30,
                height: 20,
            },
            V2::new(15.0, 10.0),
        );
        // A second copy linked to a job this library really has, with that image.
        let job = library
            .insert_job(&crate::library::NewJob {
                backend: "test".into(),
                params: crate::library::JobParams::Imagine {
                    prompt: "rust".into(),
                    mode: crate::domain::Mode::Fast,
                    timeout: None,
                },
                action: "imagine".into(),
                prompt: "rust".into(),
                mode: None,
                parent_id: None,
                timeout_secs: 300,
            })
            .unwrap();
        library
            .add_image(&crate::library::ImageRecord::stored(
                job.id,
                crate::library::ImageRole::Grid,
                0,
                stored.clone(),
                None,
            ))
            .unwrap();
        board.add(
            Content::Image {
                hash: stored.hash.clone(),
                file: stored.relative_path.clone(),
                job: Some(job.id),
                width: 30,
                height: 20,
            },
            V2::new(50.0, 10.0),
        );
        let id = library.create_board(&board).unwrap();
        let file = library.export_board(id).unwrap();
        let jobs_of = |b: &Board| -> Vec<Option<i64>> {
            b.items()
                .iter()
                .map(|i| match i.content {
                    Content::Image { job, .. } => job,
                    Content::Note { .. } => None,
                })
                .collect()
        };
        // Imported back here: the real job keeps its link, the unknown one loses it.
        let again = library.import_board(&file).unwrap();
        let boards = library.boards().unwrap();
        let back = &boards.iter().find(|b| b.id == again).unwrap().board;
        assert_eq!(jobs_of(back), [None, Some(job.id)]);

        let other = Library::open(there.path()).unwrap();
        let imported = other.import_board(&file).unwrap();
        let boards = other.boards().unwrap();
        let copy = &boards.iter().find(|b| b.id == imported).unwrap().board;
        assert_eq!(copy.name, "Export me");
        assert_eq!(copy.items().len(), 2);
        match &copy.items()[0].content {
            Content::Image { hash, file, .. } => {
                assert_eq!(hash, &stored.hash);
                assert_eq!(std::fs::read(there.path().join(file)).unwrap(), png);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            jobs_of(copy),
            [None, None],
            "the other library's jobs mean nothing here"
        );
        assert!(other.import_board(b"{\"not\": \"a board\"}").is_err());
    }

    #[test]
    fn a_board_with_too_many_items_is_refused_before_anything_is_stored() {
        let dir = tempfile::tempdir().unwrap();
        let library = Library::open(dir.path()).unwrap();
        let mut board = Board::new("crowded");
        for n in 0..=MAX_BOARD_ITEMS {
            let note = Content::Note {
                text: n.to_string(),
                width: 10.0,
                height: 10.0,
            };
            board.add(note, V2 { x: 0.0, y: 0.0 });
        }
        let file = serde_json::to_vec(&serde_json::json!({
            "moodgrid_board": BOARD_FILE_VERSION,
            "board": board,
            "images": {},
        }))
        .unwrap();
        let refused = library.import_board(&file).unwrap_err().to_string();
        assert!(
            refused.contains("Moodgrid imports boards of up to 2000"),
            "{refused}"
        );
        assert!(library.boards().unwrap().is_empty());
    }

    /// Every file under the library's images folder.
    fn image_files(root: &std::path::Path) -> std::collections::BTreeSet<std::path::PathBuf> {
        walk(&root.join("images"))
    }

    fn walk(dir: &std::path::Path) -> std::collections::BTreeSet<std::path::PathBuf> {
        let mut found = std::collections::BTreeSet::new();
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                found.extend(walk(&path));
            } else {
                found.insert(path);
            }
        }
        found
    }

    #[test]
    fn a_failed_import_takes_back_the_files_it_wrote_and_keeps_the_libraries_own() {
        let dir = tempfile::tempdir().unwrap();
        let library = Library::open(dir.path()).unwrap();
        let png = |shade: u8| {
            let pixels = image::RgbaImage::from_pixel(40, 30, image::Rgba([shade, 90, 40, 255]));
            crate::imaging::encode_png(&pixels).unwrap()
        };
        // An image a job of this library already has.
        let owned = library.store().put(&png(10)).unwrap();
        let job = library
            .insert_job(&crate::library::jobs::tests::new_job("a fox"))
            .unwrap();
        library
            .add_image(&crate::library::ImageRecord::stored(
                job.id,
                crate::library::ImageRole::Grid,
                0,
                owned.clone(),
                None,
            ))
            .unwrap();
        let before = image_files(dir.path());
        assert_eq!(before.len(), 3, "the image and its two thumbnails");

        let new_one = png(200);
        let elsewhere = tempfile::tempdir().unwrap();
        let new_hash = crate::library::ImageStore::new(elsewhere.path().to_owned())
            .put(&new_one)
            .unwrap()
            .hash;
        let encoded = |bytes: &[u8]| crate::imaging::to_base64(bytes);
        let file_with = |images: serde_json::Value| {
            serde_json::to_vec(&serde_json::json!({
                "moodgrid_board": BOARD_FILE_VERSION,
                "board": Board::new("half a board"),
                "images": images,
            }))
            .unwrap()
        };
        // Images are stored in the order of their hashes: the corrupt one, keyed last, fails after the
        // new image and the library's own image were stored.
        let last = "f".repeat(64);
        assert!(new_hash < last && owned.hash < last);
        let corrupt_last = file_with(serde_json::json!({
            new_hash.clone(): encoded(&new_one),
            owned.hash.clone(): encoded(&png(10)),
            last.clone(): encoded(b"not an image at all"),
        }));
        assert!(library.import_board(&corrupt_last).is_err());
        assert_eq!(image_files(dir.path()), before, "nothing new stays");

        // An image that is not what its key says is found only once it is stored.
        let mislabelled = file_with(serde_json::json!({ last: encoded(&new_one) }));
        let refused = library.import_board(&mislabelled).unwrap_err().to_string();
        assert!(refused.contains("does not match its content"), "{refused}");
        assert_eq!(image_files(dir.path()), before);
        assert!(library.boards().unwrap().is_empty());

        // The same images, whole: imported, and the files are there.
        let whole = file_with(serde_json::json!({ new_hash: encoded(&new_one) }));
        library.import_board(&whole).unwrap();
        assert_eq!(image_files(dir.path()).len(), 6);
    }
}
