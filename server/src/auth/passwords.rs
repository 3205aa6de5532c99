//! Password and secret hashing (argon2id), on the blocking pool: a hash
//! takes tens of milliseconds and 19 MiB of memory on purpose. At most one
//! hash or verification per core runs at a time, whoever asks (logins,
//! new apps, secret rotations, the first administrator): the others wait
//! for a [`HashPermit`], holding nothing but their request. Logins, which
//! anyone may send, wait only when few others wait already
//! ([`permit`] with a bound); beyond it they are refused at once.
//!
//! The 19 MiB are not allocated per hash: each running hash borrows a
//! buffer from a pool that never holds more buffers than there are
//! permits (one per core, at most 8: at most 152 MiB, kept). Allocating
//! them per hash, freed from whichever blocking thread ran it, left up to
//! one retained 19–38 MiB heap per malloc arena (glibc raises its mmap
//! threshold after the first free): 100 logins grew a server by 439 MiB
//! that it never gave back, even one at a time per core.

use argon2::password_hash::{Output, ParamsString, PasswordHash, Salt, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// One permit per core: the hashes that may run at once.
static PERMITS: LazyLock<Arc<Semaphore>> = LazyLock::new(|| Arc::new(Semaphore::new(concurrency())));

/// Callers waiting for a permit right now.
static WAITING: AtomicUsize = AtomicUsize::new(0);

/// Hashes running right now, and the most ever seen (for the tests that
/// check the bound).
static RUNNING: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// Argon2 working memory, one buffer per running hash at most.
static MEMORY: Mutex<Vec<Vec<Block>>> = Mutex::new(Vec::new());

/// The most memory a stored hash may ask for: 64 MiB (ours ask 19 MiB).
const MAX_BLOCKS: usize = 64 * 1024;

/// The most hashes that run at once on any machine: their buffers stay
/// allocated (19 MiB each), and 8 cores check hundreds of logins a second.
const MAX_CONCURRENCY: usize = 8;

/// How many hashes may run at once: one per core, at most
/// [`MAX_CONCURRENCY`].
pub fn concurrency() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).min(MAX_CONCURRENCY)
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
    /// Runs `work` on the blocking pool under this permit, with a buffer
    /// of working memory. The permit goes with the work: a caller that
    /// gives up (a client that disconnects) does not free it before the
    /// hash ends.
    async fn run<T: Send + 'static>(self, work: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static) -> Option<T> {
        tokio::task::spawn_blocking(move || {
            let _permit = self;
            let running = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
            PEAK.fetch_max(running, Ordering::SeqCst);
            let mut memory = MEMORY.lock().map(|mut pool| pool.pop()).ok().flatten().unwrap_or_default();
            let result = work(&mut memory);
            if let Ok(mut pool) = MEMORY.lock() {
                pool.push(memory);
            }
            RUNNING.fetch_sub(1, Ordering::SeqCst);
            result
        })
        .await
        .ok()
    }

    /// Hashes `secret` into a PHC string.
    pub async fn hash(self, secret: String) -> Result<String, crate::error::ApiError> {
        self.run(move |memory| {
            let salt = SaltString::generate(&mut OsRng);
            let params = Params::default();
            let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
            let output = compute(&argon2, &params, secret.as_bytes(), salt.as_salt(), memory)?;
            let hash = PasswordHash {
                algorithm: Algorithm::Argon2id.ident(),
                version: Some(Version::V0x13.into()),
                params: ParamsString::try_from(&params)?,
                salt: Some(salt.as_salt()),
                hash: Some(output),
            };
            Ok::<_, argon2::password_hash::Error>(hash.to_string())
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
        self.run(move |memory| matches(secret.as_bytes(), &hash, memory).unwrap_or(false)).await.unwrap_or(false)
    }
}

/// Whether `secret` matches the PHC string `hash` (argon2 only).
fn matches(secret: &[u8], hash: &str, memory: &mut Vec<Block>) -> Result<bool, argon2::password_hash::Error> {
    let parsed = PasswordHash::new(hash)?;
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else { return Ok(false) };
    let algorithm = Algorithm::try_from(parsed.algorithm)?;
    let version = parsed.version.map(Version::try_from).transpose()?.unwrap_or_default();
    let params = Params::try_from(&parsed)?;
    let argon2 = Argon2::new(algorithm, version, params.clone());
    // `Output` compares in constant time.
    Ok(compute(&argon2, &params, secret, salt, memory)? == expected)
}

/// The argon2 output of `secret` and `salt`, computed in `memory` (grown
/// to what `params` need, up to [`MAX_BLOCKS`]).
fn compute(
    argon2: &Argon2<'_>,
    params: &Params,
    secret: &[u8],
    salt: Salt<'_>,
    memory: &mut Vec<Block>,
) -> Result<Output, argon2::password_hash::Error> {
    let mut salt_bytes = [0u8; 64];
    let salt = salt.decode_b64(&mut salt_bytes)?;
    let needed = params.block_count();
    if needed > MAX_BLOCKS {
        tracing::error!(needed, "a stored hash asks for more memory than any this server makes");
        return Err(argon2::password_hash::Error::ParamValueInvalid(
            argon2::password_hash::errors::InvalidValue::TooLong,
        ));
    }
    if memory.len() < needed {
        memory.resize(needed, Block::new());
    }
    let length = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    Output::init_with(length, |out| Ok(argon2.hash_password_into_with_memory(secret, salt, out, &mut memory[..])?))
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

    #[tokio::test]
    async fn hashes_agree_with_the_argon2_crate_both_ways() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        // Hashes stored before this module managed memory still verify.
        let salt = argon2::password_hash::SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        let theirs = argon2::Argon2::default().hash_password(b"old secret", &salt).unwrap().to_string();
        assert!(super::verify("old secret".into(), theirs.clone()).await);
        assert!(!super::verify("old secret!".into(), theirs).await);
        let ours = super::hash("new secret".into()).await.unwrap();
        let parsed = argon2::PasswordHash::new(&ours).unwrap();
        assert!(argon2::Argon2::default().verify_password(b"new secret", &parsed).is_ok());
        assert!(!super::verify("anything".into(), "not a hash".into()).await);
    }

    #[tokio::test]
    async fn working_memory_is_reused_not_allocated_per_hash() {
        let hash = super::hash("secret".into()).await.unwrap();
        for _ in 0..3 * super::concurrency() {
            super::verify("wrong".into(), hash.clone()).await;
        }
        let pooled = super::MEMORY.lock().unwrap().len();
        assert!((1..=super::concurrency()).contains(&pooled), "{pooled} buffers for {} permits", super::concurrency());
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
