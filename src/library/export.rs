//! Exporting jobs' original images for use elsewhere, each carrying what made it: the prompt, the seed, the
//! TTAPI job id and the jobs it came from. PNGs get the facts as text chunks (`imaging::png_text`) inserted
//! into the file as received (the pixels and the other chunks are left byte for byte); other formats are
//! copied as they are, with a JSON file of the same name beside them. The files go into a folder or one zip
//! file.

use std::collections::HashSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{ImageFile, ImageRole, JobRecord, Library, LibraryError};
use crate::domain::export_name::{NameFields, TemplateError, check_template, file_stem};

/// Which of a job's images are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExportImages {
    /// The grid of a grid job, the image of an upscale.
    #[default]
    Main,
    /// Also a grid's four split images.
    All,
}

/// Where the files go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportTarget {
    /// Into this folder (created if needed); an existing file is never replaced, the new one gets `-2`, `-3`….
    Folder(PathBuf),
    /// Into one zip file, written whole and then moved into place (`-2`, `-3`… if the name is taken).
    Zip(PathBuf),
}

impl ExportTarget {
    pub fn path(&self) -> &Path {
        match self {
            ExportTarget::Folder(path) | ExportTarget::Zip(path) => path,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// The file name template (`domain::export_name`).
    pub template: String,
    pub images: ExportImages,
}

/// What an export did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportReport {
    pub target: ExportTarget,
    /// The image files written, by name (sidecar JSON files not counted).
    pub files: Vec<String>,
    /// Jobs that had no finished image to export (failed, still running, describe).
    pub without_images: Vec<i64>,
    /// Exported jobs whose seed is not known yet (Get seed in their view).
    pub without_seed: Vec<i64>,
}

impl ExportReport {
    /// One sentence for the person who asked: what was written where, and what was left out or lacks a seed.
    pub fn summary(&self) -> String {
        let count = |n: usize, one: &str, many: &str| match n {
            1 => format!("1 {one}"),
            n => format!("{n} {many}"),
        };
        let mut text = format!(
            "exported {} to {}",
            count(self.files.len(), "image", "images"),
            self.target.path().display()
        );
        if !self.without_images.is_empty() {
            text.push_str(&format!(
                "; {} no image to export (not finished, failed, or a seed or describe job)",
                count(self.without_images.len(), "job has", "jobs have")
            ));
        }
        if !self.without_seed.is_empty() {
            text.push_str(&format!(
                "; {} no seed yet (Get seed in the job's view, or `moodgrid seed`)",
                count(self.without_seed.len(), "job has", "jobs have")
            ));
        }
        text
    }
}

/// The facts written into a PNG's text chunks and into a sidecar JSON file.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ExportMetadata {
    pub software: String,
    pub prompt: String,
    pub seed: Option<String>,
    /// The TTAPI job id.
    pub job_id: Option<String>,
    /// Moodgrid's own job number.
    pub moodgrid_job: i64,
    pub action: String,
    /// Which image of the job: `grid`, `1`–`4`, `upscale`.
    pub image: String,
    pub width: u32,
    pub height: u32,
    pub mode: Option<String>,
    /// When the job was made, RFC 3339.
    pub created: String,
    /// The jobs this one was made from, oldest first (the imagine, then each action), ending with its parent.
    pub lineage: Vec<Ancestor>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Ancestor {
    pub job_id: Option<String>,
    pub moodgrid_job: i64,
    pub action: String,
    pub prompt: String,
}

/// The PNG text keywords the export writes (see `text_chunk` for which chunk type a value gets).
pub mod keyword {
    pub const PROMPT: &str = "prompt";
    pub const SEED: &str = "seed";
    pub const JOB_ID: &str = "job_id";
    pub const MOODGRID_JOB: &str = "moodgrid_job";
    pub const ACTION: &str = "action";
    pub const LINEAGE: &str = "lineage";
    /// Every fact at once, as the sidecar JSON has them.
    pub const METADATA: &str = "moodgrid";
    pub const SOFTWARE: &str = "Software";
    pub const CREATION_TIME: &str = "Creation Time";
}

/// Ancestors deeper than this are not followed (a damaged library could hold a loop).
const MAX_LINEAGE: usize = 1000;

impl Library {
    /// Writes the images of `job_ids` (in that order) to `target`, named by `options.template`.
    pub fn export_jobs(
        &self,
        job_ids: &[i64],
        options: &ExportOptions,
        target: &ExportTarget,
    ) -> Result<ExportReport, LibraryError> {
        check_template(&options.template)?;
        let mut sink = Sink::open(target)?;
        let mut report = ExportReport {
            target: target.clone(),
            files: Vec::new(),
            without_images: Vec::new(),
            without_seed: Vec::new(),
        };
        for &job_id in job_ids {
            let job = self.job(job_id)?;
            let images = exported_images(self.image_files(job_id)?, options.images);
            if images.is_empty() {
                report.without_images.push(job_id);
                continue;
            }
            let lineage = self.lineage(&job)?;
            let seed = seed_of(&job);
            if seed.is_none() {
                report.without_seed.push(job_id);
            }
            for image in images {
                let metadata = metadata(&job, &image, seed.clone(), lineage.clone());
                let bytes = std::fs::read(&image.path).map_err(|source| LibraryError::Io {
                    path: image.path.clone(),
                    source,
                })?;
                let stem = file_stem_for(&options.template, &job, &metadata.image)?;
                let name = sink.write_image(&stem, &bytes, &metadata)?;
                report.files.push(name);
            }
        }
        report.target = sink.finish()?;
        Ok(report)
    }

