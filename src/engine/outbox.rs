//! The engine's events on their way to whoever drives it (the window, a command). Publishing never waits:
//! a window minimised for an hour reads nothing (eframe stops drawing it), and not one job may slow down
//! for that. What only says where a job stands is kept once per job, the newest replacing the older (its
//! record, its saved images, why it waits to be sent, why it stalled), at the place of its latest change;
//! everything else (answers to commands, notices) is kept in order. The queue is bounded: past
//! [`MAX_PENDING`] events, the jobs' changes give way to one [`Event::JobsStale`] ("read your jobs again").

use std::collections::{BTreeMap, HashMap};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::{Event, Waker};

/// Events kept for a reader that does not read: thousands of jobs changing while it looks away.
pub(crate) const MAX_PENDING: usize = 10_000;

/// What a newer event of the same kind replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    Job(i64),
    Images(i64),
    Waiting(i64),
    Stalled(i64),
    Stale,
}

impl Key {
    fn of(event: &Event) -> Option<Key> {
        Some(match event {
            Event::JobChanged(job) => Key::Job(job.id),
            Event::ImageSaved { job_id, .. } => Key::Images(*job_id),
            Event::Waiting { job_id, .. } => Key::Waiting(*job_id),
            Event::Stalled { job_id, .. } => Key::Stalled(*job_id),
            Event::JobsStale => Key::Stale,
            _ => return None,
        })
    }

    /// What a reader can read again from the library: given up when the queue is full.
    fn can_be_read_again(self) -> bool {
        matches!(self, Key::Job(_) | Key::Images(_) | Key::Waiting(_))
    }
}

#[derive(Default)]
struct Queue {
    next: u64,
    events: BTreeMap<u64, Event>,
    latest: HashMap<Key, u64>,
    /// The handle was dropped: nobody reads any more.
    reader_gone: bool,
    /// The engine has stopped: nothing more will come.
    writer_gone: bool,
}

impl Queue {
    fn push(&mut self, event: Event) {
        let key = Key::of(&event);
        if let Some(key) = key
            && let Some(place) = self.latest.remove(&key)
            && let Some(older) = self.events.remove(&place)
            && is_newer(&older, &event)
        {
            // A record read before the one already waiting (the watcher and a driver both saw the job):
            // the newer one stays, where it was.
            self.events.insert(place, older);
            self.latest.insert(key, place);
            return;
        }
        let place = self.next;
        self.next += 1;
        self.events.insert(place, event);
        if let Some(key) = key {
            self.latest.insert(key, place);
        }
        if self.events.len() > MAX_PENDING {
            self.make_room();
        }
    }

    /// The jobs' changes give way to one "read them again"; if answers alone still fill it, the oldest
    /// notices go.
    fn make_room(&mut self) {
        let droppable: Vec<(Key, u64)> = self
            .latest
            .iter()
            .filter(|(key, _)| key.can_be_read_again())
            .map(|(key, place)| (*key, *place))
            .collect();
        for (key, place) in droppable {
            self.latest.remove(&key);
            self.events.remove(&place);
        }
        if !self.latest.contains_key(&Key::Stale) {
            let place = self.next;
            self.next += 1;
            self.events.insert(place, Event::JobsStale);
            self.latest.insert(Key::Stale, place);
        }
        while self.events.len() > MAX_PENDING {
            let Some(place) = self
                .events
                .iter()
                .find(|(_, event)| matches!(event, Event::Notice(_)))
                .map(|(place, _)| *place)
            else {
                break;
            };
            self.events.remove(&place);
        }
    }

    fn pop(&mut self) -> Option<Event> {
        let (place, event) = self.events.pop_first()?;
        if let Some(key) = Key::of(&event)
            && self.latest.get(&key) == Some(&place)
        {
            self.latest.remove(&key);
        }
        Some(event)
    }
}

/// Whether `waiting` says more than `arriving` (a job record written later).
fn is_newer(waiting: &Event, arriving: &Event) -> bool {
    match (waiting, arriving) {
        (Event::JobChanged(waiting), Event::JobChanged(arriving)) => {
            waiting.updated_at > arriving.updated_at
        }
        _ => false,
    }
}

/// The queue between the engine and its reader.
pub(crate) struct Outbox {
    queue: Mutex<Queue>,
    arrived: Condvar,
    waker: Waker,
}

impl Outbox {
    pub(crate) fn new(waker: Waker) -> Outbox {
        Outbox {
            queue: Mutex::new(Queue::default()),
            arrived: Condvar::new(),
            waker,
        }
    }

