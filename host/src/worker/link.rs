//! The worker link's life: log in, open the WebSocket with the bearer
//! token, `REGISTER`, wait for `WELCOME`, hand over to a `session`, and
//! when the link drops try again with backoff (100 ms doubling to 5 s).
//! Refusals that retrying cannot mend — a wrong app secret, a refused
//! administrator token, an `ERROR` answering registration — end the worker.

use super::instances::StopCause;
use super::session::{self, SessionEnd};
use super::{Shared, auth::AuthError};
use crate::error::Error;
use futures_util::{SinkExt, StreamExt};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::{HeaderValue, StatusCode, header::AUTHORIZATION};
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use wasmjob_wire::{Capabilities, PROTOCOL_VERSION, Register, ServerMessage, Welcome, WorkerMessage};

/// An open worker link.
pub(crate) type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The engine workers advertise.
const ENGINE: &str = "wasmtime 48";
/// How long connecting, and then waiting for `WELCOME`, may take.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// A session this long resets the backoff.
const STABLE_SESSION: Duration = Duration::from_secs(10);
/// How long a shutdown while disconnected waits for instances to stop.
const OFFLINE_DRAIN: Duration = Duration::from_secs(2);

/// Tells the link to wind down.
#[derive(Debug, Clone)]
pub(crate) struct Shutdown(watch::Receiver<bool>);

impl Shutdown {
    pub(crate) fn new(rx: watch::Receiver<bool>) -> Self {
        Self(rx)
    }

    /// Resolves once a shutdown is asked for.
    pub(crate) async fn requested(&mut self) {
        if self.0.wait_for(|asked| *asked).await.is_err() {
            // The sender lives as long as the worker runs; without it no
            // shutdown can come.
            std::future::pending::<()>().await;
        }
    }
}

/// Delays between connection attempts.
#[derive(Debug)]
struct Backoff {
    next: Duration,
}

impl Backoff {
    const FIRST: Duration = Duration::from_millis(100);
    const MAX: Duration = Duration::from_secs(5);

    fn new() -> Self {
        Self { next: Self::FIRST }
    }

    fn next(&mut self) -> Duration {
        let delay = self.next;
        self.next = (delay * 2).min(Self::MAX);
        delay
    }

    fn reset(&mut self) {
        self.next = Self::FIRST;
    }
}

/// Why a connection attempt failed.
enum Attempt {
    Retry(String),
    Fatal(Error),
}

/// Keeps the worker connected until `shutdown`, or a fatal refusal.
pub(crate) async fn serve(shared: Arc<Shared>, mut shutdown: Shutdown) -> crate::Result<()> {
    let mut backoff = Backoff::new();
    loop {
        let attempt = tokio::select! {
            attempt = connect(&shared) => attempt,
            () = shutdown.requested() => {
                wind_down_offline(&shared).await;
                return Ok(());
            }
        };
        match attempt {
            Ok((socket, welcome)) => {
                let started = Instant::now();
                match session::run(&shared, socket, &welcome, &mut shutdown).await {
                    SessionEnd::Shutdown => return Ok(()),
                    SessionEnd::Dropped(why) => tracing::warn!("the link to {} dropped: {why}", shared.server),
                }
                if started.elapsed() >= STABLE_SESSION {
                    backoff.reset();
                }
            }
            Err(Attempt::Fatal(error)) => return Err(error),
            Err(Attempt::Retry(why)) => tracing::warn!("cannot connect to {}: {why}", shared.server),
        }
        let delay = backoff.next();
        tracing::debug!(?delay, "reconnecting after a pause");
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = shutdown.requested() => {
                wind_down_offline(&shared).await;
                return Ok(());
            }
        }
    }
}

