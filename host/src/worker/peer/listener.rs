//! The worker's peer listener: bound when the worker is built (so its
//! address goes into the registration), served once it runs, each
//! connection through the [`Door`] strangers wait at.

use super::door::Door;
use super::session;
use crate::error::{Error, Result};
use crate::worker::Shared;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::OwnedSemaphorePermit;

/// A bound, not yet served, peer listener.
#[derive(Debug)]
pub(crate) struct PeerListener {
    listener: std::net::TcpListener,
    advertised: String,
}

impl PeerListener {
    /// Binds `addr`; others reach it at `advertise`, or at the bound
    /// address (the host's name with its port when bound to all
    /// interfaces).
    pub(crate) fn bind(addr: SocketAddr, advertise: Option<&str>) -> Result<Self> {
        let fail = |e: std::io::Error| Error::WorkerConfig(format!("cannot listen for peers on {addr}: {e}"));
        let listener = std::net::TcpListener::bind(addr).map_err(fail)?;
        listener.set_nonblocking(true).map_err(fail)?;
        let bound = listener.local_addr().map_err(fail)?;
        let advertised = match advertise {
            Some(advertised) => advertised.to_string(),
            None if bound.ip().is_unspecified() => {
                let host =
                    sysinfo::System::host_name().ok().filter(|h| !h.is_empty()).unwrap_or_else(|| "localhost".into());
                format!("{host}:{}", bound.port())
            }
            None => bound.to_string(),
        };
        Ok(Self { listener, advertised })
    }

    /// Where other workers reach this one.
    pub(crate) fn advertised(&self) -> &str {
        &self.advertised
    }
}

/// Serves the worker's peer listener, if it has one, until the runtime ends.
pub(crate) async fn accept(shared: Arc<Shared>) {
    let Some(bound) = shared.peer_listener.lock().unwrap_or_else(|p| p.into_inner()).take() else { return };
    let listener = match tokio::net::TcpListener::from_std(bound.listener) {
        Ok(listener) => listener,
        Err(e) => {
            tracing::error!(error = %e, "cannot serve the peer listener");
            return;
        }
    };
    tracing::info!(address = %bound.advertised, "listening for peers");
    let door = Door::new(shared.config.peer_max_pending, shared.config.peer_hello_timeout);
    serve_door(listener, door.clone(), move |stream, place| {
        session::serve(shared.clone(), door.clone(), stream, place)
    })
    .await;
}

/// Accepts connections, handing each to `serve` with its place at the
/// door; a connection that finds every place taken is closed at once.
pub(super) async fn serve_door<F, S>(listener: TcpListener, door: Door, serve: S)
where
    S: Fn(TcpStream, OwnedSemaphorePermit) -> F,
    F: Future<Output = ()> + Send + 'static,
{
    loop {
        match listener.accept().await {
            Ok((stream, from)) => match door.enter() {
                Some(place) => {
                    tracing::debug!(%from, "peer connection");
                    tokio::spawn(serve(stream, place));
                }
                None => {
                    tracing::debug!(%from, "closed a peer connection: too many are waiting for their hello");
                    drop(stream);
                }
            },
            Err(e) => {
                tracing::warn!(error = %e, "cannot accept a peer connection");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
    }
}
