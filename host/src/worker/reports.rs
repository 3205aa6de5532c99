//! How reports reach the [`Outbox`], in the order they were made.
//!
//! Executors hand reports to a [`Reporter`] (an unbounded channel, so a
//! guest never waits on the network). The [`flusher`] batches log lines
//! into `LOGS` frames — every 50 ms or 1,000 lines — and passes other
//! frames through after the lines before them.

use super::outbox::Outbox;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use wasmjob_wire::{LogBatch, LogLine, WorkerMessage};

/// Log lines per `LOGS` frame at most.
const BATCH_LINES: usize = 1000;
/// How long a log line may wait for its batch.
const BATCH_DELAY: Duration = Duration::from_millis(50);

/// What executors send the flusher.
#[derive(Debug)]
pub(crate) enum Report {
    /// A log line, batched.
    Log(LogLine),
    /// A report, sent after the lines before it.
    Frame(WorkerMessage),
    /// Flush the pending lines, then answer.
    Flush(oneshot::Sender<()>),
}

/// Where executors send reports; cheap to clone.
#[derive(Debug, Clone)]
pub(crate) struct Reporter(mpsc::UnboundedSender<Report>);

/// A reporter and the receiving end for [`flusher`].
pub(crate) fn channel() -> (Reporter, mpsc::UnboundedReceiver<Report>) {
    let (tx, rx) = mpsc::unbounded_channel();
    (Reporter(tx), rx)
}

impl Reporter {
    /// Queues a log line.
    pub(crate) fn log(&self, line: LogLine) {
        let _ = self.0.send(Report::Log(line));
    }

    /// Queues a report.
    pub(crate) fn frame(&self, frame: WorkerMessage) {
        let _ = self.0.send(Report::Frame(frame));
    }

    /// Waits until everything reported so far is in the outbox.
    pub(crate) async fn flush(&self) {
        let (tx, rx) = oneshot::channel();
        if self.0.send(Report::Flush(tx)).is_ok() {
            let _ = rx.await;
        }
    }
}

/// Batches log lines and moves reports into `outbox`, until every
/// [`Reporter`] is gone.
pub(crate) async fn flusher(mut reports: mpsc::UnboundedReceiver<Report>, outbox: Arc<Outbox>) {
    let mut lines: Vec<LogLine> = Vec::new();
    let flush = |lines: &mut Vec<LogLine>| {
        if !lines.is_empty() {
            outbox.push(WorkerMessage::Logs(LogBatch { lines: std::mem::take(lines) }));
        }
    };
    // When the oldest pending line must go out.
    let mut due = tokio::time::Instant::now();
    loop {
        tokio::select! {
            // Reports first: a busy channel fills batches, it never starves.
            biased;
            report = reports.recv() => match report {
                Some(Report::Log(line)) => {
                    if lines.is_empty() {
                        due = tokio::time::Instant::now() + BATCH_DELAY;
                    }
                    lines.push(line);
                    if lines.len() >= BATCH_LINES {
                        flush(&mut lines);
                    }
                }
                Some(Report::Frame(frame)) => {
                    flush(&mut lines);
                    outbox.push(frame);
                }
                Some(Report::Flush(done)) => {
                    flush(&mut lines);
                    let _ = done.send(());
                }
                None => {
                    flush(&mut lines);
                    return;
                }
            },
            () = tokio::time::sleep_until(due), if !lines.is_empty() => flush(&mut lines),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::outbox::tests::{line, lines_of, status};

    #[tokio::test]
    async fn lines_are_batched_in_order_around_reports() {
        let outbox = Arc::new(Outbox::default());
        let (reporter, rx) = channel();
        for n in 0..2500 {
            reporter.log(line(n));
        }
        reporter.frame(status(1));
        reporter.log(line(2500));
        // Everything is queued before the flusher starts, so no batch is cut
        // by the clock.
        let flusher = tokio::spawn(flusher(rx, outbox.clone()));
        reporter.flush().await;
        let frames = outbox.take(100);
        let sizes: Vec<usize> = frames.iter().map(|f| lines_of(f).len()).collect();
        assert_eq!(sizes, [1000, 1000, 500, 0, 1]);
        assert_eq!(frames[3], status(1));
        let all: Vec<String> = frames.iter().flat_map(lines_of).collect();
        let expected: Vec<String> = (0..=2500).map(|n| n.to_string()).collect();
        assert_eq!(all, expected);
        drop(reporter);
        flusher.await.unwrap();
    }

    #[tokio::test]
    async fn a_lone_line_is_sent_within_the_batch_delay() {
        let outbox = Arc::new(Outbox::default());
        let (reporter, rx) = channel();
        tokio::spawn(flusher(rx, outbox.clone()));
        reporter.log(line(7));
        tokio::time::timeout(Duration::from_secs(2), outbox.ready()).await.expect("a frame within the delay");
        assert_eq!(outbox.take(10).iter().flat_map(lines_of).collect::<Vec<_>>(), ["7"]);
    }
}
