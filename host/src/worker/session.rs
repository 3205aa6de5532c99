//! One connected, registered link: frames from the server become
//! dispatches and stops; a heartbeat at once and every
//! `heartbeatIntervalMs`, and the outbox's reports (first those kept while
//! disconnected) go out. On
//! shutdown the session stops every instance, sends their final reports
//! (for up to a few seconds) and closes the link.

use super::executor;
use super::instances::StopCause;
use super::link::{Shutdown, Socket};
use super::{Shared, now_ms, peer};
use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use wasmjob_wire::{Heartbeat, ReportedStatus, ServerMessage, StatusReport, Welcome, WorkerMessage};

/// Frames sent per flush.
const SEND_BATCH: usize = 256;
/// How long a shutdown waits for instances to stop and report.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);
/// Heartbeat period when the server names none.
const DEFAULT_HEARTBEAT: Duration = Duration::from_secs(5);

/// How a session ended.
#[derive(Debug)]
pub(crate) enum SessionEnd {
    /// The worker shut down and closed the link.
    Shutdown,
    /// The link broke or the server closed it: reconnect.
    Dropped(String),
}

type Sink = SplitSink<Socket, Message>;

/// Serves one connected link until it drops or the worker shuts down.
pub(crate) async fn run(
    shared: &Arc<Shared>,
    socket: Socket,
    welcome: &Welcome,
    shutdown: &mut Shutdown,
) -> SessionEnd {
    tracing::info!(server = %shared.server, app = ?welcome.app, address = %shared.config.address, "registered");
    let skew = (welcome.server_time - now_ms()).abs();
    if welcome.server_time > 0 && skew > 5_000 {
        tracing::warn!("this machine's clock is {skew} ms off the server's");
    }
    let (mut sink, mut stream) = socket.split();
    // The server forgot what this worker reported of its artifacts.
    shared.prefetch.new_session();
    let period = match welcome.heartbeat_interval_ms {
        0 => DEFAULT_HEARTBEAT,
        ms => Duration::from_millis(ms.max(100)),
    };
    let mut heartbeat = tokio::time::interval_at(Instant::now() + period, period);
    heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut drain_check = tokio::time::interval(Duration::from_millis(20));
    let mut draining: Option<Instant> = None;
    // What runs first, so the server can adopt it; then what waited.
    if let Err(why) = send_heartbeat(shared, &mut sink).await {
        return SessionEnd::Dropped(why);
    }
    loop {
        let sent = tokio::select! {
            () = shutdown.requested(), if draining.is_none() => {
                shared.stop_all(&StopCause::Shutdown);
                draining = Some(Instant::now() + DRAIN_TIMEOUT);
                Ok(())
            }
            frame = stream.next() => match frame {
                Some(Ok(Message::Text(text))) => match on_frame(shared, &text, draining.is_some()) {
                    Some(end) => return end,
                    None => Ok(()),
                },
                Some(Ok(Message::Ping(_))) => sink.flush().await.map_err(|e| e.to_string()),
                Some(Ok(Message::Close(frame))) => {
                    // Completes the closing handshake (tungstenite queued the reply).
                    let _ = tokio::time::timeout(Duration::from_secs(1), sink.close()).await;
                    let why = frame.map(|f| format!(" ({})", f.reason)).unwrap_or_default();
                    return SessionEnd::Dropped(format!("the server closed the link{why}"));
                }
                Some(Ok(_)) => Ok(()),
                Some(Err(e)) => Err(e.to_string()),
                None => Err("the connection ended".to_string()),
            },
            _ = heartbeat.tick() => send_heartbeat(shared, &mut sink).await,
            () = shared.outbox.ready() => send_outbox(shared, &mut sink).await,
            _ = drain_check.tick(), if draining.is_some() => {
                if shared.is_idle() || draining.is_some_and(|d| Instant::now() >= d) {
                    close(shared, &mut sink).await;
                    return SessionEnd::Shutdown;
                }
                Ok(())
            }
        };
        if let Err(why) = sent {
            return SessionEnd::Dropped(why);
        }
    }
}

