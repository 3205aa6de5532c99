//! Task outcomes as reduce and post-process read them: a paging source
//! behind the WIT `task-results` resource, so a coordinator can serve
//! millions of outcomes from disk without loading them all.

/// The recorded result of one finished task.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskOutcome {
    /// `0` for the root, `<parent>.<n>` for subtasks.
    pub task_id: String,
    /// The name the task was emitted under.
    pub task_name: String,
    /// Whether the task succeeded.
    pub success: bool,
    /// The task's message, or the host's explanation of its failure.
    pub msg: String,
}

/// Where a `task-results` cursor reads outcomes from.
pub trait OutcomeSource: Send {
    /// How many outcomes the source yields in all.
    fn total(&self) -> u64;
    /// Up to `max` further outcomes; empty once exhausted.
    fn next_page(&mut self, max: usize) -> Vec<TaskOutcome>;
}

/// An in-memory source over a vector of outcomes.
#[derive(Debug, Default)]
pub struct VecOutcomes {
    outcomes: Vec<TaskOutcome>,
    position: usize,
}

impl VecOutcomes {
    /// A source yielding `outcomes` in order.
    pub fn new(outcomes: Vec<TaskOutcome>) -> Self {
        Self { outcomes, position: 0 }
    }
}

impl OutcomeSource for VecOutcomes {
    fn total(&self) -> u64 {
        self.outcomes.len() as u64
    }

    fn next_page(&mut self, max: usize) -> Vec<TaskOutcome> {
        let end = self.outcomes.len().min(self.position.saturating_add(max));
        let page = self.outcomes[self.position..end].to_vec();
        self.position = end;
        page
    }
}

/// The host-side value of a WIT `task-results` resource.
pub struct TaskResultsCursor {
    pub(crate) source: Box<dyn OutcomeSource>,
}

impl std::fmt::Debug for TaskResultsCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskResultsCursor").field("total", &self.source.total()).finish()
    }
}

/// Largest page a guest may ask for in one call.
pub(crate) const MAX_PAGE: usize = 4096;

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(i: usize) -> TaskOutcome {
        TaskOutcome { task_id: format!("0.{i}"), task_name: "T".into(), success: true, msg: String::new() }
    }

    #[test]
    fn pages_cover_every_outcome_once() {
        let mut source = VecOutcomes::new((0..10).map(outcome).collect());
        assert_eq!(source.total(), 10);
        let mut seen = Vec::new();
        loop {
            let page = source.next_page(3);
            if page.is_empty() {
                break;
            }
            assert!(page.len() <= 3);
            seen.extend(page);
        }
        assert_eq!(seen, (0..10).map(outcome).collect::<Vec<_>>());
    }
}
