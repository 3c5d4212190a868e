//! An answer the engine will send later (a oneshot reply), polled once per frame without blocking.

use tokio::sync::oneshot;

use crate::engine::EngineError;

pub struct Pending<T>(oneshot::Receiver<T>);

pub enum Poll<T> {
    Waiting,
    Ready(T),
    /// The engine went away without answering (it was restarted or stopped).
    Lost,
}

impl<T> Pending<T> {
    /// A reply sender for a command, and the pending answer to keep.
    pub fn channel() -> (oneshot::Sender<T>, Pending<T>) {
        let (reply, answer) = oneshot::channel();
        (reply, Pending(answer))
    }

    pub fn poll(&mut self) -> Poll<T> {
        match self.0.try_recv() {
            Ok(value) => Poll::Ready(value),
            Err(oneshot::error::TryRecvError::Empty) => Poll::Waiting,
            Err(oneshot::error::TryRecvError::Closed) => Poll::Lost,
        }
    }
}

/// The answers that have come among `pending`, in order; those and the lost ones leave the list.
pub fn answered<T>(pending: &mut Vec<Pending<T>>) -> Vec<T> {
    let mut answers = Vec::new();
    pending.retain_mut(|answer| match answer.poll() {
        Poll::Waiting => true,
        Poll::Ready(value) => {
            answers.push(value);
            false
        }
        Poll::Lost => false,
    });
    answers
}

/// Polls an optional pending answer, clearing it once it resolved; `Some(None)` means it was lost.
pub fn take_ready<T>(slot: &mut Option<Pending<T>>) -> Option<Option<T>> {
    let outcome = match slot.as_mut()?.poll() {
        Poll::Waiting => return None,
        Poll::Ready(value) => Some(value),
        Poll::Lost => None,
    };
    *slot = None;
    Some(outcome)
}

/// An answer the library gives for a key (a query, how many jobs there are), read again when the key
/// changes: one question in flight, the last answer kept meanwhile.
pub struct Refreshed<K, T> {
    value: T,
    asked_for: Option<K>,
    waiting: Option<Pending<Result<T, EngineError>>>,
}

impl<K, T: Default> Default for Refreshed<K, T> {
    fn default() -> Self {
        Refreshed {
            value: T::default(),
            asked_for: None,
            waiting: None,
        }
    }
}

impl<K: PartialEq, T> Refreshed<K, T> {
    /// Takes the answer that came (an error is returned, to be told once), and asks again with `ask`
    /// (which sends the command, false when the engine could not take it) when `key` is new.
    pub fn update(
        &mut self,
        key: K,
        ask: impl FnOnce(oneshot::Sender<Result<T, EngineError>>) -> bool,
    ) -> Option<EngineError> {
        let mut failed = None;
        match take_ready(&mut self.waiting) {
            Some(Some(Ok(value))) => self.value = value,
            Some(Some(Err(e))) => failed = Some(e),
            // The engine restarted: ask again.
            Some(None) => self.asked_for = None,
            None => {}
        }
        if self.waiting.is_none() && self.asked_for.as_ref() != Some(&key) {
            let (reply, answer) = Pending::channel();
            if ask(reply) {
                self.waiting = Some(answer);
                self.asked_for = Some(key);
            }
        }
        failed
    }

    /// The last answer (the default until one came).
    pub fn value(&self) -> &T {
        &self.value
    }
}
