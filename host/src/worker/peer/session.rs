//! The coordinator's side of one participant's connection: the hello (read
//! through the [`Door`]) is checked against the instance's route, then
//! frames become coordinator events and the coordinator's messages become
//! frames. The session pings every second and reports the participant
//! lost when it closes, breaks or stays silent for the peer timeout.

use super::door::{Door, Greeting, greet, widen};
use super::frames::{ToCoordinator, ToParticipant, decode, encode};
use crate::distributed::ToRunner;
use crate::distributed::coordinator::Event;
use crate::worker::Shared;
use futures_util::{SinkExt, StreamExt};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio::sync::OwnedSemaphorePermit;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;

/// How long a hello waits for its instance to open here: the server sends
/// the coordinator its dispatch and the participants their joins at once,
/// and a participant can be quicker.
const OPEN_PATIENCE: Duration = Duration::from_secs(5);
/// How often both sides ping.
pub(super) const PING_EVERY: Duration = Duration::from_secs(1);

/// Serves one connection: its greeting through the door (holding `place`
/// there until the hello is admitted), then the participant's session.
pub(super) async fn serve(shared: Arc<Shared>, door: Door, stream: TcpStream, place: OwnedSemaphorePermit) {
    let (socket, hello) = match greet(stream, door.hello_timeout()).await {
        Greeting::Hello(socket, hello) => (socket, hello),
        Greeting::NotAHello(socket) => return refuse(*socket, "the first frame must be a hello".into()).await,
        Greeting::Failed(why) => {
            tracing::debug!(%why, "dropped a peer connection before its hello");
            return;
        }
    };
    let route = match shared.routes.admit_when_open(&hello, OPEN_PATIENCE).await {
        Ok(route) => route,
        Err(why) => {
            tracing::info!(address = %hello.address, instance = hello.instance_id, %why, "refused a participant");
            return refuse(*socket, why).await;
        }
    };
    drop(place);
    let mut socket = widen(*socket).await;
    if socket.send(Message::binary(encode(&ToParticipant::Welcome))).await.is_err() {
        return;
    }
    let peer = route.handle.new_peer();
    let events = route.handle.events().clone();
    let (link, mut from_coordinator) = tokio::sync::mpsc::unbounded_channel::<ToRunner>();
    let joined =
        Event::Joined { peer, address: hello.address.clone(), concurrency: hello.concurrency, link: Box::new(link) };
    if events.send(joined).await.is_err() {
        // The instance ended meanwhile: nothing left to do.
        let finished = encode(&ToParticipant::Runner(ToRunner::Finished));
        let _ = socket.send(Message::binary(finished)).await;
        let _ = socket.close(None).await;
        return;
    }
    let timeout = shared.config.peer_timeout;
    let mut ping = tokio::time::interval(PING_EVERY);
    let mut heard = Instant::now();
    let (mut sink, mut stream) = socket.split();
    let reason = loop {
        tokio::select! {
            frame = stream.next() => {
                heard = Instant::now();
                let event = match frame {
                    Some(Ok(Message::Binary(bytes))) => match decode::<ToCoordinator>(&bytes) {
                        Ok(ToCoordinator::Done(results)) => Event::Done { peer, results },
                        Ok(ToCoordinator::Children(children)) => Event::Children { peer, children },
                        Ok(ToCoordinator::Hello(_)) => continue,
                        Err(why) => break why,
                    },
                    Some(Ok(Message::Close(_))) | None => break "its link closed".to_string(),
                    Some(Ok(Message::Ping(_))) => {
                        let _ = sink.flush().await;
                        continue;
                    }
                    Some(Ok(_)) => continue,
                    Some(Err(e)) => break format!("its link failed: {e}"),
                };
                if events.send(event).await.is_err() {
                    return;
                }
            }
            message = from_coordinator.recv() => {
                let Some(message) = message else {
                    // The coordinator ended.
                    let _ = sink.close().await;
                    return;
                };
                let last = !matches!(message, ToRunner::Tasks(_));
                if sink.send(Message::binary(encode(&ToParticipant::Runner(message)))).await.is_err() {
                    break "its link failed".to_string();
                }
                if last {
                    let _ = sink.close().await;
                    return;
                }
            }
            _ = ping.tick() => {
                if heard.elapsed() > timeout {
                    break format!("silent for {} ms", timeout.as_millis());
                }
                if sink.send(Message::Ping(Vec::new().into())).await.is_err() {
                    break "its link failed".to_string();
                }
            }
        }
    };
    tracing::warn!(address = %hello.address, instance = hello.instance_id, %reason, "lost a participant");
    let _ = events.send(Event::Left { peer, reason }).await;
}

async fn refuse(mut socket: WebSocketStream<TcpStream>, why: String) {
    let _ = socket.send(Message::binary(encode(&ToParticipant::Refused(why)))).await;
    let _ = socket.close(None).await;
}
