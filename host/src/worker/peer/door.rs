//! What a stranger gets from the peer listener: until a connection has
//! said a well-formed hello it may hold only a small frame
//! ([`MAX_HELLO_FRAME`]), it has the hello timeout to say it (the
//! WebSocket handshake included), and only so many such connections wait
//! at once (more are closed as they come). Only then is the socket widened
//! to the peer link's frame limit: a connection announcing a large frame
//! before its hello is closed on the frame's header, before anything is
//! allocated for it.

use super::frames::{Hello, MAX_FRAME, ToCoordinator, decode};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};

/// Largest frame (and message) read before a valid hello: a hello is a
/// few hundred bytes.
pub(crate) const MAX_HELLO_FRAME: usize = 4 << 10;

/// The WebSocket limits of the peer link once a participant is admitted.
pub(super) fn ws_config() -> WebSocketConfig {
    WebSocketConfig::default().max_message_size(Some(MAX_FRAME)).max_frame_size(Some(MAX_FRAME))
}

/// The WebSocket limits before the hello: small frames, small buffers.
fn hello_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .max_message_size(Some(MAX_HELLO_FRAME))
        .max_frame_size(Some(MAX_HELLO_FRAME))
        .read_buffer_size(MAX_HELLO_FRAME)
        .write_buffer_size(0)
}

/// The connections that have not said their hello yet, at most
/// `max_pending` of them.
#[derive(Debug, Clone)]
pub(crate) struct Door {
    pending: Arc<Semaphore>,
    hello_timeout: Duration,
}

impl Door {
    /// A door letting `max_pending` connections wait for their hello
    /// `hello_timeout` each.
    pub(crate) fn new(max_pending: usize, hello_timeout: Duration) -> Self {
        Self { pending: Arc::new(Semaphore::new(max_pending.max(1))), hello_timeout }
    }

    /// A place for a new connection until it is admitted (the permit is
    /// dropped then), or `None` when every place is taken.
    pub(super) fn enter(&self) -> Option<OwnedSemaphorePermit> {
        self.pending.clone().try_acquire_owned().ok()
    }

    /// How long a connection has to say its hello.
    pub(super) fn hello_timeout(&self) -> Duration {
        self.hello_timeout
    }

    /// Places free now.
    #[cfg(test)]
    fn free(&self) -> usize {
        self.pending.available_permits()
    }
}

/// How a connection's greeting went.
#[derive(Debug)]
pub(super) enum Greeting {
    /// A well-formed hello (not yet checked against any route).
    Hello(Box<WebSocketStream<TcpStream>>, Hello),
    /// The first frame was readable WebSocket but not a hello.
    NotAHello(Box<WebSocketStream<TcpStream>>),
    /// Nothing to answer: why the connection is dropped.
    Failed(String),
}

/// Completes the WebSocket handshake and reads the first frame with the
/// hello's limits, all within `timeout`.
pub(super) async fn greet(stream: TcpStream, timeout: Duration) -> Greeting {
    let _ = stream.set_nodelay(true);
    let greeting = async {
        let mut socket = match tokio_tungstenite::accept_async_with_config(stream, Some(hello_config())).await {
            Ok(socket) => socket,
            Err(e) => return Greeting::Failed(format!("no WebSocket handshake: {e}")),
        };
        match futures_util::StreamExt::next(&mut socket).await {
            Some(Ok(Message::Binary(bytes))) => match decode::<ToCoordinator>(&bytes) {
                Ok(ToCoordinator::Hello(hello)) => Greeting::Hello(Box::new(socket), hello),
                _ => Greeting::NotAHello(Box::new(socket)),
            },
            Some(Ok(_)) => Greeting::NotAHello(Box::new(socket)),
            Some(Err(e)) => Greeting::Failed(format!("no hello: {e}")),
            None => Greeting::Failed("closed before its hello".into()),
        }
    };
    tokio::time::timeout(timeout, greeting)
        .await
        .unwrap_or_else(|_| Greeting::Failed(format!("no hello within {} ms", timeout.as_millis())))
}

