//! Password hashing with Argon2id (argon2 crate, default parameters: m = 19 MiB, t = 2, p = 1,
//! the OWASP recommendation).
//!
//! Hashing runs on a dedicated pool of threads, one per core, each lowered to nice
//! [`HASH_NICENESS`] when it starts: a login flood uses every core that nothing else wants
//! (logins/s close to the Argon2 ceiling of the machine), while the runtime's worker threads
//! (nice 0) pre-empt it whenever another request needs a core, so that other endpoints keep
//! their latency. At most one hash per thread runs at once; the others wait up to
//! [`QUEUE_WAIT`] for a free thread before getting 503.

use std::sync::Arc;
use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use tokio::sync::{Semaphore, oneshot};

use crate::error::ApiError;

/// How long a hash waits for a free slot before the request is refused with 503.
pub const QUEUE_WAIT: Duration = Duration::from_secs(10);

/// The nice value of the hashing threads (0 is the default, 19 the lowest priority): under
/// contention the scheduler gives a nice-0 thread about nine times the CPU time of a nice-10
/// one, and wakes it first.
pub const HASH_NICENESS: i32 = 10;

type Job = Box<dyn FnOnce() + Send>;

/// A bounded pool for Argon2 work.
#[derive(Clone, Debug)]
pub struct PasswordHasher {
    slots: Arc<Semaphore>,
    jobs: flume::Sender<Job>,
    dummy_hash: Arc<String>,
}

impl PasswordHasher {
    /// A hasher running at most `threads` hashes at once (at least one), on as many threads
    /// lowered to nice [`HASH_NICENESS`]. The threads end when the last clone is dropped.
    ///
    /// # Errors
    /// When a thread cannot be spawned.
    pub fn new(threads: usize) -> std::io::Result<Self> {
        let threads = threads.max(1);
        let (jobs, queue) = flume::unbounded::<Job>();
        for i in 0..threads {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || {
                    lower_priority();
                    while let Ok(job) = queue.recv() {
                        // A panicking job drops its reply (the caller gets 500); the thread
                        // stays.
                        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                    }
                })?;
        }
        let dummy = Argon2::default()
            .hash_password(b"dummy password for timing equalisation")
            .map(|h| h.to_string())
            .unwrap_or_default();
        Ok(Self {
            slots: Arc::new(Semaphore::new(threads)),
            jobs,
            dummy_hash: Arc::new(dummy),
        })
    }

    /// Default size: one thread per core of the machine (they yield to the request threads,
    /// see the module documentation).
    ///
    /// # Errors
    /// When a thread cannot be spawned.
    pub fn for_this_machine() -> std::io::Result<Self> {
        Self::new(std::thread::available_parallelism().map_or(1, usize::from))
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let permit = tokio::time::timeout(QUEUE_WAIT, self.slots.clone().acquire_owned())
            .await
            .map_err(|_| ApiError::Unavailable("password hashing is saturated; retry later"))?
            .map_err(ApiError::internal)?;
        let (reply, out) = oneshot::channel();
        // The permit goes with the job: a caller that stops waiting does not free the thread
        // before its hash is done.
        self.jobs
            .send(Box::new(move || {
                let out = f();
                drop(permit);
                let _ = reply.send(out);
            }))
            .map_err(|_| ApiError::Internal("the hashing threads have stopped".into()))?;
        out.await
            .map_err(|_| ApiError::Internal("a hashing thread panicked".into()))
    }

    /// Hashes a password to a PHC string (`$argon2id$v=19$…`).
    ///
    /// # Errors
    /// 503 when the queue is full; 500 if hashing fails.
    pub async fn hash(&self, password: String) -> Result<String, ApiError> {
        self.run(move || {
            Argon2::default()
                .hash_password(password.as_bytes())
                .map(|h| h.to_string())
        })
        .await?
        .map_err(|e| ApiError::Internal(e.to_string().into()))
    }

    /// Checks a password against a stored PHC string. With `None` it verifies against a dummy
    /// hash, so that unknown accounts take as long as known ones, and returns `false`.
    ///
    /// # Errors
    /// 503 when the queue is full.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, ApiError> {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| self.dummy_hash.as_str().to_owned());
        let ok = self
            .run(move || {
                PasswordHash::new(&stored).is_ok_and(|parsed| {
                    Argon2::default()
                        .verify_password(password.as_bytes(), &parsed)
                        .is_ok()
                })
            })
            .await?;
        Ok(ok && known)
    }
}

/// Lowers the calling thread to nice [`HASH_NICENESS`]. On Linux the nice value belongs to the
/// thread; where that fails (or elsewhere) hashing simply runs at normal priority.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    if let Err(e) =
        rustix::process::setpriority_process(Some(rustix::thread::gettid()), HASH_NICENESS)
    {
        tracing::warn!(error = %e, "cannot lower the priority of a hashing thread");
    }
}

/// Checks a new password: 8–128 characters, not all of one class.
///
/// # Errors
/// A 422 field error `password_too_weak` on the given field.
pub fn check_strength(field: &str, password: &str) -> Result<(), ApiError> {
    let n = password.chars().count();
    let classes = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if !(8..=128).contains(&n) || classes < 2 {
        return Err(ApiError::field(
            field,
            "password_too_weak",
            "a password needs 8 to 128 characters from at least two of: lower case, upper case, digits, symbols",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_run_on_threads_lowered_to_the_hashing_nice_value() {
        let before = rustix::process::getpriority_process(None).ok();
        let hasher = PasswordHasher::new(2).expect("threads");
        let nice = hasher
            .run(|| rustix::process::getpriority_process(None))
            .await
            .expect("ran")
            .expect("getpriority");
        assert_eq!(nice, HASH_NICENESS);
        // The caller's own thread is untouched.
        assert_eq!(rustix::process::getpriority_process(None).ok(), before);
    }

    #[tokio::test]
    async fn every_thread_hashes_at_once_and_verification_still_tells_right_from_wrong() {
        let hasher = PasswordHasher::new(2).expect("threads");
        let stored = hasher.hash("Right-pass-1".into()).await.expect("hash");
        let (a, b) = tokio::join!(
            hasher.verify("Right-pass-1".into(), Some(stored.clone())),
            hasher.verify("Wrong-pass-1".into(), Some(stored)),
        );
        assert_eq!((a.expect("a"), b.expect("b")), (true, false));
        assert!(
            !hasher
                .verify("Right-pass-1".into(), None)
                .await
                .expect("dummy")
        );
        // Two threads: a third job waits for a slot instead of running beside them.
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        let blockers: Vec<_> = (0..2)
            .map(|_| {
                let (h, rx) = (hasher.clone(), rx.clone());
                tokio::spawn(async move {
                    h.run(move || {
                        let _ = rx.lock().map(|r| r.recv());
                    })
                    .await
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(hasher.slots.available_permits(), 0);
        tx.send(()).expect("send");
        tx.send(()).expect("send");
        for b in blockers {
            b.await.expect("join").expect("ran");
        }
        assert_eq!(hasher.slots.available_permits(), 2);
    }
}
