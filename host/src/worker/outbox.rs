//! Frames waiting for the link. The connected session drains the outbox;
//! while the link is down it fills up to a bound, past which the oldest log
//! frames are dropped (and counted). Status and sub-run reports are never
//! dropped.

use std::collections::VecDeque;
use std::sync::Mutex;
use tokio::sync::Notify;
use wasmjob_wire::WorkerMessage;

/// Frames waiting for the link, bounded.
#[derive(Debug)]
pub(crate) struct Outbox {
    state: Mutex<State>,
    ready: Notify,
    max_frames: usize,
    max_lines: usize,
}

#[derive(Debug, Default)]
struct State {
    frames: VecDeque<WorkerMessage>,
    /// Log lines in `frames`.
    lines: usize,
    /// Log lines dropped since the last [`Outbox::take_dropped`].
    dropped: u64,
}

impl Default for Outbox {
    fn default() -> Self {
        Self::with_limits(100_000, 1_000_000)
    }
}

impl Outbox {
    /// An outbox keeping at most `max_frames` frames and `max_lines` log
    /// lines before it drops the oldest logs.
    pub(crate) fn with_limits(max_frames: usize, max_lines: usize) -> Self {
        Self { state: Mutex::default(), ready: Notify::new(), max_frames, max_lines }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Appends a frame, dropping the oldest log frames while over a bound.
    pub(crate) fn push(&self, frame: WorkerMessage) {
        let mut state = self.lock();
        state.lines += line_count(&frame);
        state.frames.push_back(frame);
        while state.frames.len() > self.max_frames || state.lines > self.max_lines {
            let Some(oldest) = state.frames.iter().position(|f| matches!(f, WorkerMessage::Logs(_))) else {
                break;
            };
            if let Some(dropped) = state.frames.remove(oldest) {
                let n = line_count(&dropped);
                state.lines -= n;
                state.dropped += n as u64;
            }
        }
        drop(state);
        self.ready.notify_one();
    }

    /// Up to `max` frames from the front.
    pub(crate) fn take(&self, max: usize) -> Vec<WorkerMessage> {
        let mut state = self.lock();
        let n = max.min(state.frames.len());
        let taken: Vec<WorkerMessage> = state.frames.drain(..n).collect();
        state.lines -= taken.iter().map(line_count).sum::<usize>();
        taken
    }

    /// Puts frames that could not be sent back at the front, in order.
    pub(crate) fn requeue(&self, frames: Vec<WorkerMessage>) {
        let mut state = self.lock();
        for frame in frames.into_iter().rev() {
            state.lines += line_count(&frame);
            state.frames.push_front(frame);
        }
    }

    /// Log lines dropped since the last call.
    pub(crate) fn take_dropped(&self) -> u64 {
        std::mem::take(&mut self.lock().dropped)
    }

    /// Whether no frame waits.
    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.lock().frames.is_empty()
    }

    /// Resolves when a frame was pushed since the last wake-up.
    pub(crate) async fn ready(&self) {
        self.ready.notified().await;
    }
}

fn line_count(frame: &WorkerMessage) -> usize {
    match frame {
        WorkerMessage::Logs(batch) => batch.lines.len(),
        _ => 0,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use wasmjob_wire::{LogBatch, LogLine, ReportedStatus, StatusReport};

    pub(crate) fn line(n: usize) -> LogLine {
        LogLine {
            instance_id: 1,
            time: 0,
            level: wasmjob_runtime::LogLevel::Info,
            task_id: "0".into(),
            source: "guest".into(),
            message: n.to_string(),
        }
    }

    pub(crate) fn status(instance_id: i64) -> WorkerMessage {
        WorkerMessage::Status(StatusReport {
            instance_id,
            attempt: 1,
            status: ReportedStatus::Succeed,
            result: String::new(),
            time: 0,
            progress: None,
            workflow_appends: Vec::new(),
        })
    }

    pub(crate) fn lines_of(frame: &WorkerMessage) -> Vec<String> {
        match frame {
            WorkerMessage::Logs(b) => b.lines.iter().map(|l| l.message.clone()).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn the_bound_drops_oldest_logs_and_keeps_reports() {
        let outbox = Outbox::with_limits(3, 100);
        outbox.push(WorkerMessage::Logs(LogBatch { lines: vec![line(1), line(2)] }));
        outbox.push(status(1));
        outbox.push(WorkerMessage::Logs(LogBatch { lines: vec![line(3)] }));
        outbox.push(status(2));
        outbox.push(status(3));
        // Both log frames went, oldest first; statuses stay even past the bound.
        assert_eq!(outbox.take_dropped(), 3);
        assert_eq!(outbox.take(10), [status(1), status(2), status(3)]);
        assert!(outbox.is_empty());
    }

    #[test]
    fn requeued_frames_go_back_in_front_in_order() {
        let outbox = Outbox::default();
        for id in 1..=4 {
            outbox.push(status(id));
        }
        let first = outbox.take(2);
        outbox.requeue(first);
        assert_eq!(outbox.take(10), [status(1), status(2), status(3), status(4)]);
    }
}
