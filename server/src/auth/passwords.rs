//! Password and secret hashing (argon2id), on the blocking pool: a hash
//! takes tens of milliseconds and 19 MiB of memory on purpose. At most one
//! hash or verification per core runs at a time, whoever asks (logins,
//! new apps, secret rotations, the first administrator): the others wait
//! for a [`HashPermit`], holding nothing but their request. Logins, which
//! anyone may send, wait only when few others wait already
//! ([`permit`] with a bound); beyond it they are refused at once.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// One permit per core: the hashes that may run at once.
static PERMITS: LazyLock<Arc<Semaphore>> = LazyLock::new(|| Arc::new(Semaphore::new(concurrency())));

/// Callers waiting for a permit right now.
static WAITING: AtomicUsize = AtomicUsize::new(0);

/// Hashes running right now, and the most ever seen (for the tests that
/// check the bound).
static RUNNING: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// How many hashes may run at once: the machine's cores.
pub fn concurrency() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Too many callers wait for hashing already.
#[derive(Debug, thiserror::Error)]
#[error("too many password checks are waiting; try again in a moment")]
pub struct Busy;

/// The right to run one hash or verification (held until it is dropped).
#[derive(Debug)]
pub struct HashPermit {
    _permit: OwnedSemaphorePermit,
}

/// Counts a caller as waiting until dropped.
struct Waiting;

impl Drop for Waiting {
    fn drop(&mut self) {
        WAITING.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Waits for a permit; with `max_waiting`, refuses at once when that many
/// callers wait already.
pub async fn permit(max_waiting: Option<usize>) -> Result<HashPermit, Busy> {
    let before = WAITING.fetch_add(1, Ordering::SeqCst);
    let waiting = Waiting;
    if max_waiting.is_some_and(|max| before >= max) {
        return Err(Busy);
    }
    // The semaphore is never closed.
    let permit = PERMITS.clone().acquire_owned().await.map_err(|_| Busy)?;
    drop(waiting);
    Ok(HashPermit { _permit: permit })
}

impl HashPermit {
    /// Runs `work` on the blocking pool under this permit. The permit goes
    /// with the work: a caller that gives up (a client that disconnects)
    /// does not free it before the hash ends.
    async fn run<T: Send + 'static>(self, work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        tokio::task::spawn_blocking(move || {
            let _permit = self;
            let running = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
            PEAK.fetch_max(running, Ordering::SeqCst);
            let result = work();
            RUNNING.fetch_sub(1, Ordering::SeqCst);
            result
        })
        .await
        .ok()
    }

    /// Hashes `secret` into a PHC string.
    pub async fn hash(self, secret: String) -> Result<String, crate::error::ApiError> {
        self.run(move || {
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default().hash_password(secret.as_bytes(), &salt).map(|h| h.to_string())
        })
        .await
        .ok_or(crate::error::ApiError::Internal)?
        .map_err(|e| {
            tracing::error!(error = %e, "hashing failed");
            crate::error::ApiError::Internal
        })
    }

    /// Whether `secret` matches the PHC string `hash`.
    pub async fn verify(self, secret: String, hash: String) -> bool {
        self.run(move || {
            PasswordHash::new(&hash)
                .is_ok_and(|parsed| Argon2::default().verify_password(secret.as_bytes(), &parsed).is_ok())
        })
        .await
        .unwrap_or(false)
    }
}

/// Hashes `secret` into a PHC string (waiting for a permit as long as it
/// takes).
pub async fn hash(secret: String) -> Result<String, crate::error::ApiError> {
    permit(None).await.map_err(|_| crate::error::ApiError::Internal)?.hash(secret).await
}

/// Whether `secret` matches the PHC string `hash` (waiting for a permit as
/// long as it takes).
pub async fn verify(secret: String, hash: String) -> bool {
    match permit(None).await {
        Ok(permit) => permit.verify(secret, hash).await,
        Err(_) => false,
    }
}

/// A random secret of 32 bytes, URL-safe base64.
pub fn random_secret() -> String {
    use base64::Engine;
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;

    #[tokio::test]
    async fn a_hash_verifies_only_its_secret() {
        let hash = super::hash("correct horse".into()).await.unwrap();
        assert!(!hash.contains("correct"));
        assert!(super::verify("correct horse".into(), hash.clone()).await);
        assert!(!super::verify("wrong".into(), hash).await);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn no_more_hashes_run_at_once_than_there_are_cores() {
        // Four times as many verifications as cores, all at once: they
        // queue for permits instead of allocating 19 MiB each together.
        let hash = super::hash("secret".into()).await.unwrap();
        let burst = 4 * super::concurrency();
        let checks: Vec<_> = (0..burst).map(|_| tokio::spawn(super::verify("wrong".into(), hash.clone()))).collect();
        for check in checks {
            assert!(!check.await.unwrap());
        }
        let peak = super::PEAK.load(Ordering::SeqCst);
        assert!((1..=super::concurrency()).contains(&peak), "{peak} hashes ran at once");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_bounded_wait_is_refused_when_the_queue_is_full() {
        // Hold every permit, so a bounded caller must wait.
        let mut held = Vec::new();
        for _ in 0..super::concurrency() {
            held.push(super::permit(None).await.unwrap());
        }
        let waiter = tokio::spawn(super::permit(None));
        // The waiter is counted while it waits; a caller that accepts no
        // more than one waiter before it finds the queue full.
        while super::WAITING.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        assert!(super::permit(Some(1)).await.is_err(), "a full queue refuses");
        drop(held);
        assert!(waiter.await.unwrap().is_ok(), "the waiter gets its permit once one is free");
    }
}