/// Acts on a server frame; `Some` ends the session.
fn on_frame(shared: &Arc<Shared>, text: &str, draining: bool) -> Option<SessionEnd> {
    match serde_json::from_str::<ServerMessage>(text) {
        Ok(ServerMessage::Dispatch(dispatch)) if draining => {
            tracing::info!(instance = dispatch.instance_id, "not taking a dispatch while shutting down");
        }
        Ok(ServerMessage::Dispatch(dispatch)) => executor::dispatch(shared, *dispatch),
        Ok(ServerMessage::Join(join)) if draining => {
            tracing::info!(instance = join.dispatch.instance_id, "not joining an instance while shutting down");
        }
        Ok(ServerMessage::Join(join)) => peer::join(shared, *join),
        Ok(ServerMessage::Prefetch(_)) if draining => tracing::debug!("not prefetching while shutting down"),
        Ok(ServerMessage::Prefetch(prefetch)) => super::prefetch::on_prefetch(shared, prefetch),
        Ok(ServerMessage::Stop(stop)) => {
            let cause = StopCause::Requested(stop.reason);
            let coordinated = shared.instances.stop(stop.instance_id, stop.attempt, cause.clone());
            if shared.participations.stop(stop.instance_id, stop.attempt, cause) || coordinated {
                tracing::info!(instance = stop.instance_id, "stop requested");
            } else {
                tracing::debug!(instance = stop.instance_id, "stop for an instance this worker does not hold");
            }
        }
        Ok(ServerMessage::Welcome(_)) => tracing::debug!("ignoring a repeated WELCOME"),
        Ok(ServerMessage::Error { message }) => {
            return Some(SessionEnd::Dropped(format!("the server reported an error: {message}")));
        }
        Err(e) => unreadable(shared, text, &e),
    }
    None
}

/// A frame this worker cannot read. A dispatch it cannot read is reported
/// failed, so the instance does not wait for a worker that ignored it.
fn unreadable(shared: &Shared, text: &str, error: &serde_json::Error) {
    tracing::warn!("ignoring an unreadable frame: {error}");
    let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else { return };
    let field = |name: &str| value.get(name).and_then(serde_json::Value::as_i64);
    if value.get("type").and_then(serde_json::Value::as_str) != Some("DISPATCH") {
        return;
    }
    if let (Some(instance_id), Some(attempt)) = (field("instanceId"), field("attempt")) {
        shared.reports.frame(WorkerMessage::Status(StatusReport {
            instance_id,
            attempt,
            status: ReportedStatus::Failed,
            result: format!("worker {} cannot read the dispatch: {error}", shared.config.address),
            time: now_ms(),
            progress: None,
            workflow_appends: Vec::new(),
        }));
    }
}

/// Sends what the outbox holds; frames that could not be sent go back.
async fn send_outbox(shared: &Shared, sink: &mut Sink) -> Result<(), String> {
    let dropped = shared.outbox.take_dropped();
    if dropped > 0 {
        tracing::warn!("dropped {dropped} log lines while the link was down");
    }
    loop {
        let frames = shared.outbox.take(SEND_BATCH);
        if frames.is_empty() {
            return Ok(());
        }
        let mut sent = Ok(());
        for frame in &frames {
            let text = match serde_json::to_string(frame) {
                Ok(text) => text,
                Err(e) => {
                    tracing::error!("cannot encode a report: {e}");
                    continue;
                }
            };
            sent = sink.feed(Message::text(text)).await;
            if sent.is_err() {
                break;
            }
        }
        if let Err(e) = sent.and(sink.flush().await) {
            shared.outbox.requeue(frames);
            return Err(e.to_string());
        }
    }
}

/// A heartbeat, then what the outbox holds.
async fn send_heartbeat(shared: &Shared, sink: &mut Sink) -> Result<(), String> {
    let heartbeat = WorkerMessage::Heartbeat(Heartbeat {
        metrics: shared.metrics.collect_async().await,
        running: shared.instances.running(),
        participating: shared.participations.running(),
    });
    let text = serde_json::to_string(&heartbeat).map_err(|e| e.to_string())?;
    sink.send(Message::text(text)).await.map_err(|e| e.to_string())?;
    send_outbox(shared, sink).await
}

/// Sends the last reports and closes the link.
async fn close(shared: &Shared, sink: &mut Sink) {
    let _ = tokio::time::timeout(Duration::from_secs(1), shared.reports.flush()).await;
    if let Err(why) = send_outbox(shared, sink).await {
        tracing::warn!("could not send the last reports: {why}");
    }
    let _ = sink.send(Message::Close(None)).await;
    let _ = sink.close().await;
    tracing::info!("closed the link");
}
