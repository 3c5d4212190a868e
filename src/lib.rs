//! Moodgrid: a native desktop studio for the Midjourney API as TTAPI serves it.
//! Layers, lowest first (each depends only on those below it): `domain`, `imaging`, `api`, `sim`, `library`,
//! `secrets`, `settings`, `engine`, `ui`, `cli`; under all of them the utilities `files`, `places`, `clock`
//! and `logs`. ARCHITECTURE.md is the map.

pub mod api;
pub mod cli;
pub mod clock;
pub mod domain;
pub mod engine;
pub mod files;
pub mod imaging;
pub mod library;
pub mod logs;
pub mod places;
pub mod secrets;
pub mod settings;
pub mod sim;
pub mod ui;
