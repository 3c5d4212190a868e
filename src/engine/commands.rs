//! What the engine does for each [`Command`]: one named handler per command. Whether a command runs in
//! its turn (holding the next one back) or on a task of its own is [`Command::runs_in_order`].

use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::oneshot;

use super::{Command, Core, EngineError, Event, ImageInput, driver, prepare, reconcile, sharing};
use crate::api::{ApiKey, BaseUrl, ClientOptions, TtapiClient};
use crate::domain::board::Board;
use crate::domain::pricing::{PriceBook, PriceTable};
use crate::domain::spend;
use crate::library::{
    ExportOptions, ExportReport, ExportTarget, JobRecord, Library, LibraryError, StoredImage,
};
use crate::secrets::{KeyStatus, KeyringError};
use crate::settings::{Settings, SettingsError};

impl Command {
    /// In order: what must not overtake the commands before it — submissions (jobs are written in the order
    /// asked), board edits (the last save wins), resuming — and quick library reads whose answers the UI
    /// expects in order. Everything that waits on the network, the keyring or much disk runs beside the
    /// loop, so a submission sent meanwhile is not held up behind it.
    pub(crate) fn runs_in_order(&self) -> bool {
        match self {
            Command::Submit { .. }
            // After the submissions before it: "cancel all queued" catches a batch just sent.
            | Command::CancelJobs { .. }
            | Command::CancelQueued { .. }
            | Command::LookAgain { .. }
            | Command::LoadJobs { .. }
            | Command::LoadImages { .. }
            | Command::ResumeAll { .. }
            | Command::LoadBoards { .. }
            | Command::CreateBoard { .. }
            | Command::DeleteBoard { .. }
            | Command::SaveBoard { .. }
            // After the saves before it, so the answer includes them.
            | Command::JobsOnBoards { .. }
            | Command::MarkJob { .. }
            | Command::TrashJobs { .. }
            | Command::RestoreJobs { .. }
            // In order with every other write of this window: a restore or a board save asked before it
            // is done first.
            | Command::EmptyTrash { .. }
            | Command::Shutdown => true,
            Command::Fetch { .. }
            | Command::StoreKey { .. }
            | Command::RemoveKey { .. }
            | Command::KeyStatus { .. }
            | Command::CheckAccount { .. }
            | Command::CheckPrompt { .. }
            | Command::ServiceStatus { .. }
            | Command::LoadSpend { .. }
            | Command::LoadPrices { .. }
            | Command::SaveSettings { .. }
            | Command::SearchJobs { .. }
            | Command::ListJobs { .. }
            | Command::ListJobIds { .. }
            | Command::InUse { .. }
            | Command::ReadJobs { .. }
            | Command::ReadFamily { .. }
            | Command::LoadTrash { .. }
            | Command::ExportBoard { .. }
            | Command::ExportJobs { .. }
            | Command::ImportBoard { .. }
            | Command::StoreImages { .. } => false,
        }
    }
}

