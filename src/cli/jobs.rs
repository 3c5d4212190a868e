//! The commands that run jobs: each builds a submission (reading files, finding parents in the library),
//! starts an engine on the backend (`engine::resolve`, as the window does) and follows the jobs.

use std::io::IsTerminal as _;
use std::path::Path;
use std::sync::Arc;

use super::args::{Follow, GlobalArgs};
use super::wait::{self, Until};
use super::{Exit, Failure, base_url, data_dir, find, open_library, output, settings};
use crate::domain::terminal_text::printable;
use crate::engine::{
    Backend, EngineConfig, EngineHandle, Event, NewSubmission, Resolved, SourceImage, Timing,
};
use crate::library::{JobRecord, Library};
use crate::secrets::KeyStore;
use crate::settings::Settings;

/// `fetch`: asks the service once where a job stands, then follows it.
pub(super) fn fetch(global: &GlobalArgs, job: &str, follow: Follow) -> Result<Exit, Failure> {
    let library = open_library(global)?;
    let job = find(&library, job)?;
    let mut engine = start_engine(global)?;
    let record = engine
        .fetch_blocking(job.id)
        .map_err(|e| Failure(engine_exit(&e), e.to_string()))?;
    finish(&library, &mut engine, vec![record], follow)
}

/// `look-again`: an unconfirmed job looked for in TTAPI's history once more (never sent), then followed.
pub(super) fn look_again(global: &GlobalArgs, job: &str, follow: Follow) -> Result<Exit, Failure> {
    let library = open_library(global)?;
    let job = find(&library, job)?;
    if job.state != crate::library::JobState::Unconfirmed {
        return Err(Failure(
            Exit::Usage,
            format!(
                "#{} is {}: only an unconfirmed job is looked for again",
                job.id,
                job.state.as_str()
            ),
        ));
    }
    let mut engine = start_engine(global)?;
    let record = engine
        .ask_blocking(|reply| crate::engine::Command::LookAgain {
            job_id: job.id,
            reply,
        })
        .and_then(|answer| answer)
        .map_err(|e| Failure(engine_exit(&e), e.to_string()))?;
    finish(&library, &mut engine, vec![record], follow)
}

/// `resume`: every unfinished job of this backend, driven here or followed while another process drives it.
pub(super) fn resume(global: &GlobalArgs, follow: Follow) -> Result<Exit, Failure> {
    let library = open_library(global)?;
    let mut engine = start_engine(global)?;
    let resumed = engine
        .resume_blocking()
        .map_err(|e| Failure(Exit::Unavailable, e.to_string()))?;
    if resumed.driving.is_empty() && resumed.following.is_empty() {
        eprintln!("Nothing to resume: every job has finished.");
        return Ok(Exit::Success);
    }
    if !resumed.driving.is_empty() {
        eprintln!("Resuming {} job(s).", resumed.driving.len());
    }
    if !resumed.following.is_empty() {
        eprintln!(
            "Following {} job(s) another Moodgrid process is driving or still sending (taken over once it is free).",
            resumed.following.len()
        );
    }
    let mut jobs = resumed.driving;
    jobs.extend(resumed.following);
    finish(&library, &mut engine, jobs, follow)
}

pub(super) fn engine_exit(error: &crate::engine::EngineError) -> Exit {
    match error {
        crate::engine::EngineError::Invalid(_) => Exit::Usage,
        crate::engine::EngineError::Api(api) if api.is_account_problem() => Exit::Account,
        _ => Exit::Unavailable,
    }
}

/// Builds the submission (reading files, resolving parents), sends it through the engine, then follows it.
pub(super) fn submit(
    global: &GlobalArgs,
    follow: Follow,
    build: impl FnOnce(&Library) -> Result<NewSubmission, Failure>,
) -> Result<Exit, Failure> {
    let library = open_library(global)?;
    let submission = build(&library)?;
    submit_all(global, &library, vec![submission], follow)
}

/// Sends every submission through one engine (its queue keeps at most 10 jobs in flight), then follows them.
pub(super) fn submit_all(
    global: &GlobalArgs,
    library: &Library,
    submissions: Vec<NewSubmission>,
    follow: Follow,
) -> Result<Exit, Failure> {
    let mut engine = start_engine(global)?;
    let total = submissions.len();
    let mut jobs = Vec::with_capacity(total);
    for submission in submissions {
        match engine.submit_blocking(submission) {
            Ok(job) => jobs.push(job),
            // A signal stopped the engine while the batch was being written: it says what it cancelled.
            Err(crate::engine::EngineError::Stopped) if jobs.is_empty() => {
                wait::until_stopped(&mut engine);
                return Ok(Exit::Interrupted);
            }
            Err(crate::engine::EngineError::Stopped) => {
                return finish(library, &mut engine, jobs, follow);
            }
            // The jobs already written are followed; the rest of the batch is not sent.
            Err(e) if !jobs.is_empty() => {
                eprintln!(
                    "moodgrid: {}; {} of {total} sent, the rest not",
                    printable(&e.to_string()),
                    jobs.len()
                );
                let exit = finish(library, &mut engine, jobs, follow)?;
                return Ok(exit.max(engine_exit(&e)));
            }
            Err(e) => return Err(Failure(engine_exit(&e), e.to_string())),
        }
    }
    finish(library, &mut engine, jobs, follow)
}

