//! One-off work the user asks for that must not run on the UI thread: decoding an image for the clipboard,
//! the save dialog and the copy behind it, opening a folder, reading a fallback font. Each chore runs on
//! its own short-lived thread (they are rare and some, like a dialog, wait on the user) and reports through
//! a bounded channel, waking the UI.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use egui::ColorImage;

/// What a finished chore hands back to the UI thread.
pub enum ChoreResult {
    /// Worth a toast.
    Done(String),
    Failed(String),
    /// Put this on the clipboard (only the UI thread's context can).
    CopyImage(ColorImage),
    /// A font to add as a fallback, with the file it came from.
    Font {
        path: PathBuf,
        bytes: Vec<u8>,
    },
    /// Nothing to report (a dialog was cancelled).
    Nothing,
}

const RESULTS: usize = 16;

pub struct Chores {
    results_tx: SyncSender<ChoreResult>,
    results: Receiver<ChoreResult>,
    wake: Arc<dyn Fn() + Send + Sync>,
}

impl Chores {
    pub fn new(wake: Arc<dyn Fn() + Send + Sync>) -> Chores {
        let (results_tx, results) = sync_channel(RESULTS);
        Chores {
            results_tx,
            results,
            wake,
        }
    }

    /// Runs `work` on its own thread; its result arrives through [`Chores::try_recv`].
    pub fn run(&self, name: &str, work: impl FnOnce() -> ChoreResult + Send + 'static) {
        let results = self.results_tx.clone();
        let wake = self.wake.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("moodgrid-{name}"))
            .spawn(move || {
                if results.send(work()).is_ok() {
                    wake();
                }
            });
        if let Err(e) = spawned {
            let _ = self
                .results_tx
                .try_send(ChoreResult::Failed(format!("could not start {name}: {e}")));
        }
    }

    pub fn try_recv(&self) -> Option<ChoreResult> {
        self.results.try_recv().ok()
    }

    pub fn copy_image(&self, path: PathBuf) {
        self.run("clipboard", move || match decode(&path) {
            Ok(image) => ChoreResult::CopyImage(image),
            Err(e) => ChoreResult::Failed(e),
        });
    }

    /// Asks where to save (the platform's dialog), then copies the original file there unchanged.
    pub fn save_as(&self, source: PathBuf, suggested_name: String) {
        self.run("save-as", move || {
            let extension = source
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("png")
                .to_owned();
            let dialog = rfd::AsyncFileDialog::new()
                .set_title("Save image as")
                .set_file_name(format!("{suggested_name}.{extension}"))
                .add_filter("Image", &[extension.as_str()]);
            let Some(target) = pollster::block_on(dialog.save_file()) else {
                return ChoreResult::Nothing;
            };
            let target = target.path().to_owned();
            match std::fs::copy(&source, &target) {
                Ok(_) => ChoreResult::Done(format!("Saved {}", target.display())),
                Err(e) => ChoreResult::Failed(format!("Could not save {}: {e}", target.display())),
            }
        });
    }

    /// Opens a folder in the platform's file manager.
    pub fn open_folder(&self, folder: PathBuf) {
        self.run("open-folder", move || match open::that_detached(&folder) {
            Ok(()) => ChoreResult::Nothing,
            Err(e) => ChoreResult::Failed(format!("Could not open {}: {e}", folder.display())),
        });
    }

    /// Reads the first installed CJK font (see [`super::fonts`]).
    pub fn load_cjk_font(&self) {
        self.run("fonts", || match super::fonts::read_cjk_fallback() {
            Some((path, bytes)) => ChoreResult::Font { path, bytes },
            None => ChoreResult::Nothing,
        });
    }
}

fn decode(path: &Path) -> Result<ColorImage, String> {
    let bytes =
        std::fs::read(path).map_err(|e| format!("Could not read {}: {e}", path.display()))?;
    let image = crate::imaging::decode_rgba(&bytes)
        .map_err(|e| format!("Could not decode {}: {e}", path.display()))?;
    let size = [image.width() as usize, image.height() as usize];
    Ok(ColorImage::from_rgba_unmultiplied(size, image.as_raw()))
}