    /// A poisoned lock means a reader or writer panicked between two statements; the queue is still whole.
    fn queue(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Never waits. Dropped once nobody reads.
    pub(crate) fn publish(&self, event: Event) {
        {
            let mut queue = self.queue();
            if queue.reader_gone {
                return;
            }
            queue.push(event);
        }
        self.arrived.notify_all();
        (self.waker)();
    }

    /// Tells the reader to look (a command's reply went down its own channel).
    pub(crate) fn wake(&self) {
        (self.waker)();
    }

    pub(crate) fn reader_gone(&self) -> bool {
        self.queue().reader_gone
    }

    pub(crate) fn close_reader(&self) {
        let mut queue = self.queue();
        queue.reader_gone = true;
        queue.events.clear();
        queue.latest.clear();
    }

    /// The engine has stopped; a blocked reader wakes up to the end.
    pub(crate) fn close_writer(&self) {
        self.queue().writer_gone = true;
        self.arrived.notify_all();
        (self.waker)();
    }

    pub(crate) fn try_recv(&self) -> Option<Event> {
        self.queue().pop()
    }

    /// The next event, waiting for it until `deadline` (`None` for ever). `None` once the engine has stopped
    /// and everything was read, or at the deadline.
    pub(crate) fn recv_until(&self, deadline: Option<Instant>) -> Option<Event> {
        let mut queue = self.queue();
        loop {
            if let Some(event) = queue.pop() {
                return Some(event);
            }
            if queue.writer_gone {
                return None;
            }
            queue = match deadline {
                None => self.arrived.wait(queue).unwrap_or_else(|p| p.into_inner()),
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left == Duration::ZERO {
                        return None;
                    }
                    self.arrived
                        .wait_timeout(queue, left)
                        .unwrap_or_else(|p| p.into_inner())
                        .0
                }
            };
        }
    }

    #[cfg(test)]
    fn pending(&self) -> usize {
        self.queue().events.len()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::library::{JobKind, JobState};

    fn job(id: i64, progress: u8, updated_at: i64) -> Event {
        let mut job = crate::library::sample_job(id, JobKind::Imagine, JobState::Running, "");
        job.progress = Some(progress);
        job.updated_at = updated_at;
        Event::JobChanged(Box::new(job))
    }

    fn progress_of(event: Option<Event>) -> Option<(i64, u8)> {
        match event? {
            Event::JobChanged(job) => Some((job.id, job.progress.unwrap_or(0))),
            _ => None,
        }
    }

    fn quiet() -> Outbox {
        Outbox::new(Arc::new(|| {}))
    }

    #[test]
    fn a_jobs_newest_record_replaces_the_older_at_the_place_of_its_latest_change() {
        let outbox = quiet();
        outbox.publish(job(1, 10, 1));
        outbox.publish(job(2, 10, 2));
        outbox.publish(Event::Notice("between".into()));
        outbox.publish(job(1, 40, 3));
        assert_eq!(outbox.pending(), 3, "job 1's first record was replaced");
        assert_eq!(progress_of(outbox.try_recv()), Some((2, 10)));
        assert!(matches!(outbox.try_recv(), Some(Event::Notice(_))));
        assert_eq!(progress_of(outbox.try_recv()), Some((1, 40)));
        assert!(outbox.try_recv().is_none());
    }

    #[test]
    fn a_record_read_earlier_never_replaces_a_later_one() {
        let outbox = quiet();
        outbox.publish(job(1, 60, 20));
        // The watcher read the job before the driver's last write, and published after it.
        outbox.publish(job(1, 30, 10));
        assert_eq!(progress_of(outbox.try_recv()), Some((1, 60)));
        assert!(outbox.try_recv().is_none());
    }

    #[test]
    fn publishing_never_waits_and_a_flood_becomes_one_read_again() {
        let wakes = Arc::new(AtomicUsize::new(0));
        let counted = wakes.clone();
        let outbox = Outbox::new(Arc::new(move || {
            counted.fetch_add(1, Ordering::Relaxed);
        }));
        outbox.publish(Event::Jobs(Vec::new()));
        for id in 0..(MAX_PENDING as i64 + 50) {
            outbox.publish(job(id, 1, id));
        }
        assert!(outbox.pending() <= MAX_PENDING, "{}", outbox.pending());
        assert_eq!(wakes.load(Ordering::Relaxed), MAX_PENDING + 51);
        // The answer the reader asked for is still first; the flood is one "read again", then what followed.
        assert!(matches!(outbox.try_recv(), Some(Event::Jobs(_))));
        let rest: Vec<Event> = std::iter::from_fn(|| outbox.try_recv()).collect();
        assert_eq!(
            rest.iter()
                .filter(|e| matches!(e, Event::JobsStale))
                .count(),
            1
        );
        assert!(rest.len() < MAX_PENDING);
    }

    #[test]
    fn a_blocked_reader_gets_what_arrives_and_the_end() {
        let outbox = Arc::new(quiet());
        let writer = outbox.clone();
        let thread = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(30));
            writer.publish(job(7, 5, 1));
            writer.close_writer();
        });
        assert_eq!(progress_of(outbox.recv_until(None)), Some((7, 5)));
        assert!(outbox.recv_until(None).is_none(), "the engine has stopped");
        thread.join().unwrap();
        let waited = Instant::now();
        assert!(
            quiet()
                .recv_until(Some(Instant::now() + Duration::from_millis(20)))
                .is_none()
        );
        assert!(waited.elapsed() >= Duration::from_millis(20));
    }

    #[test]
    fn nothing_is_kept_once_nobody_reads() {
        let outbox = quiet();
        outbox.publish(job(1, 1, 1));
        outbox.close_reader();
        outbox.publish(job(2, 1, 1));
        assert!(outbox.reader_gone());
        assert_eq!(outbox.pending(), 0);
    }
}