    /// The jobs `job` was made from, oldest first.
    fn lineage(&self, job: &JobRecord) -> Result<Vec<Ancestor>, LibraryError> {
        let mut ancestors = Vec::new();
        let mut next = job.parent_id;
        while let Some(id) = next.filter(|_| ancestors.len() < MAX_LINEAGE) {
            let parent = self.job(id)?;
            next = parent.parent_id;
            ancestors.push(Ancestor {
                job_id: parent.remote_id,
                moodgrid_job: parent.id,
                action: parent.action,
                prompt: parent.prompt,
            });
        }
        ancestors.reverse();
        Ok(ancestors)
    }
}

fn exported_images(files: Vec<ImageFile>, which: ExportImages) -> Vec<ImageFile> {
    let mut images: Vec<ImageFile> = files
        .into_iter()
        .filter(|f| match which {
            ExportImages::Main => matches!(f.record.role, ImageRole::Grid | ImageRole::Upscale),
            ExportImages::All => f.record.role.is_output(),
        })
        .collect();
    images.sort_by_key(|f| (f.record.role != ImageRole::Grid, f.record.ordinal));
    images
}

/// The file name (without extension) `template` gives `image` (`grid`, `1`–`4`, `upscale`) of `job`; also
/// the Export dialog's example.
pub fn file_stem_for(
    template: &str,
    job: &JobRecord,
    image: &str,
) -> Result<String, TemplateError> {
    let seed = seed_of(job);
    let date = rfc3339(job.created_at);
    file_stem(
        template,
        &NameFields {
            job: job.id,
            remote_id: job.remote_id.as_deref(),
            prompt: &job.prompt,
            seed: seed.as_deref(),
            action: &job.action,
            image,
            date: date.get(..10).unwrap_or_default(),
        },
    )
}

/// A library timestamp (ms since the epoch) as RFC 3339; empty if out of range.
fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// The seed TTAPI reported, else the one the prompt asked for with `--seed`.
pub fn seed_of(job: &JobRecord) -> Option<String> {
    job.seed.clone().or_else(|| {
        let mut words = job.prompt.split_whitespace();
        words.find(|w| *w == "--seed")?;
        words
            .next()
            .filter(|s| s.bytes().all(|b| b.is_ascii_digit()))
            .map(str::to_owned)
    })
}

fn metadata(
    job: &JobRecord,
    image: &ImageFile,
    seed: Option<String>,
    lineage: Vec<Ancestor>,
) -> ExportMetadata {
    ExportMetadata {
        software: format!("Moodgrid {}", env!("CARGO_PKG_VERSION")),
        prompt: job.prompt.clone(),
        seed,
        job_id: job.remote_id.clone(),
        moodgrid_job: job.id,
        action: job.action.clone(),
        image: match image.record.role {
            ImageRole::Grid => "grid".to_owned(),
            ImageRole::Split => image.record.ordinal.to_string(),
            _ => "upscale".to_owned(),
        },
        width: image.record.width,
        height: image.record.height,
        mode: job.mode.map(|m| m.as_str().to_owned()),
        created: rfc3339(job.created_at),
        lineage,
    }
}

/// The PNG `bytes` with `metadata` inserted as text chunks right after the header, where every reader
/// finds them before the pixels.
pub fn png_with_metadata(bytes: &[u8], metadata: &ExportMetadata) -> Result<Vec<u8>, String> {
    let lineage = serde_json::to_string(&metadata.lineage).map_err(|e| e.to_string())?;
    let everything = serde_json::to_string(metadata).map_err(|e| e.to_string())?;
    let moodgrid_job = metadata.moodgrid_job.to_string();
    let created = creation_time(&metadata.created);
    let facts = [
        (keyword::PROMPT, Some(metadata.prompt.as_str())),
        (keyword::SEED, metadata.seed.as_deref()),
        (keyword::JOB_ID, metadata.job_id.as_deref()),
        (keyword::MOODGRID_JOB, Some(moodgrid_job.as_str())),
        (keyword::ACTION, Some(metadata.action.as_str())),
        (keyword::LINEAGE, Some(lineage.as_str())),
        (keyword::SOFTWARE, Some(metadata.software.as_str())),
        (keyword::CREATION_TIME, created.as_deref()),
        (keyword::METADATA, Some(everything.as_str())),
    ];
    crate::imaging::png_text::with_text(bytes, &facts)
}

/// PNG's "Creation Time" is conventionally RFC 1123 (RFC 2822 dates fit it).
fn creation_time(rfc3339: &str) -> Option<String> {
    let parsed =
        time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
            .ok()?;
    parsed
        .format(&time::format_description::well_known::Rfc2822)
        .ok()
}

/// Exported files are meant to be shared: the usual `rw-r--r--`, not the private mode temporary files get.
fn readable_by_others(file: &tempfile::NamedTempFile) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        file.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        Ok(())
    }
}

