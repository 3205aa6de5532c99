//! A worker's part in an instance another worker coordinates (a `JOIN`
//! from the server): load the processor, connect to the coordinator's peer
//! listener, then run the tasks it hands out on `concurrency` threads and
//! send back their ends (batched) and emitted subtasks (as emitted) until
//! the coordinator says the instance ended, the instance is stopped, or
//! the coordinator is lost.

use super::door::ws_config;
use super::frames::{Hello, ToCoordinator, ToParticipant, decode, encode};
use super::session::PING_EVERY;
use crate::distributed::runner::{Runner, RunnerOutput, RunnerSpec};
use crate::distributed::{Children, TaskDone, ToRunner};
use crate::worker::executor::root_task;
use crate::worker::instances::{InstanceHandle, StopCause};
use crate::worker::logs::InstanceLog;
use crate::worker::slots::MAX_INSTANCE_WORKERS;
use crate::worker::{Shared, loader};
use futures_util::{SinkExt, StreamExt};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use wasmjob_runtime::LogLevel;
use wasmjob_wire::Join;

/// Connection attempts to the coordinator, 300 ms apart.
const CONNECT_ATTEMPTS: u32 = 10;
/// Task ends sent per frame at most.
const DONE_PER_FRAME: usize = 4096;
/// Runner outputs sent in one go, before the session looks at the link.
const OUTPUTS_PER_SEND: usize = 16_384;

/// How a participation ends.
#[derive(Debug)]
enum Ending {
    /// The coordinator says every task is done.
    Finished,
    /// The instance was stopped, for this reason.
    Stopped(String),
    /// The worker leaves early, for this reason.
    Left(&'static str),
}

/// Takes a `JOIN` in: runs the participation on its own task (a repeated
/// join of the same attempt is ignored).
pub(crate) fn join(shared: &Arc<Shared>, join: Join) {
    let (instance, attempt) = (join.dispatch.instance_id, join.dispatch.attempt);
    let Some(handle) = shared.participations.register(instance, attempt) else {
        tracing::debug!(instance, attempt, "ignoring a repeated join");
        return;
    };
    tracing::info!(instance, attempt, coordinator = %join.coordinator, "joining an instance");
    let log = InstanceLog::new(shared.reports.clone(), &join.dispatch);
    let shared = shared.clone();
    tokio::spawn(async move {
        if let Err(why) = participate(&shared, &join, &handle, &log).await {
            log.host(LogLevel::Warn, &format!("worker {} takes no part: {why}", shared.config.address));
        }
        shared.participations.remove(&handle);
    });
}

/// What runner threads send the session.
#[derive(Debug)]
enum Out {
    Done(TaskDone),
    Children(Children),
}

#[derive(Debug)]
struct ChannelOutput(mpsc::Sender<Out>);

impl RunnerOutput for ChannelOutput {
    fn children(&self, children: Children) -> Result<(), String> {
        self.0.blocking_send(Out::Children(children)).map_err(|_| "the worker left the instance".to_string())
    }