/// Carries out one command. `Break` stops the engine.
pub(crate) async fn handle(core: Arc<Core>, command: Command) -> ControlFlow<()> {
    match command {
        Command::Submit { submission, reply } => submit(&core, submission, reply).await,
        Command::Fetch { job_id, reply } => answer(reply, driver::refresh(&core, job_id).await),
        Command::CancelJobs { job_ids, reply } => {
            answer(reply, cancel(&core, Some(job_ids)).await);
        }
        Command::CancelQueued { reply } => answer(reply, cancel(&core, None).await),
        Command::LookAgain { job_id, reply } => {
            answer(reply, reconcile::look_again(&core, job_id).await);
        }
        Command::LoadJobs { limit } => load_jobs(&core, limit).await,
        Command::LoadImages { job_ids } => load_images(&core, job_ids).await,
        Command::ResumeAll { reply } => answer(reply, sharing::resume_all(&core).await),
        Command::StoreKey { key, reply } => answer(reply, store_key(&core, key).await),
        Command::RemoveKey { reply } => answer(reply, remove_key(&core).await),
        Command::KeyStatus { reply } => key_status(&core, reply).await,
        Command::CheckAccount { base, key, reply } => {
            answer(reply, check_account(&core, base, key).await);
        }
        Command::ServiceStatus { reply } => answer(reply, core.client.service_status().await),
        Command::LoadSpend {
            since_ms,
            now_ms,
            utc_offset_s,
            reply,
        } => load_spend(&core, since_ms, now_ms, utc_offset_s, reply).await,
        Command::LoadPrices { reply } => load_prices(&core, reply).await,
        Command::CheckPrompt { prompt, reply } => {
            answer(reply, core.client.prompt_check(&prompt).await);
        }
        Command::SaveSettings { settings, reply } => {
            answer(reply, save_settings(&core, settings).await);
        }
        Command::LoadBoards { reply } => in_library(&core, reply, |l| l.boards()).await,
        Command::CreateBoard { board, reply } => {
            in_library(&core, reply, move |l| l.create_board(&board)).await;
        }
        Command::MarkJob { job_id, mark } => mark_job(&core, job_id, mark).await,
        Command::TrashJobs { job_ids } => trash_jobs(&core, job_ids, true).await,
        Command::RestoreJobs { job_ids } => trash_jobs(&core, job_ids, false).await,
        Command::LoadTrash { reply } => {
            in_library(&core, reply, |l| l.trash_listing()).await;
        }
        Command::EmptyTrash { reply } => in_library(&core, reply, |l| l.empty_trash()).await,
        Command::SearchJobs {
            query,
            limit,
            reply,
        } => search_jobs(&core, &query, limit, reply).await,
        Command::ListJobs {
            listing,
            counting,
            reply,
        } => in_library(&core, reply, move |l| l.list_page(&listing, counting)).await,
        Command::ListJobIds { listing, reply } => {
            in_library(&core, reply, move |l| l.list_job_ids(&listing)).await;
        }
        Command::InUse { reply } => in_library(&core, reply, |l| l.in_use()).await,
        Command::ReadJobs { ids } => {
            let asked = ids.clone();
            read_jobs(&core, asked, move |l| l.jobs_by_id(&ids)).await;
        }
        Command::ReadFamily { id } => {
            read_jobs(&core, Vec::new(), move |l| l.family_jobs(id)).await
        }
        Command::JobsOnBoards { reply } => in_library(&core, reply, |l| l.jobs_on_boards()).await,
        Command::ExportBoard { id, reply } => {
            in_library(&core, reply, move |l| l.export_board(id)).await;
        }
        Command::ExportJobs {
            job_ids,
            options,
            target,
            reply,
        } => export_jobs(&core, job_ids, options, target, reply).await,
        Command::ImportBoard { file, reply } => {
            in_library(&core, reply, move |l| l.import_board(&file)).await;
        }
        Command::StoreImages { inputs, reply } => store_images(&core, inputs, reply).await,
        Command::DeleteBoard { id, reply } => {
            in_library(&core, reply, move |l| l.delete_board(id)).await;
        }
        Command::SaveBoard { id, board } => save_board(&core, id, board).await,
        Command::Shutdown => return ControlFlow::Break(()),
    }
    ControlFlow::Continue(())
}

/// Whether the key is in the keyring, asked off the engine's loop (a keyring may take its time).
async fn key_status(core: &Core, reply: oneshot::Sender<KeyStatus>) {
    let keys = core.keys.clone();
    if let Ok(status) = tokio::task::spawn_blocking(move || crate::secrets::key_status(&keys)).await
    {
        answer(reply, status);
    }
}

/// The spend ledger since `since_ms`, summed by day in the user's time zone.
async fn load_spend(
    core: &Core,
    since_ms: i64,
    now_ms: i64,
    utc_offset_s: i64,
    reply: oneshot::Sender<Result<spend::SpendReport, EngineError>>,
) {
    in_library(core, reply, move |l| {
        Ok(spend::report(l.ledger(since_ms)?, now_ms, utc_offset_s))
    })
    .await;
}

