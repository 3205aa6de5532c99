//! `GET /api/v1/workers/connect`: the WebSocket a worker opens. The first
//! frame registers the worker; then heartbeats, status reports, sub-run
//! reports, log batches and progress reports come in, dispatches, joins
//! and stops go out. A link's log batches and progress reports are stored
//! in the order they came; its status reports are applied several at once
//! (see `LinkTasks`). The link lives no longer than the token that opened
//! it: it is checked at registration, every few seconds after, and its
//! revocation closes the link at once (see `revocation`).

use super::registry::ConnectedWorker;
use super::revocation::{self, Lapse};
use super::store;
use crate::auth::{Principal, tokens};
use crate::error::ApiError;
use crate::ids::{Id, now_ms};
use crate::instances::logs;
use crate::scheduler::reports;
use crate::state::AppState;
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade, close_code};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;
use wasmjob_vocab::Word;
use wasmjob_wire::{Heartbeat, PROTOCOL_VERSION, Register, ServerMessage, Stop, Welcome, WorkerMessage};

/// Largest frame a worker may send.
const MAX_FRAME: usize = 16 << 20;

/// How long a revoked link's close frame may take to go out.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(1);

/// Upgrades the request to the worker link. An app token registers a
/// worker of that app; an administrator's token a shared pool worker.
pub async fn connect(
    State(state): State<AppState>,
    principal: Principal,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let app = match principal {
        Principal::App { id } => Some(id),
        Principal::User { admin: true, .. } => None,
        Principal::User { .. } => {
            return ApiError::Forbidden("workers connect with an app's token or an administrator's").into_response();
        }
    };
    // The principal was read from this header: it is there.
    let token = crate::auth::bearer(&headers).unwrap_or_default();
    let token_hash = tokens::token_hash(token);
    upgrade.max_message_size(MAX_FRAME).on_upgrade(move |socket| serve(state, app, token_hash, socket))
}

async fn serve(state: AppState, app: Option<Id>, token_hash: String, socket: WebSocket) {
    let (mut sink, mut stream) = socket.split();
    let register = match first_frame(&mut stream).await {
        Ok(register) => register,
        Err(message) => {
            tracing::info!(%message, "worker link refused");
            let refusal = serde_json::to_string(&ServerMessage::Error { message }).unwrap_or_default();
            let _ = sink.send(Message::Text(refusal.into())).await;
            return;
        }
    };
    let now = now_ms() as i64;
    let server_id = state.workers.server_id();
    let id = match store::upsert(&state.db, &state.ids, (app, server_id), &register, now).await {
        Ok(id) => id,
        Err(e) => {
            tracing::error!(error = %e, "cannot record a worker");
            return;
        }
    };
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let worker = Arc::new(ConnectedWorker::new(id, app, &register, token_hash, tx));
    let mut writer = tokio::spawn(write(worker.clone(), rx, sink));
    // In the registry before its token is checked, so a revocation from
    // now on reaches it; chosen for nothing until the check passed.
    state.workers.add(worker.clone());
    let expires_at = match revocation::check(&state, &worker.token_hash, app).await {
        Ok(Ok(expires_at)) => Some(expires_at),
        Ok(Err(lapse)) => {
            worker.revoke(lapse.reason());
            None
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot check a worker's token");
            worker.revoke("the server cannot check the worker's token now; try again");
            None
        }
    };
    let mut expired = false;
    if let Some(expires_at) = expires_at {
        worker.open();
        welcome(&state, &worker, app, now).await;
        expired = read(&state, &worker, &mut stream, expires_at).await;
    }
    let revoked = worker.revocation().borrow().clone();
    if let Some(reason) = revoked {
        tracing::info!(address = %worker.address, %reason, "closing a revoked worker link");
    }
    // A revoked link's writer sends the close frame; any other's is done.
    if !worker.is_revoked() || tokio::time::timeout(CLOSE_TIMEOUT, &mut writer).await.is_err() {
        writer.abort();
    }
    if state.workers.remove(&worker) {
        if expired {
            // Only its token ran out: the worker logs in again and comes
            // back at once, still running what it ran. Until then it is
            // judged as a silent worker is, after `worker_timeout_ms`,
            // rather than lost at once.
            tracing::info!(address = %worker.address, "worker link closed: its token expired");
        } else {
            let _ = store::disconnected(&state.db, worker.id, server_id).await;
            tracing::info!(address = %worker.address, "worker disconnected");
            state.scheduler.sweep_soon();
        }
    }
}

