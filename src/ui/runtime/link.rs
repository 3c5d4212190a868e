//! The window's link to its engine: commands handed over without waiting, events taken in, and a restart on
//! another backend done off the UI thread (the old engine is shut down first, so no job ever has two
//! drivers). While a restart is under way there is no engine and every command is refused.

use std::sync::mpsc::{Receiver, TryRecvError};

use crate::engine::{Backend, Command, EngineConfig, EngineError, EngineHandle, Event, Waker};
use crate::settings::{Settings, SettingsError};

pub(super) struct EngineLink {
    engine: Option<EngineHandle>,
    /// A restarted engine, coming up on a helper thread.
    starting: Option<Receiver<Restarted>>,
    config: EngineConfig,
    waker: Waker,
}

/// Why a command did not reach the engine.
pub(super) enum Refusal {
    /// Its queue is full, or it is restarting: the same command may be taken in a moment.
    Busy,
    /// It stopped answering: the window cannot go on without a restart.
    Gone(EngineError),
}

/// What the restart thread hands back: the new engine, and whether the settings it was given reached disk.
struct Restarted {
    engine: std::io::Result<EngineHandle>,
    saved: Result<(), SettingsError>,
}

/// What became of a restart.
pub(super) struct RestartOutcome {
    /// Why the new engine could not start (there is none then).
    pub(super) failed: Option<std::io::Error>,
    /// Why the settings it was given did not reach disk.
    pub(super) unsaved: Option<SettingsError>,
}

impl EngineLink {
    pub(super) fn new(engine: EngineHandle, config: EngineConfig, waker: Waker) -> EngineLink {
        EngineLink {
            engine: Some(engine),
            starting: None,
            config,
            waker,
        }
    }

    pub(super) fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Hands a command to the engine without ever blocking.
    pub(super) fn send(&self, command: Command) -> Result<(), Refusal> {
        let Some(engine) = &self.engine else {
            return Err(Refusal::Busy);
        };
        match engine.try_send(command) {
            Ok(()) => Ok(()),
            Err(EngineError::Busy) => Err(Refusal::Busy),
            Err(e) => Err(Refusal::Gone(e)),
        }
    }

    /// The engine's next event, if one is waiting.
    pub(super) fn try_recv(&mut self) -> Option<Event> {
        self.engine.as_mut().and_then(EngineHandle::try_recv)
    }

    /// Stops the engine and starts one on `backend` on a helper thread. `saving` is written to disk between
    /// the two: a save sent to the stopping engine could be cut short by its shutdown.
    pub(super) fn restart(
        &mut self,
        backend: Backend,
        saving: Option<Settings>,
    ) -> std::io::Result<()> {
        let old = self.engine.take();
        let config = EngineConfig {
            backend,
            ..self.config.clone()
        };
        self.config = config.clone();
        let waker = self.waker.clone();
        let (done, starting) = std::sync::mpsc::sync_channel(1);
        std::thread::Builder::new()
            .name("moodgrid-restart".into())
            .spawn(move || {
                drop(old);
                let saved = match saving {
                    Some(settings) => settings.save(&config.data_dir),
                    None => Ok(()),
                };
                let engine = EngineHandle::start(config, waker.clone());
                let _ = done.send(Restarted { engine, saved });
                waker();
            })?;
        self.starting = Some(starting);
        Ok(())
    }

    /// What became of a restart, once it is over: the new engine is then in place, unless it failed.
    pub(super) fn take_restarted(&mut self) -> Option<RestartOutcome> {
        let starting = self.starting.as_ref()?;
        match starting.try_recv() {
            Ok(Restarted { engine, saved }) => {
                self.starting = None;
                let failed = match engine {
                    Ok(engine) => {
                        self.engine = Some(engine);
                        None
                    }
                    Err(e) => Some(e),
                };
                Some(RestartOutcome {
                    failed,
                    unsaved: saved.err(),
                })
            }
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => {
                self.starting = None;
                None
            }
        }
    }

    pub(super) fn is_restarting(&self) -> bool {
        self.starting.is_some()
    }

    /// Puts `engine` in place of the running one and returns that (tests: `None` is the moment a restart
    /// has stopped the old engine and not yet started the new one).
    #[cfg(test)]
    pub(super) fn swap(&mut self, engine: Option<EngineHandle>) -> Option<EngineHandle> {
        std::mem::replace(&mut self.engine, engine)
    }
}