/// A zip entry's date: when the job was made (zip dates have no zone; UTC is written).
fn zip_time(rfc3339: &str) -> Option<zip::DateTime> {
    let t = time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .ok()?;
    zip::DateTime::from_date_and_time(
        u16::try_from(t.year()).ok()?,
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
    )
    .ok()
}

/// Where exported files are written: a folder, or a zip being assembled in a temporary file beside its
/// final name.
enum Sink {
    Folder {
        dir: PathBuf,
        taken: HashSet<String>,
    },
    Zip {
        path: PathBuf,
        writer: Box<zip::ZipWriter<tempfile::NamedTempFile>>,
        taken: HashSet<String>,
    },
}

impl Sink {
    fn open(target: &ExportTarget) -> Result<Sink, LibraryError> {
        let failed = |path: &Path| {
            let path = path.to_owned();
            move |source| LibraryError::Export { path, source }
        };
        match target {
            ExportTarget::Folder(dir) => {
                std::fs::create_dir_all(dir).map_err(failed(dir))?;
                Ok(Sink::Folder {
                    dir: dir.clone(),
                    taken: HashSet::new(),
                })
            }
            ExportTarget::Zip(path) => {
                let parent = path
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or(Path::new("."));
                std::fs::create_dir_all(parent).map_err(failed(path))?;
                let file = tempfile::NamedTempFile::new_in(parent).map_err(failed(path))?;
                readable_by_others(&file).map_err(failed(path))?;
                Ok(Sink::Zip {
                    path: path.clone(),
                    writer: Box::new(zip::ZipWriter::new(file)),
                    taken: HashSet::new(),
                })
            }
        }
    }

    /// Writes one image (with its facts) under a free name built from `stem`; returns the name used.
    fn write_image(
        &mut self,
        stem: &str,
        bytes: &[u8],
        metadata: &ExportMetadata,
    ) -> Result<String, LibraryError> {
        let extension = crate::imaging::sniff_format(bytes)
            .and_then(|f| f.extensions_str().first().copied())
            .unwrap_or("bin");
        let (contents, sidecar) = if extension == "png" {
            let tagged =
                png_with_metadata(bytes, metadata).map_err(crate::imaging::ImageError::Corrupt)?;
            (tagged, None)
        } else {
            let json = serde_json::to_vec_pretty(metadata).unwrap_or_default();
            (bytes.to_vec(), Some(json))
        };
        let name = self.free_name(stem, extension, sidecar.is_some());
        let made = zip_time(&metadata.created);
        self.write(&format!("{name}.{extension}"), &contents, false, made)?;
        if let Some(json) = sidecar {
            self.write(&format!("{name}.json"), &json, true, made)?;
        }
        Ok(format!("{name}.{extension}"))
    }