/// Follows the jobs, prints them, and turns their outcome into the exit code (the worst one wins).
fn finish(
    library: &Library,
    engine: &mut EngineHandle,
    jobs: Vec<JobRecord>,
    follow: Follow,
) -> Result<Exit, Failure> {
    let until = if follow.wait {
        Until::Finished
    } else {
        Until::Submitted
    };
    let show_progress = follow.wait && std::io::stderr().is_terminal();
    let followed = wait::follow(engine, library, &jobs, until, show_progress);
    if followed.interrupted {
        // What was cancelled and what runs on was said when the signal came (`wait::stop_lines`).
        return Ok(Exit::Interrupted);
    }
    let mut worst = Exit::Success;
    for job in &jobs {
        let record = library.job(job.id).unwrap_or_else(|_| {
            followed
                .last
                .get(&job.id)
                .cloned()
                .unwrap_or_else(|| job.clone())
        });
        output::print_job(library, &record, follow.json);
        let mut exit = Exit::for_job(&record);
        if let Some((stall_exit, message)) = followed.stalled.get(&job.id) {
            eprintln!(
                "moodgrid: {}",
                printable(&format!(
                    "{}: {message}",
                    record.remote_id.as_deref().unwrap_or("job")
                ))
            );
            exit = exit.max(*stall_exit);
        } else if exit != Exit::Success {
            eprintln!(
                "moodgrid: {}",
                printable(&format!(
                    "{}: {}",
                    record.reference(),
                    record.message.as_deref().unwrap_or("failed")
                ))
            );
            if record.state == crate::library::JobState::Unconfirmed {
                eprintln!(
                    "moodgrid: look for it in your TTAPI dashboard's job history: `moodgrid look-again #{id}` \
                     picks it up if it is there; `moodgrid retry #{id}` sends it anyway (charged again if TTAPI \
                     did run it)",
                    id = record.id
                );
            }
        }
        worst = worst.max(exit);
    }
    Ok(worst)
}

/// A user's image file, checked and, if too large, downscaled as the window does it (said on stderr).
pub(super) fn read_image(path: &Path) -> Result<SourceImage, Failure> {
    let source =
        crate::engine::read_source_file(path).map_err(|e| Failure(Exit::Usage, e.to_string()))?;
    if let Some(note) = &source.note {
        eprintln!(
            "moodgrid: {}",
            printable(&format!("{}: {note}", source.image.name))
        );
    }
    Ok(source.image)
}

/// A mask file, sent at its own size (never downscaled: it must match the image). A grey or coloured mask
/// is thresholded by the engine, as the window's editor does; the user is told.
pub(super) fn read_mask(path: &Path) -> Result<SourceImage, Failure> {
    let name = path.display().to_string();
    let (bytes, image) =
        crate::imaging::read_mask_file(path).map_err(|refused| Failure(Exit::Usage, refused))?;
    if !crate::imaging::is_black_and_white(&image) {
        eprintln!(
            "moodgrid: {} is not pure black and white; pixels at least half bright are repainted",
            printable(&name)
        );
    }
    Ok(SourceImage { name, bytes })
}

/// The backend: the embedded simulator with `--offline` or without a key (`engine::resolve` decides, as for
/// the window), else the real service, once the user has consented to a host that is not TTAPI's.
fn backend(global: &GlobalArgs) -> Result<Backend, Failure> {
    if global.offline {
        return Ok(Backend::Simulator(Box::default()));
    }
    let mut settings = settings(global)?;
    let base = base_url(global, &settings)?;
    match crate::engine::resolve(Backend::Detect { base }, &KeyStore::platform()) {
        Resolved::Service { base, key } => {
            if !settings.may_send_key_to(&base) {
                if !global.trust_host {
                    return Err(Failure(
                        Exit::Usage,
                        format!(
                            "{base} is not one of TTAPI's hosts, so Moodgrid sends your key there only with your \
                             consent: run again with --trust-host, or add \"{base}\" to trusted_hosts in {}",
                            Settings::path(&data_dir(global)?).display()
                        ),
                    ));
                }
                settings.trust(&base);
                settings
                    .save(&data_dir(global)?)
                    .map_err(|e| Failure(Exit::Unavailable, e.to_string()))?;
                eprintln!(
                    "moodgrid: {base} is trusted with your TTAPI key from now on (settings.json)"
                );
            }
            Ok(Backend::Service { base, key })
        }
        Resolved::Offline { .. } if global.base_url.is_some() => Err(Failure(
            Exit::Account,
            format!(
                "no API key for {}: set TTAPI_API_KEY or store one in Settings",
                global.base_url.as_deref().unwrap_or_default()
            ),
        )),
        Resolved::Offline { sim, why } => {
            eprintln!("moodgrid: offline demo on the embedded simulator ({why})");
            Ok(Backend::Simulator(sim))
        }
    }
}

pub(super) fn start_engine(global: &GlobalArgs) -> Result<EngineHandle, Failure> {
    let backend = backend(global)?;
    let timing = Timing::from_env_or(match backend {
        Backend::Simulator(_) => Timing::local(),
        Backend::Service { .. } | Backend::Detect { .. } => Timing::default(),
    });
    let config = EngineConfig {
        data_dir: data_dir(global)?,
        backend,
        timing,
        keys: Arc::new(KeyStore::platform()),
        stop_on_interrupt: true,
    };
    let mut engine = EngineHandle::start(config, std::sync::Arc::new(|| {})).map_err(|e| {
        Failure(
            Exit::Unavailable,
            format!("could not start the engine: {e}"),
        )
    })?;
    match engine.recv_blocking() {
        Some(Event::Ready { .. }) => Ok(engine),
        Some(Event::Fatal(message)) => Err(Failure(Exit::Unavailable, message)),
        _ => Err(Failure(
            Exit::Unavailable,
            "the engine did not start".into(),
        )),
    }
}
