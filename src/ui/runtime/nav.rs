//! Where the user is: the view in the middle and the job it is about. Panels read it
//! (`Services::nav`); it changes only as the shell carries out an `Intent`.

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum View {
    Job,
    Gallery,
    Blend,
    Describe,
    Mask,
    Board,
}

/// Read through its methods: `Services::nav` hands out a copy, and a field of a copy could be assigned to
/// without moving anyone. Only the runtime changes it (`Services::show_view`, `Services::select`).
#[derive(Debug, Clone, Copy)]
pub struct Nav {
    pub(super) view: View,
    pub(super) selected: Option<i64>,
}

impl Nav {
    /// The view in the middle.
    pub fn view(&self) -> View {
        self.view
    }

    /// The job the view is about, if any.
    pub fn selected(&self) -> Option<i64> {
        self.selected
    }
}