    /// `stem`, or `stem-2`, `stem-3`… : the first that this export has not used and no file in the folder
    /// has (for the image, and for its sidecar if it has one).
    fn free_name(&mut self, stem: &str, extension: &str, with_sidecar: bool) -> String {
        let (taken, dir) = match self {
            Sink::Folder { dir, taken } => (taken, Some(dir.as_path())),
            Sink::Zip { taken, .. } => (taken, None),
        };
        let is_free = |name: &str, taken: &HashSet<String>| {
            let files = std::iter::once(format!("{name}.{extension}"))
                .chain(with_sidecar.then(|| format!("{name}.json")));
            files.into_iter().all(|f| {
                !taken.contains(&f.to_lowercase()) && dir.is_none_or(|d| !d.join(&f).exists())
            })
        };
        let name = (1..)
            .map(|n| match n {
                1 => stem.to_owned(),
                n => format!("{stem}-{n}"),
            })
            .find(|name| is_free(name, taken))
            .unwrap_or_else(|| stem.to_owned());
        taken.insert(format!("{name}.{extension}").to_lowercase());
        if with_sidecar {
            taken.insert(format!("{name}.json").to_lowercase());
        }
        name
    }

    fn write(
        &mut self,
        name: &str,
        contents: &[u8],
        compress: bool,
        made: Option<zip::DateTime>,
    ) -> Result<(), LibraryError> {
        match self {
            Sink::Folder { dir, .. } => {
                let path = dir.join(name);
                let failed = |source| LibraryError::Export {
                    path: path.clone(),
                    source,
                };
                // Whole or not at all: a half-written file never sits under the final name.
                let mut file = tempfile::NamedTempFile::new_in(&*dir).map_err(failed)?;
                readable_by_others(&file).map_err(failed)?;
                file.write_all(contents).map_err(failed)?;
                file.persist_noclobber(&path).map_err(|e| failed(e.error))?;
                Ok(())
            }
            Sink::Zip { path, writer, .. } => {
                // Images are compressed already; only the JSON sidecars gain from deflate.
                let method = if compress {
                    zip::CompressionMethod::Deflated
                } else {
                    zip::CompressionMethod::Stored
                };
                let mut options = zip::write::SimpleFileOptions::default()
                    .compression_method(method)
                    .large_file(contents.len() as u64 >= u64::from(u32::MAX));
                if let Some(made) = made {
                    options = options.last_modified_time(made);
                }
                writer
                    .start_file(name, options)
                    .map_err(std::io::Error::other)
                    .and_then(|()| writer.write_all(contents))
                    .map_err(|source| LibraryError::Export {
                        path: path.clone(),
                        source,
                    })
            }
        }
    }

