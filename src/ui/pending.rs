//! An answer the engine will send later (a oneshot reply), polled once per frame without blocking.

use tokio::sync::oneshot;

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
