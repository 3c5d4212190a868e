//! Moodboards in the library: one row per board, its scene as JSON, written whole on every save (a board
//! of 300 items is a few tens of kilobytes), so nothing is lost on a crash.

use rusqlite::params;

use super::{Library, LibraryError, now_ms};
use crate::domain::board::Board;

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
        let changed = self.conn().execute(
            "UPDATE boards SET name = ?2, scene = ?3, updated_at = ?4 WHERE id = ?1",
            params![id, board.name, scene(board)?, now_ms()],
        )?;
        if changed == 0 {
            return Err(LibraryError::NotFound(format!("board {id}")));
        }
        Ok(())
    }

    pub fn delete_board(&self, id: i64) -> Result<(), LibraryError> {
        self.conn()
            .execute("DELETE FROM boards WHERE id = ?1", [id])?;
        Ok(())
    }

    /// Every board, most recently edited first.
    pub fn boards(&self) -> Result<Vec<StoredBoard>, LibraryError> {
        let conn = self.conn();
        let mut statement = conn.prepare(
            "SELECT id, scene, updated_at FROM boards ORDER BY updated_at DESC, id DESC",
        )?;
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
}

fn scene(board: &Board) -> Result<String, LibraryError> {
    serde_json::to_string(board).map_err(|e| LibraryError::BadBoard {
        id: 0,
        reason: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
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
        // Reopened, the library still has them (saved, not cached).
        drop(library);
        let library = Library::open(dir.path()).unwrap();
        assert_eq!(library.boards().unwrap().len(), 2);
        library.delete_board(first).unwrap();
        assert_eq!(library.boards().unwrap().len(), 1);
        assert!(library.save_board(first, &board).is_err());
    }
}
