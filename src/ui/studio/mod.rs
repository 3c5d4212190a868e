//! Writing the prompt: the prompt bar (mode, estimate, Imagine), its parameter chips, popover, permutation
//! preview and dragged references (`parameters`), and the Account window (balance, prices, spend). Uses
//! `kit`, `runtime` and `sources`.

pub(in crate::ui) mod account;
pub(in crate::ui) mod parameters;
pub(in crate::ui) mod prompt_bar;