/// The socket of an admitted participant with the peer link's limits.
///
/// A participant sends nothing after its hello until it is welcomed, so
/// nothing read ahead is lost when the stream is taken back from the
/// hello's socket.
pub(super) async fn widen(socket: WebSocketStream<TcpStream>) -> WebSocketStream<TcpStream> {
    WebSocketStream::from_raw_socket(socket.into_inner(), Role::Server, Some(ws_config())).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::peer::frames::encode;
    use futures_util::{SinkExt, StreamExt};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    /// A client's WebSocket upgrade request, sent by hand.
    const UPGRADE: &str = "GET / HTTP/1.1\r\nHost: peer\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
                           Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

    /// A listener and the address to connect to.
    async fn listener() -> (TcpListener, std::net::SocketAddr) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        (listener, addr)
    }

    /// Reads until the end of the handshake's answer.
    async fn read_upgrade_answer(client: &mut TcpStream) {
        let mut answer = Vec::new();
        let mut byte = [0u8; 1];
        while !answer.ends_with(b"\r\n\r\n") {
            assert_eq!(client.read(&mut byte).await.unwrap(), 1, "the handshake's answer ended early");
            answer.push(byte[0]);
        }
        assert!(answer.starts_with(b"HTTP/1.1 101"), "{}", String::from_utf8_lossy(&answer));
    }

    /// Reads until the server closes the connection (its close frame, if
    /// any, is skipped); the bytes read.
    async fn read_to_close(client: &mut TcpStream) -> usize {
        let mut sink = Vec::new();
        match client.read_to_end(&mut sink).await {
            Ok(_) => sink.len(),
            // A reset is a close too.
            Err(e) => {
                assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}");
                sink.len()
            }
        }
    }

    #[tokio::test]
    async fn a_frame_announced_larger_than_a_hello_closes_the_connection_before_its_bytes() {
        let (listener, addr) = listener().await;
        let server = tokio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            // Longer than the test should take: only the frame's size may
            // end it, not the timeout.
            greet(stream, Duration::from_secs(60)).await
        });
        let mut client = TcpStream::connect(addr).await.unwrap();
        client.write_all(UPGRADE.as_bytes()).await.unwrap();
        read_upgrade_answer(&mut client).await;
        // FIN + binary, masked, 64-bit length of 59 MiB, a mask; no payload.
        let mut header = vec![0x82, 0x80 | 127];
        header.extend_from_slice(&(59u64 << 20).to_be_bytes());
        header.extend_from_slice(&[1, 2, 3, 4]);
        client.write_all(&header).await.unwrap();
        let greeting = server.await.unwrap();
        assert!(
            matches!(&greeting, Greeting::Failed(why) if why.contains("too long") || why.contains("too big")),
            "{greeting:?}"
        );
        drop(greeting);
        assert!(read_to_close(&mut client).await < 64, "closed without waiting for the frame's bytes");
    }

    #[tokio::test]
    async fn a_silent_connection_is_dropped_after_the_hello_timeout() {
        let (listener, addr) = listener().await;
        let server = tokio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            greet(stream, Duration::from_millis(200)).await
        });
        let mut silent = TcpStream::connect(addr).await.unwrap();
        let greeting = server.await.unwrap();
        assert!(matches!(&greeting, Greeting::Failed(why) if why == "no hello within 200 ms"), "{greeting:?}");
        drop(greeting);
        assert_eq!(read_to_close(&mut silent).await, 0);
    }

    #[tokio::test]
    async fn a_hello_is_read_and_the_widened_socket_takes_large_frames() {
        let (listener, addr) = listener().await;
        let server = tokio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let Greeting::Hello(socket, hello) = greet(stream, Duration::from_secs(60)).await else {
                panic!("no hello")
            };
            let mut socket = widen(*socket).await;
            socket.send(Message::binary(encode(&super::super::frames::ToParticipant::Welcome))).await.unwrap();
            let Some(Ok(Message::Binary(big))) = socket.next().await else { panic!("no large frame") };
            (hello, big.len())
        });
        let url = format!("ws://{addr}/");
        let (mut client, _) = tokio_tungstenite::connect_async_with_config(url, Some(ws_config()), true).await.unwrap();
        let hello = Hello {
            instance_id: 7,
            attempt: 1,
            token: wasmjob_wire::PeerToken("t0k".into()),
            address: "w:1".into(),
            concurrency: 2,
        };
        client.send(Message::binary(encode(&ToCoordinator::Hello(hello.clone())))).await.unwrap();
        let Some(Ok(Message::Binary(_welcome))) = client.next().await else { panic!("no welcome") };
        client.send(Message::binary(vec![7u8; 1 << 20])).await.unwrap();
        assert_eq!(server.await.unwrap(), (hello, 1 << 20));
    }

    #[tokio::test]
    async fn a_connection_past_the_pending_limit_is_closed_at_once() {
        let (listener, addr) = listener().await;
        let door = Door::new(3, Duration::from_secs(3600));
        let serving =
            tokio::spawn(super::super::listener::serve_door(listener, door.clone(), |stream, permit| async move {
                let _held = permit;
                let _ = greet(stream, Duration::from_secs(3600)).await;
            }));
        let mut waiting = Vec::new();
        for _ in 0..3 {
            waiting.push(TcpStream::connect(addr).await.unwrap());
        }
        while door.free() > 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let mut fourth = TcpStream::connect(addr).await.unwrap();
        assert_eq!(read_to_close(&mut fourth).await, 0, "the fourth pending connection is closed");
        drop(waiting.pop());
        while door.free() == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let mut next = TcpStream::connect(addr).await.unwrap();
        next.write_all(UPGRADE.as_bytes()).await.unwrap();
        read_upgrade_answer(&mut next).await;
        serving.abort();
    }
}