    /// Completes the export and says where it went: a zip is moved to its name, or to `name-2.zip`… when a
    /// file of that name exists (never replaced).
    fn finish(self) -> Result<ExportTarget, LibraryError> {
        match self {
            Sink::Folder { dir, .. } => Ok(ExportTarget::Folder(dir)),
            Sink::Zip { path, writer, .. } => {
                let failed = |source| LibraryError::Export {
                    path: path.clone(),
                    source,
                };
                let mut file = writer
                    .finish()
                    .map_err(|e| failed(std::io::Error::other(e)))?;
                let stem = path
                    .file_stem()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned();
                let extension = path.extension().map(|e| e.to_string_lossy().into_owned());
                for n in 1.. {
                    let candidate = match n {
                        1 => path.clone(),
                        n => path.with_file_name(match &extension {
                            Some(ext) => format!("{stem}-{n}.{ext}"),
                            None => format!("{stem}-{n}"),
                        }),
                    };
                    match file.persist_noclobber(&candidate) {
                        Ok(_) => return Ok(ExportTarget::Zip(candidate)),
                        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {
                            file = e.file;
                        }
                        Err(e) => return Err(failed(e.error)),
                    }
                }
                Err(failed(std::io::ErrorKind::AlreadyExists.into()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::library::{ImageRecord, JobParams, JobUpdate, NewJob};

    fn job(library: &Library, action: &str, prompt: &str, parent: Option<i64>) -> JobRecord {
        library
            .insert_job(&NewJob {
                backend: "test".into(),
                params: if parent.is_some() {
                    JobParams::Action {
                        action: action.into(),
                        timeout: None,
                    }
                } else {
                    JobParams::Imagine {
                        prompt: prompt.into(),
                        mode: crate::domain::Mode::Fast,
                        timeout: None,
                    }
                },
                action: action.into(),
                prompt: prompt.into(),
                mode: None,
                parent_id: parent,
                timeout_secs: 300,
            })
            .unwrap()
    }

    fn add_image(library: &Library, job: i64, role: ImageRole, ordinal: u32, bytes: &[u8]) {
        let stored = library.store().put(bytes).unwrap();
        library
            .add_image(&ImageRecord::stored(job, role, ordinal, stored, None))
            .unwrap();
    }

    fn png(shade: u8) -> Vec<u8> {
        crate::imaging::encode_png(&image::RgbaImage::from_pixel(
            24,
            16,
            image::Rgba([shade, 90, 10, 255]),
        ))
        .unwrap()
    }

    /// Every text chunk of a PNG, read with the `png` crate, and its pixels.
    fn read_png(bytes: &[u8]) -> (HashMap<String, String>, Vec<u8>) {
        let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
            .read_info()
            .unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        reader.next_frame(&mut pixels).unwrap();
        let info = reader.info();
        let mut texts: HashMap<String, String> = info
            .uncompressed_latin1_text
            .iter()
            .map(|c| (c.keyword.clone(), c.text.clone()))
            .collect();
        texts.extend(
            info.utf8_text
                .iter()
                .map(|c| (c.keyword.clone(), c.get_text().unwrap())),
        );
        (texts, pixels)
    }

    /// A grid (imagine) with its four splits, and U2 of it: upscaled, seeded, with a TTAPI id.
    fn library_with_lineage(dir: &Path) -> (Library, JobRecord, JobRecord) {
        let library = Library::open(dir).unwrap();
        let grid = job(
            &library,
            "imagine",
            "雨の京都 a quiet harbour --ar 3:2",
            None,
        );
        let grid = library
            .update_job(
                grid.id,
                &JobUpdate {
                    remote_id: Some("grid-remote-1".into()),
                    ..JobUpdate::default()
                },
            )
            .unwrap();
        add_image(&library, grid.id, ImageRole::Grid, 0, &png(1));
        for n in 1..=4 {
            add_image(&library, grid.id, ImageRole::Split, n, &png(10 + n as u8));
        }
        let upscale = job(&library, "upsample2", &grid.prompt, Some(grid.id));
        let upscale = library
            .update_job(
                upscale.id,
                &JobUpdate {
                    remote_id: Some("upscale-remote-2".into()),
                    seed: Some("1234567".into()),
                    ..JobUpdate::default()
                },
            )
            .unwrap();
        add_image(&library, upscale.id, ImageRole::Upscale, 0, &png(99));
        (library, grid, upscale)
    }

    #[test]
    fn exported_pngs_carry_prompt_seed_job_id_and_lineage_and_keep_their_pixels() {
        let dir = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        let (library, grid, upscale) = library_with_lineage(dir.path());
        let options = ExportOptions {
            template: "{action}-{id}-{image}".into(),
            images: ExportImages::Main,
        };
        let target = ExportTarget::Folder(out.path().join("picked"));
        let report = library
            .export_jobs(&[upscale.id, grid.id], &options, &target)
            .unwrap();
        assert_eq!(
            report.files,
            [
                "upsample2-upscale-remote-2-upscale.png",
                "imagine-grid-remote-1-grid.png"
            ]
        );
        assert_eq!(report.without_seed, [grid.id]);

        let written = std::fs::read(out.path().join("picked").join(&report.files[0])).unwrap();
        let (texts, pixels) = read_png(&written);
        assert_eq!(texts[keyword::PROMPT], "雨の京都 a quiet harbour --ar 3:2");
        assert_eq!(texts[keyword::SEED], "1234567");
        assert_eq!(texts[keyword::JOB_ID], "upscale-remote-2");
        assert_eq!(texts[keyword::ACTION], "upsample2");
        assert_eq!(texts[keyword::MOODGRID_JOB], upscale.id.to_string());
        assert!(texts[keyword::SOFTWARE].starts_with("Moodgrid "));
        assert!(texts.contains_key(keyword::CREATION_TIME));
        let lineage: serde_json::Value = serde_json::from_str(&texts[keyword::LINEAGE]).unwrap();
        assert_eq!(
            lineage,
            serde_json::json!([{
                "job_id": "grid-remote-1",
                "moodgrid_job": grid.id,
                "action": "imagine",
                "prompt": grid.prompt,
            }])
        );
        let all: serde_json::Value = serde_json::from_str(&texts[keyword::METADATA]).unwrap();
        assert_eq!(all["image"], "upscale");
        assert_eq!(all["lineage"], lineage);
        // The pixels are the stored original's.
        let (_, original) = read_png(&png(99));
        assert_eq!(pixels, original);

        // The grid: no seed known, so no seed chunk rather than an empty one.
        let grid_file = std::fs::read(out.path().join("picked").join(&report.files[1])).unwrap();
        let (texts, _) = read_png(&grid_file);
        assert!(!texts.contains_key(keyword::SEED));
        assert_eq!(texts[keyword::LINEAGE], "[]");
    }

    #[test]
    fn all_images_go_into_one_zip_with_unique_names() {
        let dir = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        let (library, grid, upscale) = library_with_lineage(dir.path());
        // The same template for every image of the grid: names must not collide.
        let options = ExportOptions {
            template: "{prompt}".into(),
            images: ExportImages::All,
        };
        // Into a folder that does not exist yet.
        let zip_path = out.path().join("new folder").join("moodgrid.zip");
        let report = library
            .export_jobs(
                &[grid.id, upscale.id],
                &options,
                &ExportTarget::Zip(zip_path.clone()),
            )
            .unwrap();
        assert_eq!(report.files.len(), 6);
        assert_eq!(report.files[0], "雨の京都-a-quiet-harbour.png");
        assert_eq!(report.files[5], "雨の京都-a-quiet-harbour-6.png");
        // Nothing but the zip is left in the folder (its temporary file was moved into place).
        assert_eq!(
            std::fs::read_dir(out.path().join("new folder"))
                .unwrap()
                .count(),
            1
        );
        assert_eq!(report.target, ExportTarget::Zip(zip_path.clone()));
        // Exported again under the same name: the first zip stays, the second gets its own name.
        let again = library
            .export_jobs(&[grid.id], &options, &ExportTarget::Zip(zip_path.clone()))
            .unwrap();
        assert_eq!(
            again.target,
            ExportTarget::Zip(out.path().join("new folder").join("moodgrid-2.zip"))
        );
        assert!(
            again.summary().starts_with("exported 5 images to "),
            "{}",
            again.summary()
        );

        let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
        assert_eq!(archive.len(), 6);
        for (index, name) in report.files.iter().enumerate() {
            let mut entry = archive.by_name(name).unwrap();
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
            let (texts, _) = read_png(&bytes);
            let expected_image = match index {
                0 => "grid".to_owned(),
                1..=4 => index.to_string(),
                _ => "upscale".to_owned(),
            };
            let all: serde_json::Value = serde_json::from_str(&texts[keyword::METADATA]).unwrap();
            assert_eq!(all["image"], expected_image, "{name}");
        }
    }

    #[test]
    fn other_formats_get_a_sidecar_and_existing_files_are_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        let library = Library::open(dir.path()).unwrap();
        let record = job(&library, "imagine", "a fox --seed 77", None);
        let mut jpeg = Vec::new();
        image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(20, 20, image::Rgb([1, 2, 3])))
            .write_to(
                &mut std::io::Cursor::new(&mut jpeg),
                image::ImageFormat::Jpeg,
            )
            .unwrap();
        add_image(&library, record.id, ImageRole::Upscale, 0, &jpeg);
        std::fs::write(out.path().join("fox.jpg"), b"the user's own file").unwrap();

        let options = ExportOptions {
            template: "fox".into(),
            images: ExportImages::Main,
        };
        let report = library
            .export_jobs(
                &[record.id],
                &options,
                &ExportTarget::Folder(out.path().to_owned()),
            )
            .unwrap();
        assert_eq!(report.files, ["fox-2.jpg"]);
        assert!(report.without_seed.is_empty(), "the prompt's --seed counts");
        assert_eq!(
            std::fs::read(out.path().join("fox.jpg")).unwrap(),
            b"the user's own file"
        );
        assert_eq!(std::fs::read(out.path().join("fox-2.jpg")).unwrap(), jpeg);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            for name in ["fox-2.jpg", "fox-2.json"] {
                let mode = std::fs::metadata(out.path().join(name))
                    .unwrap()
                    .permissions()
                    .mode();
                assert_eq!(mode & 0o777, 0o644, "{name}");
            }
        }
        let sidecar: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.path().join("fox-2.json")).unwrap()).unwrap();
        assert_eq!(sidecar["prompt"], "a fox --seed 77");
        assert_eq!(sidecar["seed"], "77");
        assert_eq!(sidecar["moodgrid_job"], record.id);
        assert_eq!(sidecar["lineage"], serde_json::json!([]));
    }