/// Greets a worker whose token was checked and makes it known.
async fn welcome(state: &AppState, worker: &Arc<ConnectedWorker>, app: Option<Id>, now: i64) {
    let app_name = match app {
        Some(app) => crate::apps::name_of(&state.db, app).await.ok().flatten(),
        None => None,
    };
    worker.send(ServerMessage::Welcome(Welcome {
        app: app_name,
        heartbeat_interval_ms: state.config.heartbeat_interval_ms,
        server_time: now,
    }));
    tracing::info!(address = %worker.address, app = ?app.map(|a| a.0), "worker connected");
    // What it should prefetch and may keep, now and every so often.
    crate::containers::rollout::on_register(state, worker);
    // Instances waiting for a worker of this app can go now.
    state.scheduler.poll_soon();
}

/// Sends what is queued for the worker, until the link is gone; a revoked
/// link gets nothing more but a close frame with the reason.
async fn write(
    worker: Arc<ConnectedWorker>,
    mut queued: UnboundedReceiver<ServerMessage>,
    mut sink: SplitSink<WebSocket, Message>,
) {
    let mut revocation = worker.revocation();
    loop {
        tokio::select! {
            biased;
            reason = revoked(&mut revocation) => {
                // A close frame's reason is at most 123 bytes.
                let reason: String = reason
                    .chars()
                    .scan(0, |bytes, c| {
                        *bytes += c.len_utf8();
                        (*bytes <= 123).then_some(c)
                    })
                    .collect();
                let frame = CloseFrame { code: close_code::POLICY, reason: reason.into() };
                let _ = sink.send(Message::Close(Some(frame))).await;
                return;
            }
            message = queued.recv() => {
                let Some(message) = message else { return };
                if worker.is_revoked() {
                    continue;
                }
                let Ok(text) = serde_json::to_string(&message) else { continue };
                if sink.send(Message::Text(text.into())).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// The reason, once the link is revoked (owned: the watch's lock is not
/// held across an await).
async fn revoked(revocation: &mut tokio::sync::watch::Receiver<Option<String>>) -> String {
    match revocation.wait_for(Option::is_some).await {
        Ok(reason) => Option::clone(&reason).unwrap_or_default(),
        // The worker is gone: so is the link.
        Err(_) => String::new(),
    }
}

/// Reads the worker's frames until the link closes, the worker is dropped,
/// or the token lapses; whether it ended because the token expired.
async fn read(
    state: &AppState,
    worker: &Arc<ConnectedWorker>,
    stream: &mut futures_util::stream::SplitStream<WebSocket>,
    expires_at: i64,
) -> bool {
    let mut link = LinkTasks::start(state, worker);
    let mut last_db_heartbeat = now_ms() as i64;
    let mut revocation = worker.revocation();
    let mut recheck =
        tokio::time::interval_at(tokio::time::Instant::now() + revocation::RECHECK_EVERY, revocation::RECHECK_EVERY);
    recheck.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let until_expiry = Duration::from_millis(u64::try_from(expires_at - now_ms() as i64).unwrap_or(0));
    let expiry = tokio::time::sleep(until_expiry);
    tokio::pin!(expiry);
    let mut expired = false;
    loop {
        let frame = tokio::select! {
            biased;
            _ = revoked(&mut revocation) => break,
            () = &mut expiry => {
                revocation::lapsed(state, worker, &Lapse::Expired).await;
                expired = true;
                break;
            }
            _ = recheck.tick() => {
                match revocation::check(state, &worker.token_hash, worker.app_id).await {
                    Ok(Ok(_)) => {}
                    Ok(Err(lapse)) => {
                        revocation::lapsed(state, worker, &lapse).await;
                        expired = lapse == Lapse::Expired;
                        break;
                    }
                    // The database is away: the link stays, checked again later.
                    Err(e) => tracing::warn!(address = %worker.address, error = %e, "cannot re-check a worker's token"),
                }
                continue;
            }
            frame = stream.next() => frame,
        };
        let text = match frame {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(Message::Close(_)) | Err(_)) | None => break,
            Some(Ok(_)) => continue,
        };
        if !state.workers.holds(worker) {
            // Dropped while silent: close the link, so the worker
            // reconnects and registers afresh.
            tracing::info!(address = %worker.address, "closing the link of a worker that was dropped");
            break;
        }
        worker.seen();
        match serde_json::from_str::<WorkerMessage>(&text) {
            Ok(WorkerMessage::Heartbeat(beat)) => {
                if let Err(e) = heartbeat(state, worker, beat, &mut last_db_heartbeat).await {
                    tracing::error!(address = %worker.address, error = %e, "cannot apply a heartbeat");
                }
            }
            Ok(message) => link.apply(message).await,
            Err(e) => tracing::warn!(address = %worker.address, error = %e, "unreadable frame from a worker"),
        }
    }
    link.finish().await;
    expired
}

async fn first_frame(stream: &mut futures_util::stream::SplitStream<WebSocket>) -> Result<Register, String> {
    let frame = tokio::time::timeout(Duration::from_secs(10), stream.next())
        .await
        .map_err(|_| "no REGISTER frame within 10 s".to_string())?;
    let Some(Ok(Message::Text(text))) = frame else {
        return Err("the first frame must be a REGISTER text frame".into());
    };
    let register = match serde_json::from_str::<WorkerMessage>(&text) {
        Ok(WorkerMessage::Register(register)) => register,
        Ok(_) => return Err("the first frame must be REGISTER".into()),
        Err(e) => return Err(format!("unreadable REGISTER frame: {e}")),
    };
    if register.protocol != PROTOCOL_VERSION {
        return Err(format!(
            "this server speaks worker protocol {PROTOCOL_VERSION}, the worker speaks {}: upgrade one of them",
            register.protocol
        ));
    }
    let address_ok = |a: &str| !a.trim().is_empty() && a.len() <= 255;
    if !address_ok(&register.address) {
        return Err("the worker address must be 1 to 255 characters".into());
    }
    if register.tags.len() > 100 || register.tags.iter().any(|t| !address_ok(t)) {
        return Err("at most 100 tags of 1 to 255 characters".into());
    }
    if register.capabilities.processor_types.len() > 32 {
        return Err("at most 32 processor types".into());
    }
    Ok(register)
}

/// Status and sub-run reports are applied several at once (each is one
/// conditional update: their order does not matter, a RUNNING that lands
/// after the final status changes nothing); log batches and progress
/// reports one after another, in the order they came, so an instance's
/// lines keep their order and its last progress is the one kept.
struct LinkTasks {
    state: AppState,
    worker: Arc<ConnectedWorker>,
    permits: Arc<tokio::sync::Semaphore>,
    ordered: Option<tokio::sync::mpsc::UnboundedSender<WorkerMessage>>,
    ordered_writer: tokio::task::JoinHandle<()>,
}

/// Reports of one link applied at once.
const REPORTS_IN_FLIGHT: usize = 8;

impl LinkTasks {
    fn start(state: &AppState, worker: &Arc<ConnectedWorker>) -> Self {
        let (ordered, mut messages) = tokio::sync::mpsc::unbounded_channel();
        let (lane_state, lane_worker) = (state.clone(), worker.clone());
        let ordered_writer = tokio::spawn(async move {
            while let Some(message) = messages.recv().await {
                let stored = match message {
                    WorkerMessage::Logs(batch) => logs_of_own_instances(&lane_state, &lane_worker, batch).await,
                    WorkerMessage::Progress(report) => reports::on_progress(&lane_state, &lane_worker, report).await,
                    _ => Ok(()),
                };
                if let Err(e) = stored {
                    tracing::error!(address = %lane_worker.address, error = %e, "cannot store a worker's logs or progress");
                }
            }
        });
        Self {
            state: state.clone(),
            worker: worker.clone(),
            permits: Arc::new(tokio::sync::Semaphore::new(REPORTS_IN_FLIGHT)),
            ordered: Some(ordered),
            ordered_writer,
        }
    }

    async fn apply(&mut self, message: WorkerMessage) {
        if matches!(message, WorkerMessage::Logs(_) | WorkerMessage::Progress(_)) {
            if let Some(ordered) = &self.ordered {
                let _ = ordered.send(message);
            }
            return;
        }
        let Ok(permit) = self.permits.clone().acquire_owned().await else { return };
        let (state, worker) = (self.state.clone(), self.worker.clone());
        tokio::spawn(async move {
            let result = match message {
                WorkerMessage::Status(report) => reports::on_status(&state, &worker, report).await,
                WorkerMessage::SubRun(report) => reports::on_sub_run(&state, &worker, report).await,
                WorkerMessage::Artifact(report) => crate::containers::rollout::on_report(&state, &worker, report).await,
                WorkerMessage::Register(_)
                | WorkerMessage::Heartbeat(_)
                | WorkerMessage::Logs(_)
                | WorkerMessage::Progress(_) => Ok(()),
            };
            if let Err(e) = result {
                tracing::error!(address = %worker.address, error = %e, "cannot apply a worker's report");
            }
            drop(permit);
        });
    }

    /// Lets what the link received be applied before it closes.
    async fn finish(mut self) {
        let _ = self.permits.acquire_many(REPORTS_IN_FLIGHT as u32).await;
        self.ordered = None;
        let _ = (&mut self.ordered_writer).await;
    }
}

/// Stores the lines of instances that are this worker's; others are
/// dropped.
async fn logs_of_own_instances(
    state: &AppState,
    worker: &Arc<ConnectedWorker>,
    batch: wasmjob_wire::LogBatch,
) -> Result<(), sqlx::Error> {
    let mut lines = batch.lines;
    let mut unknown: Vec<i64> = lines.iter().map(|l| l.instance_id).filter(|id| !worker.may_log(*id)).collect();
    unknown.dedup();
    for id in unknown {
        reports::adopt(state, worker, id).await?;
    }
    lines.retain(|l| worker.may_log(l.instance_id));
    logs::append_lines(&state.db, &lines).await
}

async fn heartbeat(
    state: &AppState,
    worker: &Arc<ConnectedWorker>,
    beat: Heartbeat,
    last_db: &mut i64,
) -> Result<(), sqlx::Error> {
    worker.heartbeat(beat.metrics, beat.running.len() + beat.participating.len());
    worker.prune();
    let now = now_ms() as i64;
    let every = (state.config.worker_timeout_ms as i64 / 3).clamp(200, 5000);
    if now - *last_db >= every {
        store::heartbeat(&state.db, worker.id, &beat.metrics, now).await?;
        *last_db = now;
    }
    // Stop what the worker runs, or takes part in, but the server no longer
    // considers its.
    for running in beat.running.iter().take(1000) {
        let instance = crate::instances::store::fetch(&state.db, Id(running.instance_id)).await?;
        let current = instance.as_ref().is_some_and(|i| {
            is_current(i, running.attempt) && i.coordinator.as_deref() == Some(worker.address.as_str())
        });
        if current {
            reports::adopt(state, worker, running.instance_id).await?;
        } else {
            stop_stale(worker, *running, instance.as_ref());
        }
    }
    for part in beat.participating.iter().take(1000) {
        let instance = crate::instances::store::fetch(&state.db, Id(part.instance_id)).await?;
        match instance.filter(|i| is_current(i, part.attempt) && worker.app_id.is_none_or(|a| a == i.app_id)) {
            // After a reconnect, its logs are accepted again.
            Some(i) => worker.adopt(
                i.id,
                crate::workers::Assignment { job_id: i.job_id, frequent: false, participant: true, finished_at: None },
            ),
            None => stop_stale(worker, *part, None),
        }
    }
    Ok(())
}

/// Whether `attempt` is the instance's live attempt.
fn is_current(instance: &crate::instances::model::Instance, attempt: i64) -> bool {
    use crate::instances::model::InstanceStatus::{Running, WaitingWorkerReceive};
    instance.running_times == attempt && matches!(instance.status, Running | WaitingWorkerReceive)
}

/// Stops an attempt a worker holds that is not the instance's live one
/// with it (only that attempt: the worker may hold a newer one).
fn stop_stale(
    worker: &ConnectedWorker,
    held: wasmjob_wire::RunningInstance,
    instance: Option<&crate::instances::model::Instance>,
) {
    let reason = match instance {
        Some(i) => format!("the instance is {} on the server", i.status.name()),
        None => format!("attempt {} of the instance is not running on the server", held.attempt),
    };
    worker.send(ServerMessage::Stop(Stop { instance_id: held.instance_id, attempt: Some(held.attempt), reason }));
}
