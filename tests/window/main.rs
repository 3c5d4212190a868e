//! The window driven headless by accessible label (egui_kittest), through the real engine, against the
//! embedded simulator (and, for Settings, a second simulator that demands a key). One file per journey;
//! `harness` holds what they share.

#![allow(clippy::unwrap_used)]

mod boards;
mod cancel;
mod export;
mod harness;
mod help;
mod imagine;
mod mask;
#[path = "../support/png_text.rs"]
mod png_text;
mod review;
mod search;
mod settings;
mod sources;
mod studio;
mod trash;
mod verdict;