/// The default prices, corrected by what the user's recent jobs were charged.
async fn load_prices(core: &Core, reply: oneshot::Sender<Result<PriceBook, EngineError>>) {
    in_library(core, reply, |l| {
        Ok(PriceBook::learn(PriceTable::default(), l.recent_charges()?))
    })
    .await;
}

async fn search_jobs(
    core: &Core,
    query: &str,
    limit: usize,
    reply: oneshot::Sender<Result<Vec<crate::library::SearchHit>, EngineError>>,
) {
    let query = crate::domain::search::SearchQuery::parse(query);
    in_library(core, reply, move |l| {
        l.search(&query, &Default::default(), limit)
    })
    .await;
}

async fn export_jobs(
    core: &Core,
    job_ids: Vec<i64>,
    options: ExportOptions,
    target: ExportTarget,
    reply: oneshot::Sender<Result<ExportReport, EngineError>>,
) {
    in_library(core, reply, move |l| {
        l.export_jobs(&job_ids, &options, &target)
    })
    .await;
}

/// Keeps the user's images in the library, each with its own outcome; a library that cannot be reached
/// fails them all with its reason.
async fn store_images(
    core: &Core,
    inputs: Vec<ImageInput>,
    reply: oneshot::Sender<Vec<Result<StoredImage, String>>>,
) {
    let stored = core
        .db(move |l| Ok(inputs.iter().map(|input| input.store(l)).collect()))
        .await;
    answer(reply, stored.unwrap_or_else(|e| vec![Err(e.to_string())]));
}

/// A board saved without a reply (the last save wins); a failure is told as a notice.
async fn save_board(core: &Core, id: i64, board: Board) {
    if let Err(e) = core.db(move |l| l.save_board(id, &board)).await {
        core.emitter
            .emit(Event::Notice(format!("could not save the board: {e}")));
    }
}

/// A reply whose asker may have gone away (a closed panel): nothing to do then.
fn answer<T>(reply: oneshot::Sender<T>, value: T) {
    let _ = reply.send(value);
}

/// A library call answered as it is, its error as the engine's.
async fn in_library<T, F>(core: &Core, reply: oneshot::Sender<Result<T, EngineError>>, work: F)
where
    T: Send + 'static,
    F: FnOnce(&Library) -> Result<T, LibraryError> + Send + 'static,
{
    answer(reply, core.db(work).await.map_err(EngineError::from));
}

/// Cancels `job_ids` (or every queued job) and tells the listeners of each job cancelled.
async fn cancel(
    core: &Core,
    job_ids: Option<Vec<i64>>,
) -> Result<Vec<crate::library::Cancellation>, EngineError> {
    let outcomes = core
        .db(move |l| {
            let ids = match job_ids {
                Some(ids) => ids,
                None => l.queued_jobs()?.iter().map(|job| job.id).collect(),
            };
            l.cancel_jobs(&ids)
        })
        .await?;
    for outcome in &outcomes {
        if let crate::library::Cancellation::Cancelled(job) = outcome {
            core.emitter.emit(Event::JobChanged(Box::new(job.clone())));
        }
    }
    Ok(outcomes)
}

/// Writes the job, replies once the row exists, and starts driving it.
async fn submit(
    core: &Arc<Core>,
    submission: super::NewSubmission,
    reply: oneshot::Sender<Result<crate::library::JobRecord, EngineError>>,
) {
    let result = prepare::create(core, submission).await;
    if let Ok(job) = &result {
        driver::spawn(core.clone(), job.id);
    }
    answer(reply, result);
}

async fn load_jobs(core: &Core, limit: usize) {
    let event = match core.db(move |l| l.window_jobs(limit)).await {
        Ok(jobs) => Event::Jobs(jobs),
        Err(e) => Event::Notice(format!("could not read the library: {e}")),
    };
    core.emitter.emit(event);
}

async fn read_jobs(
    core: &Core,
    asked: Vec<i64>,
    read: impl FnOnce(&Library) -> Result<Vec<JobRecord>, LibraryError> + Send + 'static,
) {
    let event = match core.db(read).await {
        Ok(jobs) => Event::JobsRead { asked, jobs },
        Err(e) => Event::Notice(format!("could not read the library: {e}")),
    };
    core.emitter.emit(event);
}

