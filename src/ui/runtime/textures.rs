//! Images for the window (thumbnails, and the full image of the job on view): decoded on a worker thread
//! (never the UI thread), uploaded as textures, released once they have not been drawn for a while (they
//! left the viewport), and kept under a byte budget by dropping the least recently drawn first.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};

use egui::{ColorImage, TextureHandle, TextureOptions};

/// Default budget for thumbnail textures.
pub const DEFAULT_BUDGET_BYTES: usize = 256 * 1024 * 1024;
const QUEUE: usize = 64;
/// A texture not drawn for this many frames has left the screen; it is released (and decoded again if it
/// comes back, which for a thumbnail takes about a millisecond).
const KEEP_FRAMES: u64 = 120;

enum Slot {
    Loading,
    Ready {
        texture: TextureHandle,
        bytes: usize,
        last_used: u64,
    },
    Failed,
}

pub struct TextureCache {
    slots: HashMap<PathBuf, Slot>,
    /// A file to decode, and the largest texture side the GPU takes (larger images are scaled down).
    requests: SyncSender<(PathBuf, u32)>,
    decoded: Receiver<(PathBuf, Option<ColorImage>)>,
    budget: usize,
    used: usize,
    frame: u64,
    max_side: u32,
}

impl TextureCache {
    /// Starts the decoding thread; `wake` is called when a thumbnail is ready (the UI's repaint request).
    pub fn new(budget: usize, wake: impl Fn() + Send + 'static) -> std::io::Result<TextureCache> {
        let (requests, incoming) = sync_channel::<(PathBuf, u32)>(QUEUE);
        let (done, decoded) = sync_channel(QUEUE);
        std::thread::Builder::new()
            .name("moodgrid-thumbnails".into())
            .spawn(move || {
                for (path, max_side) in incoming {
                    let image = decode(&path, max_side);
                    if done.send((path, image)).is_err() {
                        break;
                    }
                    wake();
                }
            })?;
        Ok(TextureCache {
            slots: HashMap::new(),
            requests,
            decoded,
            budget,
            used: 0,
            frame: 0,
            max_side: 2048,
        })
    }

    /// Call once per frame before drawing: uploads what the worker finished and enforces the budget.
    pub fn begin_frame(&mut self, ctx: &egui::Context) {
        self.frame += 1;
        self.max_side = u32::try_from(ctx.input(|i| i.max_texture_side)).unwrap_or(u32::MAX);
        while let Ok((path, image)) = self.decoded.try_recv() {
            let slot = match image {
                Some(image) => {
                    let bytes = image.width() * image.height() * 4;
                    let texture =
                        ctx.load_texture(path.display().to_string(), image, TextureOptions::LINEAR);
                    self.used += bytes;
                    Slot::Ready {
                        texture,
                        bytes,
                        last_used: self.frame,
                    }
                }
                None => Slot::Failed,
            };
            self.slots.insert(path, slot);
        }
        self.evict();
    }

    /// The texture for a thumbnail file, or `None` while it loads (the request is queued once).
    pub fn get(&mut self, path: &Path) -> Option<TextureHandle> {
        if let Some(texture) = self.peek(path) {
            return Some(texture);
        }
        if self.slots.contains_key(path) {
            // Loading, or failed for good.
            return None;
        }
        match self.requests.try_send((path.to_owned(), self.max_side)) {
            Ok(()) => {
                self.slots.insert(path.to_owned(), Slot::Loading);
            }
            // Full: asked again next frame. Gone: the worker died; nothing to show.
            Err(TrySendError::Full(_)) => {}
            Err(TrySendError::Disconnected(_)) => {
                self.slots.insert(path.to_owned(), Slot::Failed);
            }
        }
        None
    }

    /// The texture for a file if it is already uploaded, without asking for it (a stand-in while a
    /// sharper one loads).
    pub fn peek(&mut self, path: &Path) -> Option<TextureHandle> {
        let frame = self.frame;
        match self.slots.get_mut(path) {
            Some(Slot::Ready {
                texture, last_used, ..
            }) => {
                *last_used = frame;
                Some(texture.clone())
            }
            _ => None,
        }
    }

    pub fn used_bytes(&self) -> usize {
        self.used
    }

    /// How many textures are uploaded right now.
    pub fn resident(&self) -> usize {
        self.slots
            .values()
            .filter(|s| matches!(s, Slot::Ready { .. }))
            .count()
    }

    /// Releases textures that left the screen, then the least recently drawn (never this frame's) until
    /// the cache fits its budget.
    fn evict(&mut self) {
        let frame = self.frame;
        let mut released = 0;
        self.slots.retain(|_, slot| match slot {
            Slot::Ready {
                last_used, bytes, ..
            } if *last_used + KEEP_FRAMES < frame => {
                released += *bytes;
                false
            }
            _ => true,
        });
        self.used -= released;
        while self.used > self.budget {
            let oldest = self
                .slots
                .iter()
                .filter_map(|(path, slot)| match slot {
                    Slot::Ready { last_used, .. } if *last_used < self.frame => {
                        Some((path.clone(), *last_used))
                    }
                    _ => None,
                })
                .min_by_key(|(_, used)| *used);
            let Some((path, _)) = oldest else { break };
            if let Some(Slot::Ready { bytes, .. }) = self.slots.remove(&path) {
                self.used -= bytes;
            }
        }
    }
}

fn decode(path: &Path, max_side: u32) -> Option<ColorImage> {
    let bytes = std::fs::read(path).ok()?;
    let image = crate::imaging::decode_rgba(&bytes).ok()?;
    // A 4096² upscale is larger than some GPUs' textures; it is drawn scaled anyway.
    let image = if image.width().max(image.height()) > max_side {
        crate::imaging::resize_to_fit(&image, max_side).ok()?
    } else {
        image
    };
    let size = [image.width() as usize, image.height() as usize];
    Some(ColorImage::from_rgba_unmultiplied(size, image.as_raw()))
}
