use std::fmt;

/// The state of a remote job as TTAPI reports it. A string the contract does not list is kept verbatim
/// in [`JobStatus::Unknown`] rather than failing the whole payload; callers treat it as still running.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum JobStatus {
    PendingQueue,
    OnQueue,
    Success,
    Failed,
    Unknown(String),
}

impl JobStatus {
    pub fn from_wire(s: &str) -> Self {
        match s {
            "PENDING_QUEUE" => JobStatus::PendingQueue,
            "ON_QUEUE" => JobStatus::OnQueue,
            "SUCCESS" => JobStatus::Success,
            "FAILED" => JobStatus::Failed,
            other => JobStatus::Unknown(other.to_owned()),
        }
    }

    pub fn as_wire(&self) -> &str {
        match self {
            JobStatus::PendingQueue => "PENDING_QUEUE",
            JobStatus::OnQueue => "ON_QUEUE",
            JobStatus::Success => "SUCCESS",
            JobStatus::Failed => "FAILED",
            JobStatus::Unknown(raw) => raw,
        }
    }

    pub fn is_terminal(&self) -> bool {
        matches!(self, JobStatus::Success | JobStatus::Failed)
    }
}

impl fmt::Display for JobStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_wire())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_strings_round_trip_and_unknown_ones_are_kept() {
        for s in ["PENDING_QUEUE", "ON_QUEUE", "SUCCESS", "FAILED", "MODAL"] {
            assert_eq!(JobStatus::from_wire(s).as_wire(), s);
        }
        assert_eq!(
            JobStatus::from_wire("MODAL"),
            JobStatus::Unknown("MODAL".into())
        );
        assert!(!JobStatus::from_wire("MODAL").is_terminal());
        assert!(JobStatus::Failed.is_terminal() && JobStatus::Success.is_terminal());
        assert!(!JobStatus::OnQueue.is_terminal());
    }
}
