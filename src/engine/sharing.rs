//! Sharing one library with other Moodgrid processes: this engine's claims kept alive and released on a
//! clean exit, other processes' changes passed on to the listeners, and jobs whose engine went away taken
//! over (the protocol itself is `library::leases`).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::{Core, EngineError, Event, Resumed, driver};

/// How long a job this engine stalled is left alone before the watcher takes it up again.
pub(super) const STALL_COOL_DOWN: std::time::Duration = std::time::Duration::from_secs(60);
/// How often the watcher looks for what other processes changed.
const WATCH_INTERVAL: std::time::Duration = std::time::Duration::from_millis(500);
/// Jobs read per query while following the library's changes.
const CHANGES_PAGE: usize = 1_000;

/// A clean exit: every claim of this engine ends now, so other processes need not wait for them to lapse.
pub(super) async fn release_claims(core: &Arc<Core>) {
    let owner = core.owner.clone();
    report_release(core.db(move |l| l.release_leases(&owner)).await);
}

/// The last release, once the runtime has stopped: a driver that was claiming its job while the engine
/// stopped may have committed that claim after [`release_claims`]. Blocking, on the engine's own thread.
pub(super) fn release_claims_after_stop(core: &Core) {
    report_release(core.library.release_leases(&core.owner));
}

fn report_release(released: Result<usize, crate::library::LibraryError>) {
    match released {
        Ok(released) if released > 0 => tracing::info!(released, "job claims released"),
        Ok(_) => {}
        Err(e) => {
            tracing::warn!(error = %e, "could not release job claims; they lapse by themselves")
        }
    }
}

/// Keeps this engine's claims alive for as long as it runs.
pub(super) async fn renew_leases(core: Arc<Core>) {
    loop {
        tokio::time::sleep(core.owner.renewal()).await;
        let owner = core.owner.clone();
        if let Err(e) = core.db(move |l| l.renew_leases(&owner)).await {
            tracing::warn!(error = %e, "could not renew job claims");
        }
    }
}

/// Follows what other processes do to the library: their jobs' changes reach this engine's listeners (so
/// the window shows a CLI's job live), and, once `ResumeAll` was asked, jobs whose engine went away are
/// taken over: at once when another process wrote (a clean exit releases its claims), else every lease/6
/// (a dead process's lease lapses without a write).
pub(super) async fn watch_library(core: Arc<Core>) {
    let mut seen_version = None;
    let mut seen: HashMap<i64, i64> = HashMap::new();
    let mut since = crate::library::now_ms();
    let mut next_adoption = tokio::time::Instant::now();
    loop {
        tokio::time::sleep(WATCH_INTERVAL).await;
        let version = core.db(|l| l.data_version()).await.ok();
        if version != seen_version {
            seen_version = version;
            // Another process wrote: perhaps it released its claims on the way out; look now.
            next_adoption = tokio::time::Instant::now();
            // Clocks of two processes differ a little: look back a bit, and skip what was already told.
            let mut after = (since - 2_000, i64::MIN);
            loop {
                let page = core
                    .db(move |l| l.jobs_changed_after(after, CHANGES_PAGE))
                    .await
                    .unwrap_or_default();
                let full = page.len() == CHANGES_PAGE;
                for job in page {
                    after = (job.updated_at, job.id);
                    since = since.max(job.updated_at);
                    let mine = job.owner.as_deref() == Some(core.owner.id.as_str());
                    if mine || seen.get(&job.id) == Some(&job.updated_at) {
                        continue;
                    }
                    seen.insert(job.id, job.updated_at);
                    core.emitter.emit(Event::JobChanged(Box::new(job)));
                }
                if !full {
                    break;
                }
            }
            seen.retain(|_, updated| *updated >= since - 2_000);
        }
        let now = tokio::time::Instant::now();
        if core.adopting.load(Ordering::Relaxed) && now >= next_adoption {
            next_adoption = now + core.owner.renewal() / 2;
            adopt_orphans(&core).await;
        }
    }
}

/// Takes up unfinished jobs of this backend that no live engine drives (their engine exited or died).
async fn adopt_orphans(core: &Arc<Core>) {
    let backend = core.backend.clone();
    let Ok(unfinished) = core.db(move |l| l.unfinished_jobs(&backend)).await else {
        return;
    };
    let now = crate::library::now_ms();
    let cooled = |id: i64| {
        core.stalled
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&id)
            .is_none_or(|at| at.elapsed() >= STALL_COOL_DOWN)
    };
    for job in unfinished {
        if !job.is_driven_by_other(&core.owner.id, now) && cooled(job.id) {
            driver::spawn(core.clone(), job.id);
        }
    }
}

pub(super) async fn resume_all(core: &Arc<Core>) -> Result<Resumed, EngineError> {
    core.adopting.store(true, Ordering::Relaxed);
    let backend = core.backend.clone();
    let (mine, elsewhere) = core
        .db(move |l| {
            Ok((
                l.unfinished_jobs(&backend)?,
                l.unfinished_elsewhere(&backend)?,
            ))
        })
        .await?;
    // Claimed here, one by one, so that two processes resuming at once split the jobs between them and
    // each says truly which it drives and which it follows.
    let owner = core.owner.clone();
    let claims = core
        .db(move |l| {
            mine.into_iter()
                .map(|job| l.claim_job(job.id, &owner))
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    let (mut driving, mut following) = (Vec::new(), Vec::new());
    for claim in claims {
        match claim {
            crate::library::Claim::Claimed { job, .. } => {
                driver::spawn(core.clone(), job.id);
                driving.push(job);
            }
            crate::library::Claim::HeldBy(job) => following.push(job),
            crate::library::Claim::Finished(_) => {}
        }
    }
    if !elsewhere.is_empty() {
        let hosts: HashSet<&str> = elsewhere.iter().map(|j| j.backend.as_str()).collect();
        core.emitter.emit(Event::Notice(format!(
            "{} unfinished job(s) belong to another backend ({}) and were left alone",
            elsewhere.len(),
            hosts.into_iter().collect::<Vec<_>>().join(", ")
        )));
    }
    Ok(Resumed { driving, following })
}