async fn load_images(core: &Core, job_ids: Vec<i64>) {
    let images = core
        .db(move |l| {
            job_ids
                .into_iter()
                .map(|id| Ok((id, l.image_files(id)?)))
                .collect()
        })
        .await;
    let event = match images {
        Ok(images) => Event::Images(images),
        Err(e) => Event::Notice(format!("could not read the library's images: {e}")),
    };
    core.emitter.emit(event);
}

async fn mark_job(core: &Core, job_id: i64, mark: crate::library::Mark) {
    let event = match core.db(move |l| l.mark_job(job_id, mark)).await {
        Ok(job) => Event::JobChanged(Box::new(job)),
        Err(e) => Event::Notice(format!("could not mark job #{job_id}: {e}")),
    };
    core.emitter.emit(event);
}

/// Into the Trash (`to_trash`) or back out of it; every job moved is told as `JobChanged`.
async fn trash_jobs(core: &Core, job_ids: Vec<i64>, to_trash: bool) {
    let moved = core
        .db(move |l| {
            let (moved, running) = if to_trash {
                let outcome = l.trash_jobs(&job_ids)?;
                (outcome.trashed, outcome.running)
            } else {
                (l.restore_jobs(&job_ids)?, Vec::new())
            };
            let jobs = moved
                .iter()
                .map(|&id| l.job(id))
                .collect::<Result<Vec<_>, _>>()?;
            Ok((jobs, running))
        })
        .await;
    match moved {
        Ok((jobs, running)) => {
            for job in jobs {
                core.emitter.emit(Event::JobChanged(Box::new(job)));
            }
            if !running.is_empty() {
                let ids: Vec<String> = running.iter().map(|id| format!("#{id}")).collect();
                let notice = format!(
                    "{} still running, so it stays in the library",
                    ids.join(", ")
                );
                core.emitter.emit(Event::Notice(notice));
            }
        }
        Err(e) => {
            core.emitter
                .emit(Event::Notice(format!("could not use the Trash: {e}")));
        }
    }
}

async fn store_key(core: &Core, key: ApiKey) -> Result<(), KeyringError> {
    let keys = core.keys.clone();
    tokio::task::spawn_blocking(move || keys.save(&key))
        .await
        .unwrap_or_else(|e| Err(KeyringError::Unavailable(e.to_string())))
}

async fn remove_key(core: &Core) -> Result<bool, KeyringError> {
    let keys = core.keys.clone();
    tokio::task::spawn_blocking(move || keys.remove())
        .await
        .unwrap_or_else(|e| Err(KeyringError::Unavailable(e.to_string())))
}

/// `info` for the account behind `key` at `base`, or behind the engine's own key.
async fn check_account(
    core: &Core,
    base: BaseUrl,
    key: Option<ApiKey>,
) -> Result<crate::api::AccountInfo, crate::api::ApiError> {
    match key {
        Some(key) => {
            let data_dir = core.library.root().to_owned();
            let checking = base.clone();
            tokio::task::spawn_blocking(move || {
                super::backend::key_may_go_to(&data_dir, &checking)
            })
            .await
            .map_err(|e| crate::api::ApiError::NotAllowed(e.to_string()))?
            .map_err(crate::api::ApiError::NotAllowed)?;
            TtapiClient::with_options(base, key, ClientOptions::default())?
                .info()
                .await
        }
        // The engine's own client passed the same check when the engine started.
        None => core.client.info().await,
    }
}

async fn save_settings(core: &Core, settings: Settings) -> Result<(), SettingsError> {
    let dir = core.library.root().to_owned();
    tokio::task::spawn_blocking(move || settings.save(&dir))
        .await
        .unwrap_or_else(|e| {
            Err(SettingsError::Write {
                path: PathBuf::new(),
                source: std::io::Error::other(e.to_string()),
            })
        })
}
