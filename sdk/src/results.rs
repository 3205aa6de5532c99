//! Reading every task's outcome in reduce and post-process.

use crate::bindings::host;

/// The outcome of one finished task.
#[derive(Debug, Clone, PartialEq, Eq)]
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

impl TaskOutcome {
    /// Parses the task's message as JSON.
    pub fn msg_json<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(&self.msg)
    }
}

/// An iterator over every task outcome of the instance, fetched from the
/// host a page at a time so memory stays bounded however many tasks ran.
#[derive(Debug)]
pub struct TaskResults<'a> {
    cursor: &'a host::TaskResults,
    page: std::vec::IntoIter<host::TaskOutcome>,
    page_size: u32,
    exhausted: bool,
}

impl<'a> TaskResults<'a> {
    pub(crate) fn new(cursor: &'a host::TaskResults) -> Self {
        Self { cursor, page: Vec::new().into_iter(), page_size: 1024, exhausted: false }
    }

    /// How many outcomes there are in all (read or not).
    pub fn total(&self) -> u64 {
        self.cursor.total()
    }

    /// Sets how many outcomes are fetched per host call (default 1024).
    pub fn with_page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size.max(1);
        self
    }
}

impl Iterator for TaskResults<'_> {
    type Item = TaskOutcome;

    fn next(&mut self) -> Option<TaskOutcome> {
        loop {
            if let Some(o) = self.page.next() {
                return Some(TaskOutcome {
                    task_id: o.task_id,
                    task_name: o.task_name,
                    success: o.success,
                    msg: o.msg,
                });
            }
            if self.exhausted {
                return None;
            }
            let page = self.cursor.next_page(self.page_size);
            if page.is_empty() {
                self.exhausted = true;
            }
            self.page = page.into_iter();
        }
    }
}
