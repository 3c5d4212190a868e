//! One-off work the user asks for that must not run on the UI thread: decoding an image for the clipboard,
//! the save dialog and the copy behind it, opening a folder, reading a fallback font. Each chore runs on
//! its own short-lived thread (they are rare and some, like a dialog, wait on the user) and reports through
//! a bounded channel, waking the UI.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use egui::ColorImage;

use super::sources::{SourceInput, SourceTarget};
use crate::engine::{PreparedSource, prepare_source, read_source_file};

/// Side of the preview shown in a source slot.
const PREVIEW_SIDE: u32 = 256;

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
    /// Files the user picked for a panel.
    Picked {
        target: SourceTarget,
        paths: Vec<PathBuf>,
    },
    /// A user's image, checked and prepared to send (or why it cannot be), for a panel's slot.
    Source {
        target: SourceTarget,
        slot: u64,
        result: Result<(PreparedSource, ColorImage), String>,
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
            if let Err(missing) = file_dialog_available() {
                return ChoreResult::Failed(missing);
            }
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

    /// The platform's open dialog, several PNG, JPEG or WebP files at once.
    pub fn pick_images(&self, target: SourceTarget, title: &'static str) {
        self.run("pick-images", move || {
            if let Err(missing) = file_dialog_available() {
                return ChoreResult::Failed(missing);
            }
            let dialog = rfd::AsyncFileDialog::new()
                .set_title(title)
                .add_filter("Images", &["png", "jpg", "jpeg", "webp"]);
            let picked = match target {
                SourceTarget::Blend => pollster::block_on(dialog.pick_files()).unwrap_or_default(),
                SourceTarget::Describe => {
                    pollster::block_on(dialog.pick_file()).into_iter().collect()
                }
            };
            if picked.is_empty() {
                return ChoreResult::Nothing;
            }
            ChoreResult::Picked {
                target,
                paths: picked.iter().map(|f| f.path().to_owned()).collect(),
            }
        });
    }

    /// Reads (or encodes) a user's image, checks and prepares it, and makes its preview.
    pub fn load_source(&self, target: SourceTarget, slot: u64, input: SourceInput) {
        self.run("load-source", move || {
            let prepared = match input {
                SourceInput::File(path) => read_source_file(&path),
                SourceInput::Pixels { name, image } => {
                    // egui keeps premultiplied colours; files want them straight.
                    let rgba = image::RgbaImage::from_raw(
                        image.width() as u32,
                        image.height() as u32,
                        image
                            .pixels
                            .iter()
                            .flat_map(|c| c.to_srgba_unmultiplied())
                            .collect(),
                    );
                    match rgba.map(|rgba| crate::imaging::encode_png(&rgba)) {
                        Some(Ok(png)) => prepare_source(name, &png),
                        Some(Err(e)) => Err(e.into()),
                        None => Err(crate::engine::EngineError::Invalid(format!(
                            "{name}: the pasted pixels do not match their size"
                        ))),
                    }
                }
            };
            let result = prepared.map_err(|e| e.to_string()).and_then(|source| {
                let preview = preview(&source.image.bytes)?;
                Ok((source, preview))
            });
            ChoreResult::Source {
                target,
                slot,
                result,
            }
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

/// rfd answers "cancelled" both when the user cancels and when no dialog could be shown; on Linux it
/// needs the desktop portal (over the session bus) or zenity, so their absence is said up front.
fn file_dialog_available() -> Result<(), String> {
    if !cfg!(target_os = "linux") || std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some() {
        return Ok(());
    }
    let zenity = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join("zenity").is_file()));
    if zenity {
        Ok(())
    } else {
        Err("No file dialog is available: it needs a desktop session (xdg-desktop-portal) or zenity. \
             Drop files on the window or paste them instead."
            .into())
    }
}

fn preview(bytes: &[u8]) -> Result<ColorImage, String> {
    let image = crate::imaging::decode_rgba(bytes)
        .and_then(|image| crate::imaging::resize_to_fit(&image, PREVIEW_SIDE))
        .map_err(|e| e.to_string())?;
    let size = [image.width() as usize, image.height() as usize];
    Ok(ColorImage::from_rgba_unmultiplied(size, image.as_raw()))
}

fn decode(path: &Path) -> Result<ColorImage, String> {
    let bytes =
        std::fs::read(path).map_err(|e| format!("Could not read {}: {e}", path.display()))?;
    let image = crate::imaging::decode_rgba(&bytes)
        .map_err(|e| format!("Could not decode {}: {e}", path.display()))?;
    let size = [image.width() as usize, image.height() as usize];
    Ok(ColorImage::from_rgba_unmultiplied(size, image.as_raw()))
}