    fn done(&self, done: TaskDone) {
        let _ = self.0.blocking_send(Out::Done(done));
    }
}

async fn participate(
    shared: &Arc<Shared>,
    join: &Join,
    handle: &Arc<InstanceHandle>,
    log: &InstanceLog,
) -> Result<(), String> {
    let dispatch = &join.dispatch;
    let kind = dispatch.execute_type;
    let loaded = tokio::select! {
        loaded = loader::task_processor(shared, dispatch, log) => loaded,
        () = handle.stopped() => return Ok(()),
    };
    let processor = loaded?;
    let want = dispatch.concurrency.clamp(1, MAX_INSTANCE_WORKERS);
    let slots = tokio::select! {
        slots = shared.slots.tasks(want) => slots,
        () = handle.stopped() => return Ok(()),
    };
    let mut socket = connect(shared, join, slots.workers as u32).await?;
    let (out_tx, mut out_rx) = mpsc::channel::<Out>(256);
    let spec = RunnerSpec {
        processor,
        kind,
        root: root_task(dispatch),
        limits: shared.runtime.config().task_limits.clone(),
        log: Arc::new(log.clone()),
        control: handle.next_control(),
    };
    let runner = Runner::start(spec, slots.workers, Arc::new(ChannelOutput(out_tx)));
    let timeout = shared.config.peer_timeout;
    let mut ping = tokio::time::interval(PING_EVERY);
    let mut heard = Instant::now();
    let ending = loop {
        tokio::select! {
            frame = socket.next() => {
                heard = Instant::now();
                match frame {
                    Some(Ok(Message::Binary(bytes))) => match decode::<ToParticipant>(&bytes) {
                        Ok(ToParticipant::Runner(ToRunner::Tasks(tasks))) => runner.push(tasks),
                        Ok(ToParticipant::Runner(ToRunner::Stop(why))) => break Ending::Stopped(why),
                        Ok(ToParticipant::Runner(ToRunner::Finished)) => break Ending::Finished,
                        Ok(_) => {}
                        Err(why) => {
                            tracing::warn!(%why, "unreadable frame from a coordinator");
                            break Ending::Left("the coordinator sent an unreadable frame");
                        }
                    },
                    Some(Ok(Message::Ping(_))) => {
                        let _ = socket.flush().await;
                    }
                    Some(Ok(Message::Close(_))) | None => break Ending::Left("the coordinator closed the link"),
                    Some(Ok(_)) => {}
                    Some(Err(_)) => break Ending::Left("the link to the coordinator failed"),
                }
            }
            out = out_rx.recv() => {
                let Some(out) = out else { break Ending::Left("its task threads ended") };
                if send_outputs(&mut socket, out, &mut out_rx).await.is_err() {
                    break Ending::Left("the link to the coordinator failed");
                }
            }
            () = handle.stopped() => {
                let why = match handle.cause() {
                    Some(StopCause::Requested(why)) => why,
                    Some(StopCause::TimeLimit(ms)) => format!("the time limit of {ms} ms"),
                    Some(StopCause::Shutdown) | None => "the worker is shutting down".into(),
                };
                break Ending::Stopped(why);
            }
            _ = ping.tick() => {
                if heard.elapsed() > timeout {
                    break Ending::Left("the coordinator was silent for the peer timeout");
                }
                if socket.send(Message::Ping(Vec::new().into())).await.is_err() {
                    break Ending::Left("the link to the coordinator failed");
                }
            }
        }
    };
    match ending {
        Ending::Finished => runner.close(),
        Ending::Stopped(why) => {
            runner.stop();
            log.host(LogLevel::Info, &format!("worker {} stopped its tasks: {why}", shared.config.address));
        }
        Ending::Left(why) => {
            runner.stop();
            log.host(LogLevel::Warn, &format!("worker {} left the instance: {why}", shared.config.address));
        }
    }
    let _ = socket.close(None).await;
    // A task thread blocked on a full channel gives up once it is gone.
    drop(out_rx);
    // The slots are free once the task threads are.
    let deadline = Instant::now() + Duration::from_secs(5);
    while !runner.is_finished() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    drop(slots);
    Ok(())
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Connects to the coordinator and says hello, retrying while it is not
/// up yet.
async fn connect(shared: &Shared, join: &Join, concurrency: u32) -> Result<Socket, String> {
    let url = format!("ws://{}/", join.coordinator_peer);
    let mut last_error = String::new();
    for attempt in 0..CONNECT_ATTEMPTS {
        if attempt > 0 {
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        let connected = tokio_tungstenite::connect_async_with_config(url.as_str(), Some(ws_config()), true);
        let mut socket = match tokio::time::timeout(Duration::from_secs(5), connected).await {
            Ok(Ok((socket, _))) => socket,
            Ok(Err(e)) => {
                last_error = e.to_string();
                continue;
            }
            Err(_) => {
                last_error = "the connection timed out".into();
                continue;
            }
        };
        let hello = ToCoordinator::Hello(Hello {
            instance_id: join.dispatch.instance_id,
            attempt: join.dispatch.attempt,
            token: join.dispatch.peer_token.clone(),
            address: shared.config.address.clone(),
            concurrency,
        });
        socket.send(Message::binary(encode(&hello))).await.map_err(|e| e.to_string())?;
        return match tokio::time::timeout(Duration::from_secs(10), socket.next()).await {
            Ok(Some(Ok(Message::Binary(bytes)))) => match decode::<ToParticipant>(&bytes) {
                Ok(ToParticipant::Welcome) => Ok(socket),
                Ok(ToParticipant::Refused(why)) => Err(format!("the coordinator refused it: {why}")),
                _ => Err("the coordinator answered the hello with something else".into()),
            },
            _ => Err("the coordinator did not answer the hello".into()),
        };
    }
    Err(format!("cannot reach the coordinator at {url}: {last_error}"))
}

/// Sends `first` and whatever else the runner has ready: task ends
/// batched, subtasks in their own frames, all in the order they came.
async fn send_outputs(socket: &mut Socket, first: Out, rx: &mut mpsc::Receiver<Out>) -> Result<(), ()> {
    let mut done = Vec::new();
    let mut next = Some(first);
    let mut sent = 0;
    while let Some(out) = next.take() {
        sent += 1;
        match out {
            Out::Done(d) => done.push(d),
            Out::Children(children) => {
                flush_done(socket, &mut done).await?;
                socket.feed(Message::binary(encode(&ToCoordinator::Children(children)))).await.map_err(|_| ())?;
            }
        }
        if done.len() >= DONE_PER_FRAME {
            flush_done(socket, &mut done).await?;
        }
        if sent < OUTPUTS_PER_SEND {
            next = rx.try_recv().ok();
        }
    }
    flush_done(socket, &mut done).await?;
    socket.flush().await.map_err(|_| ())
}

async fn flush_done(socket: &mut Socket, done: &mut Vec<TaskDone>) -> Result<(), ()> {
    if done.is_empty() {
        return Ok(());
    }
    let frame = ToCoordinator::Done(std::mem::take(done));
    socket.feed(Message::binary(encode(&frame))).await.map_err(|_| ())
}