    #[test]
    fn jobs_without_images_and_bad_templates_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        let library = Library::open(dir.path()).unwrap();
        let failed = job(&library, "imagine", "never drawn", None);
        let report = library
            .export_jobs(
                &[failed.id],
                &ExportOptions {
                    template: "{job}".into(),
                    images: ExportImages::All,
                },
                &ExportTarget::Folder(out.path().to_owned()),
            )
            .unwrap();
        assert!(report.files.is_empty());
        assert_eq!(report.without_images, [failed.id]);

        let bad = library
            .export_jobs(
                &[failed.id],
                &ExportOptions {
                    template: "{colour}".into(),
                    images: ExportImages::All,
                },
                &ExportTarget::Zip(out.path().join("x.zip")),
            )
            .unwrap_err();
        assert!(bad.to_string().contains("{colour}"), "{bad}");
        assert!(!out.path().join("x.zip").exists());
    }

    fn bare_metadata() -> ExportMetadata {
        ExportMetadata {
            software: "Moodgrid".into(),
            prompt: "p".into(),
            seed: None,
            job_id: None,
            moodgrid_job: 1,
            action: "imagine".into(),
            image: "grid".into(),
            width: 1,
            height: 1,
            mode: None,
            created: String::new(),
            lineage: Vec::new(),
        }
    }

    #[test]
    fn a_damaged_png_is_refused_with_a_message_not_written_half() {
        let metadata = bare_metadata();
        for bad in [
            &b""[..],
            b"\x89PNG\r\n\x1a\n\0\0",
            b"<html>not found</html>",
        ] {
            let refused = png_with_metadata(bad, &metadata).unwrap_err();
            assert!(refused.starts_with("not a readable PNG: "), "{refused}");
        }

        // A grid whose third image was damaged on disk after it was stored: the export stops there with
        // the message, the images before it are written whole, nothing of the damaged one is left, and a
        // zip is never written at all.
        let dir = tempfile::tempdir().unwrap();
        let (library, grid, _) = library_with_lineage(dir.path());
        let files = library.image_files(grid.id).unwrap();
        let damaged = &files[2].path;
        let whole = std::fs::read(damaged).unwrap();
        std::fs::write(damaged, &whole[..whole.len() / 2]).unwrap();
        let options = ExportOptions {
            template: "{job}".into(),
            images: ExportImages::All,
        };
        let out = tempfile::tempdir().unwrap();
        let folder = out.path().join("folder");
        for target in [
            ExportTarget::Folder(folder.clone()),
            ExportTarget::Zip(out.path().join("all.zip")),
        ] {
            let err = library
                .export_jobs(&[grid.id], &options, &target)
                .unwrap_err();
            assert!(
                err.to_string()
                    .starts_with("the image is damaged or truncated: not a readable PNG: "),
                "{target:?}: {err}"
            );
        }
        let pixels_of = |path: &Path| read_png(&std::fs::read(path).unwrap()).1;
        let mut written: Vec<Vec<u8>> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|entry| pixels_of(&entry.unwrap().path()))
            .collect();
        let mut before: Vec<Vec<u8>> = files[..2].iter().map(|f| pixels_of(&f.path)).collect();
        written.sort();
        before.sort();
        assert!(
            written == before,
            "the grid and the first split, whole, and nothing else"
        );
        let beside: Vec<_> = std::fs::read_dir(out.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(beside, ["folder"], "no zip, no temporary file");
    }
}
