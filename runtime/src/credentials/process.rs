//! Running a `credential_process` command off the caller's thread, with a time limit and a
//! bound on what it may print.

use std::future::Future;
use std::io::Read;
use std::pin::Pin;
use std::process::{Child, Command, ExitStatus};
use std::sync::{mpsc, Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// The most a command may print to its standard output.
pub(crate) const MAX_STDOUT: usize = 64 * 1024;

/// The most of its standard error that is kept (the rest is read and dropped).
const MAX_STDERR: usize = 4 * 1024;

/// How long the standard error of a command that has exited is waited for.
const STDERR_GRACE: Duration = Duration::from_secs(1);

/// What a command that ran to its end gave (its output holds credentials: no `Debug`).
pub(crate) struct Output {
    pub(crate) status: ExitStatus,
    pub(crate) stdout: Vec<u8>,
    pub(crate) stderr: Vec<u8>,
}

/// Why a command gave no output.
#[derive(Debug)]
pub(crate) enum ProcessError {
    /// It could not be started.
    Spawn(std::io::Error),
    /// It ran longer than the limit and was killed.
    TimedOut(Duration),
    /// It printed more than [`MAX_STDOUT`] bytes and was killed.
    TooMuchOutput,
    /// Its output could not be read, or the thread that ran it stopped.
    Io(String),
}

impl std::fmt::Display for ProcessError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Spawn(error) => write!(f, "cannot run the credential_process: {error}"),
            Self::TimedOut(limit) => write!(
                f,
                "the credential_process did not finish within {} s and was killed",
                limit.as_secs_f64()
            ),
            Self::TooMuchOutput => write!(
                f,
                "the credential_process printed more than {MAX_STDOUT} bytes and was killed"
            ),
            Self::Io(message) => write!(f, "cannot read the credential_process output: {message}"),
        }
    }
}

/// Runs `command` on a thread of its own, so that the caller's executor is never blocked: the
/// command is killed when it runs longer than `timeout` or prints more than [`MAX_STDOUT`]
/// bytes. Works under any executor (it needs no async runtime).
pub(crate) fn run(command: Command, timeout: Duration) -> impl Future<Output = Result<Output, ProcessError>> + Send {
    let (sender, receiver) = oneshot();
    let spawned = std::thread::Builder::new()
        .name("credential_process".to_owned())
        .spawn(move || sender.send(run_blocking(command, timeout)));
    async move {
        if let Err(error) = spawned {
            return Err(ProcessError::Io(format!("cannot start a thread: {error}")));
        }
        receiver
            .await
            .unwrap_or_else(|| Err(ProcessError::Io("the thread that ran it stopped".to_owned())))
    }
}

/// What a reader thread found on one of the command's outputs.
enum Stream {
    Stdout(std::io::Result<(Vec<u8>, bool)>),
    Stderr(Vec<u8>),
}

/// Reads up to `limit` bytes of `reader`, and whether there was more.
fn read_capped(reader: &mut impl Read, limit: usize) -> std::io::Result<(Vec<u8>, bool)> {
    let mut bytes = Vec::new();
    let read = reader.take(limit as u64 + 1).read_to_end(&mut bytes)?;
    let over = read > limit;
    bytes.truncate(limit);
    Ok((bytes, over))
}

/// Kills `child` (if it still runs) with every process it started, and reaps it.
fn kill(child: &mut Child) {
    // The command leads a process group of its own (see `run_blocking`): the group goes, not
    // only the shell, whose children would otherwise run on and hold its output open.
    #[cfg(unix)]
    {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", child.id())])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn run_blocking(mut command: Command, timeout: Duration) -> Result<Output, ProcessError> {
    let deadline = Instant::now() + timeout;
    let remaining = || deadline.saturating_duration_since(Instant::now());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command.spawn().map_err(ProcessError::Spawn)?;
    let (sender, streams) = mpsc::channel();
    if let Some(mut stdout) = child.stdout.take() {
        let sender = sender.clone();
        std::thread::spawn(move || {
            let _ = sender.send(Stream::Stdout(read_capped(&mut stdout, MAX_STDOUT)));
        });
    }
    if let Some(mut stderr) = child.stderr.take() {
        let sender = sender.clone();
        std::thread::spawn(move || {
            let kept = read_capped(&mut stderr, MAX_STDERR)
                .map(|(kept, _)| kept)
                .unwrap_or_default();
            // The rest is drained, so that a command that writes much to it does not stall.
            let _ = std::io::copy(&mut stderr, &mut std::io::sink());
            let _ = sender.send(Stream::Stderr(kept));
        });
    }
    drop(sender);

    let mut stdout = None;
    let mut stderr = None;
    while stdout.is_none() {
        match streams.recv_timeout(remaining()) {
            Ok(Stream::Stdout(Ok((_, true)))) => {
                kill(&mut child);
                return Err(ProcessError::TooMuchOutput);
            }
            Ok(Stream::Stdout(Ok((bytes, false)))) => stdout = Some(bytes),
            Ok(Stream::Stdout(Err(error))) => {
                kill(&mut child);
                return Err(ProcessError::Io(error.to_string()));
            }
            Ok(Stream::Stderr(bytes)) => stderr = Some(bytes),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                kill(&mut child);
                return Err(ProcessError::TimedOut(timeout));
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => stdout = Some(Vec::new()),
        }
    }
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if remaining().is_zero() => {
                kill(&mut child);
                return Err(ProcessError::TimedOut(timeout));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5).min(remaining())),
            Err(error) => {
                kill(&mut child);
                return Err(ProcessError::Io(error.to_string()));
            }
        }
    };
    if stderr.is_none() {
        if let Ok(Stream::Stderr(bytes)) = streams.recv_timeout(remaining().min(STDERR_GRACE)) {
            stderr = Some(bytes);
        }
    }
    Ok(Output {
        status,
        stdout: stdout.unwrap_or_default(),
        stderr: stderr.unwrap_or_default(),
    })
}

/// The shared state of [`oneshot`]: the value, once sent (or `None` in it when the sender was
/// dropped without sending), and the task waiting for it.
struct Slot<T> {
    value: Option<Option<T>>,
    waker: Option<Waker>,
}

/// Sends one value to a [`Receiver`] on another thread.
struct Sender<T>(Arc<Mutex<Slot<T>>>);

/// A future of the value a [`Sender`] sends; `None` when it was dropped without sending.
struct Receiver<T>(Arc<Mutex<Slot<T>>>);

fn oneshot<T>() -> (Sender<T>, Receiver<T>) {
    let slot = Arc::new(Mutex::new(Slot {
        value: None,
        waker: None,
    }));
    (Sender(slot.clone()), Receiver(slot))
}

impl<T> Sender<T> {
    fn send(self, value: T) {
        self.fill(Some(value));
    }

    fn fill(&self, value: Option<T>) {
        let waker = {
            let mut slot = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            if slot.value.is_none() {
                slot.value = Some(value);
            }
            slot.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        self.fill(None);
    }
}

impl<T> Future for Receiver<T> {
    type Output = Option<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let mut slot = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        match slot.value.take() {
            Some(value) => Poll::Ready(value),
            None => {
                slot.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}
