//! One-off work the user asks for that must not run on the UI thread: decoding an image for the clipboard,
//! the save dialog and the copy behind it, opening a folder, reading a fallback font. Each chore runs on
//! its own short-lived thread (they are rare and some, like a dialog, wait on the user) and reports through
//! a bounded channel, waking the UI.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use egui::ColorImage;

use crate::domain::board::Board;
use crate::domain::mask::MaskOp;
use crate::engine::{PreparedSource, prepare_source, read_source_file};
use crate::ui::sources::inputs::{SourceInput, SourceTarget};

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
    /// The editor's mask as a black and white PNG, ready for an inpaint submission.
    MaskEncoded {
        parent: i64,
        png: Vec<u8>,
        prompt: Option<String>,
        ops: Vec<MaskOp>,
    },
    /// A mask file read for the editor: one brightness byte per pixel at the editor's size.
    MaskImported {
        luma: Vec<u8>,
    },
    /// Pasted pixels encoded as PNG, on their way onto the board (at a board point, if known).
    PastedPng {
        name: String,
        png: Vec<u8>,
        at: Option<crate::domain::board::V2>,
    },
    /// A moodboard file the user chose to import.
    BoardFile {
        bytes: Vec<u8>,
    },
    /// The folder exports go to from now on.
    ExportFolder(PathBuf),
    /// The desktop's light or dark preference, read from the XDG portal.
    SystemTheme(egui::Theme),
    /// How much disk the library takes (for Settings).
    LibrarySize(crate::library::DiskUsage),
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

    /// Writes the spend ledger as CSV where the user says (the exports folder when there is no dialog).
    pub fn save_csv(
        &self,
        ledger: std::sync::Arc<Vec<crate::domain::spend::LedgerEntry>>,
        file_name: String,
        library: PathBuf,
    ) {
        self.run("save-csv", move || {
            let offset = crate::clock::local_offset_seconds();
            let csv = match crate::domain::spend::to_csv(&ledger, offset) {
                Ok(csv) => csv,
                Err(e) => return ChoreResult::Failed(format!("Could not write the CSV: {e}")),
            };
            if file_dialog_available().is_ok() {
                return save_with_dialog(
                    "Export spend",
                    file_name,
                    ("CSV", "csv"),
                    csv.as_bytes(),
                    "Spend ledger",
                );
            }
            let target = library.join("exports").join(&file_name);
            match crate::files::write_atomically(&target, csv.as_bytes()) {
                Ok(()) => ChoreResult::Done(format!(
                    "No file dialog here, so the ledger went to {}",
                    target.display()
                )),
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
                SourceTarget::Blend | SourceTarget::Board => {
                    pollster::block_on(dialog.pick_files()).unwrap_or_default()
                }
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
                SourceInput::Pixels { name, image } => match pasted_png(&name, &image) {
                    Ok(png) => prepare_source(name, &png),
                    Err(message) => Err(crate::engine::EngineError::Invalid(message)),
                },
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

    /// Encodes pasted pixels as PNG for the board.
    pub fn encode_pasted(
        &self,
        name: String,
        image: Arc<ColorImage>,
        at: Option<crate::domain::board::V2>,
    ) {
        self.run("encode-pasted", move || match pasted_png(&name, &image) {
            Ok(png) => ChoreResult::PastedPng { name, png, at },
            Err(message) => ChoreResult::Failed(message),
        });
    }

    /// Draws the board to a PNG at `scale` and saves it where the user says; without a file dialog, into
    /// the library's `exports` folder.
    pub fn render_board(&self, board: Board, scale: f32, library: PathBuf) {
        self.run("render-board", move || {
            let file_name = format!("{} at {}%.png", board.name, (scale * 100.0).round());
            let (png, missing) = match crate::library::render_board(&library, &board, scale) {
                Ok(rendered) => (rendered.png, rendered.missing),
                Err(e) => return ChoreResult::Failed(e.to_string()),
            };
            let missing = match missing.len() {
                0 => String::new(),
                n => format!(" ({n} image(s) could not be read and show as grey boxes)"),
            };
            if file_dialog_available().is_ok() {
                return match save_with_dialog(
                    "Render board",
                    file_name,
                    ("PNG image", "png"),
                    &png,
                    "Board image",
                ) {
                    ChoreResult::Done(text) => ChoreResult::Done(text + &missing),
                    other => other,
                };
            }
            let target = library.join("exports").join(&file_name);
            match crate::files::write_atomically(&target, &png) {
                Ok(()) => ChoreResult::Done(format!(
                    "No file dialog here, so the board image went to {}{missing}",
                    target.display()
                )),
                Err(e) => ChoreResult::Failed(format!("Could not save {}: {e}", target.display())),
            }
        });
    }

    /// Encodes the editor's mask (255 = repaint) as the PNG an inpaint job sends.
    pub fn encode_mask(
        &self,
        parent: i64,
        size: (u32, u32),
        mask: Vec<u8>,
        prompt: Option<String>,
        ops: Vec<MaskOp>,
    ) {
        self.run("encode-mask", move || match mask_png(size, mask) {
            Ok(png) => ChoreResult::MaskEncoded {
                parent,
                png,
                prompt,
                ops,
            },
            Err(e) => ChoreResult::Failed(e),
        });
    }

    /// Saves the editor's mask as a black and white PNG where the user chooses.
    pub fn export_mask(&self, size: (u32, u32), mask: Vec<u8>) {
        self.run("export-mask", move || {
            if let Err(missing) = file_dialog_available() {
                return ChoreResult::Failed(missing);
            }
            let png = match mask_png(size, mask) {
                Ok(png) => png,
                Err(e) => return ChoreResult::Failed(e),
            };
            save_with_dialog(
                "Export mask",
                "mask.png".into(),
                ("PNG", "png"),
                &png,
                "Mask",
            )
        });
    }

    /// Asks for a mask image of exactly `size`; half-bright or brighter pixels become the mask.
    pub fn import_mask(&self, size: (u32, u32)) {
        self.run("import-mask", move || {
            if let Err(missing) = file_dialog_available() {
                return ChoreResult::Failed(missing);
            }
            let dialog = rfd::AsyncFileDialog::new()
                .set_title("Import mask")
                .add_filter("Images", &["png", "jpg", "jpeg", "webp"]);
            let Some(file) = pollster::block_on(dialog.pick_file()) else {
                return ChoreResult::Nothing;
            };
            match read_mask(file.path(), size) {
                Ok(luma) => ChoreResult::MaskImported { luma },
                Err(e) => ChoreResult::Failed(e),
            }
        });
    }

    /// Saves exported moodboard bytes where the user chooses.
    pub fn save_board_file(&self, name: String, bytes: Vec<u8>) {
        self.run("export-board", move || {
            if let Err(missing) = file_dialog_available() {
                return ChoreResult::Failed(missing);
            }
            let file_name = format!("{name}.moodboard");
            save_with_dialog(
                "Export board",
                file_name,
                ("Moodgrid board", "moodboard"),
                &bytes,
                "Board",
            )
        });
    }

    /// Asks for a moodboard file to import and reads it.
    pub fn open_board_file(&self) {
        self.run("import-board", move || {
            if let Err(missing) = file_dialog_available() {
                return ChoreResult::Failed(missing);
            }
            let dialog = rfd::AsyncFileDialog::new()
                .set_title("Import board")
                .add_filter("Moodgrid board", &["moodboard", "json"]);
            let Some(file) = pollster::block_on(dialog.pick_file()) else {
                return ChoreResult::Nothing;
            };
            match crate::files::read_limited(
                file.path(),
                crate::library::MAX_BOARD_FILE_BYTES,
                "a board file",
            ) {
                Ok(bytes) => ChoreResult::BoardFile { bytes },
                Err(refused) => ChoreResult::Failed(refused),
            }
        });
    }

    /// Asks for the folder exports go to, starting at the current one.
    pub fn choose_export_folder(&self, current: PathBuf) {
        self.run("export-folder", move || {
            if let Err(missing) = file_dialog_available() {
                return ChoreResult::Failed(missing);
            }
            let dialog = rfd::AsyncFileDialog::new()
                .set_title("Export to folder")
                .set_directory(&current);
            match pollster::block_on(dialog.pick_folder()) {
                Some(folder) => ChoreResult::ExportFolder(folder.path().to_owned()),
                None => ChoreResult::Nothing,
            }
        });
    }

    /// Reads the first installed CJK font (see [`crate::ui::kit::fonts`]).
    pub fn load_cjk_font(&self) {
        self.run("fonts", || {
            match crate::ui::kit::fonts::read_cjk_fallback() {
                Some((path, bytes)) => ChoreResult::Font { path, bytes },
                None => ChoreResult::Nothing,
            }
        });
    }

    /// Measures the library folder (a walk of every file: not on the UI thread).
    pub fn measure_library(&self, root: PathBuf) {
        self.run("library-size", move || {
            ChoreResult::LibrarySize(crate::library::disk_usage(&root))
        });
    }

    /// Follows the desktop portal's light or dark preference (what "follow the system" follows where the
    /// windowing system does not say): now, and whenever the user switches it. A thread of its own, waiting
    /// on the session bus; it ends when the window has gone.
    pub fn follow_system_theme(&self) {
        let results = self.results_tx.clone();
        let wake = self.wake.clone();
        let spawned = std::thread::Builder::new()
            .name("moodgrid-system-theme".into())
            .spawn(move || {
                crate::ui::kit::system_theme::follow_portal(None, |theme| {
                    let sent = results.send(ChoreResult::SystemTheme(theme)).is_ok();
                    if sent {
                        wake();
                    }
                    sent
                });
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "could not follow the desktop's theme");
        }
    }
}

fn mask_png((width, height): (u32, u32), mask: Vec<u8>) -> Result<Vec<u8>, String> {
    let gray = image::GrayImage::from_raw(width, height, mask)
        .ok_or_else(|| "the mask does not match the image size".to_owned())?;
    let mut png = Vec::new();
    image::DynamicImage::ImageLuma8(gray)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| format!("could not encode the mask: {e}"))?;
    Ok(png)
}

fn read_mask(path: &Path, (width, height): (u32, u32)) -> Result<Vec<u8>, String> {
    let (_, image) = crate::imaging::read_mask_file(path)?;
    if image.dimensions() != (width, height) {
        return Err(format!(
            "{} is {}×{}; the mask must be {width}×{height}, the image's size",
            path.display(),
            image.width(),
            image.height()
        ));
    }
    Ok(image
        .pixels()
        .map(|p| {
            if crate::imaging::is_repaint_pixel(p) {
                255
            } else {
                0
            }
        })
        .collect())
}

/// The platform's save dialog, then the bytes written where the user chose; `what` names them in the toast.
fn save_with_dialog(
    title: &str,
    file_name: String,
    (filter, extension): (&str, &str),
    bytes: &[u8],
    what: &str,
) -> ChoreResult {
    let dialog = rfd::AsyncFileDialog::new()
        .set_title(title)
        .set_file_name(file_name)
        .add_filter(filter, &[extension]);
    let Some(target) = pollster::block_on(dialog.save_file()) else {
        return ChoreResult::Nothing;
    };
    let target = target.path().to_owned();
    match crate::files::write_atomically(&target, bytes) {
        Ok(()) => ChoreResult::Done(format!("{what} saved to {}", target.display())),
        Err(e) => ChoreResult::Failed(format!("Could not save {}: {e}", target.display())),
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

/// Pasted pixels as a PNG file's bytes (egui keeps premultiplied colours; files want them straight).
fn pasted_png(name: &str, image: &ColorImage) -> Result<Vec<u8>, String> {
    let rgba = image::RgbaImage::from_raw(
        image.width() as u32,
        image.height() as u32,
        image
            .pixels
            .iter()
            .flat_map(|c| c.to_srgba_unmultiplied())
            .collect(),
    )
    .ok_or_else(|| format!("{name}: the pasted pixels do not match their size"))?;
    crate::imaging::encode_png(&rgba).map_err(|e| format!("{name}: {e}"))
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