/// A shutdown while disconnected: stop everything, give it a moment.
async fn wind_down_offline(shared: &Shared) {
    shared.stop_all(&StopCause::Shutdown);
    let deadline = Instant::now() + OFFLINE_DRAIN;
    while !shared.is_idle() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The link's URL: the server's with `ws://` for `http://`.
fn link_url(server: &str) -> String {
    let rest = server.strip_prefix("http://").unwrap_or(server);
    format!("ws://{rest}{}", wasmjob_wire::CONNECT_PATH)
}

/// Logs in if need be, connects and registers.
async fn connect(shared: &Arc<Shared>) -> Result<(Socket, Welcome), Attempt> {
    let token = shared.auth.token().await.map_err(|e| match e {
        AuthError::Refused(why) => Attempt::Fatal(Error::Login(why)),
        AuthError::Unavailable(why) => Attempt::Retry(why),
    })?;
    let mut request = link_url(&shared.server)
        .into_client_request()
        .map_err(|e| Attempt::Fatal(Error::Link(format!("bad server URL `{}`: {e}", shared.server))))?;
    let mut bearer = HeaderValue::from_str(&format!("Bearer {token}"))
        .map_err(|_| Attempt::Fatal(Error::Login("the token is not a valid header value".into())))?;
    bearer.set_sensitive(true);
    request.headers_mut().insert(AUTHORIZATION, bearer);
    // No Nagle: a status frame must not wait for the server's delayed ACK
    // (it cost ~40 ms per instance).
    let connect = tokio_tungstenite::connect_async_with_config(request, None, true);
    let connected = tokio::time::timeout(HANDSHAKE_TIMEOUT, connect).await;
    let mut socket = match connected {
        Err(_) => return Err(Attempt::Retry("the connection timed out".into())),
        Ok(Ok((socket, _))) => socket,
        Ok(Err(tungstenite::Error::Http(response))) if response.status() == StatusCode::UNAUTHORIZED => {
            return Err(if shared.auth.refused(&token).await {
                Attempt::Retry("the server refused the token; logging in again".into())
            } else {
                Attempt::Fatal(Error::Login("the server refused the worker's token".into()))
            });
        }
        Ok(Err(tungstenite::Error::Http(response))) => {
            return Err(Attempt::Retry(format!("the server answered {}", response.status())));
        }
        Ok(Err(e)) => return Err(Attempt::Retry(e.to_string())),
    };
    let welcome = register(shared, &mut socket).await?;
    Ok((socket, welcome))
}

/// Sends `REGISTER` and waits for the answer.
async fn register(shared: &Arc<Shared>, socket: &mut Socket) -> Result<Welcome, Attempt> {
    let config = &shared.config;
    let register = WorkerMessage::Register(Register {
        protocol: PROTOCOL_VERSION,
        address: config.address.clone(),
        tags: config.tags.clone(),
        capabilities: Capabilities {
            processor_types: shared.processor_types(),
            max_concurrent_tasks: config.max_concurrent_instances,
            engine: ENGINE.to_string(),
        },
        metrics: shared.metrics.collect_async().await,
        version: env!("CARGO_PKG_VERSION").to_string(),
        peer_address: shared.peer_address(),
    });
    let text = serde_json::to_string(&register).map_err(|e| Attempt::Retry(e.to_string()))?;
    socket.send(Message::text(text)).await.map_err(|e| Attempt::Retry(e.to_string()))?;
    match tokio::time::timeout(HANDSHAKE_TIMEOUT, welcome(socket)).await {
        Ok(answer) => answer,
        Err(_) => Err(Attempt::Retry(format!("no WELCOME within {} s", HANDSHAKE_TIMEOUT.as_secs()))),
    }
}

async fn welcome(socket: &mut Socket) -> Result<Welcome, Attempt> {
    loop {
        let text = match socket.next().await {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(Message::Close(frame))) => {
                let why = frame.map(|f| format!(": {}", f.reason)).unwrap_or_default();
                return Err(Attempt::Retry(format!("the server closed the link before WELCOME{why}")));
            }
            Some(Ok(_)) => continue,
            Some(Err(e)) => return Err(Attempt::Retry(e.to_string())),
            None => return Err(Attempt::Retry("the server closed the link before WELCOME".into())),
        };
        match serde_json::from_str::<ServerMessage>(&text) {
            Ok(ServerMessage::Welcome(welcome)) => return Ok(welcome),
            Ok(ServerMessage::Error { message }) => {
                return Err(Attempt::Fatal(Error::Link(format!("the server refused the worker: {message}"))));
            }
            Ok(_) => tracing::warn!("ignoring a frame that came before WELCOME"),
            Err(e) => tracing::warn!("ignoring an unreadable frame before WELCOME: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_five_seconds_and_resets() {
        let mut backoff = Backoff::new();
        let delays: Vec<u128> = (0..8).map(|_| backoff.next().as_millis()).collect();
        assert_eq!(delays, [100, 200, 400, 800, 1600, 3200, 5000, 5000]);
        backoff.reset();
        assert_eq!(backoff.next(), Duration::from_millis(100));
    }

    #[test]
    fn the_link_url_is_the_servers_as_ws() {
        assert_eq!(link_url("http://127.0.0.1:7700"), "ws://127.0.0.1:7700/api/v1/workers/connect");
        assert_eq!(link_url("http://jobs.internal/base"), "ws://jobs.internal/base/api/v1/workers/connect");
    }
}
