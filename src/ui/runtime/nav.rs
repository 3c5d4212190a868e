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

#[derive(Debug, Clone, Copy)]
pub struct Nav {
    pub view: View,
    pub selected: Option<i64>,
}
