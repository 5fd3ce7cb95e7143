//! Copies of the audit trail for those who collect logs: a JSON-lines file
//! (`--audit-log FILE`, readable by its owner only, made anew at its path
//! when rotated away), stdout (`--audit-log -`), and syslog
//! (`--audit-syslog`, facility authpriv). Each entry is copied once it is
//! kept in the store, by a thread of its own through a bounded queue: a
//! copy that cannot keep up (an undrained pipe, a stalled log shipper)
//! never makes a request wait. What cannot be queued is counted and said
//! in the console's log; the store still holds it (the export gives it
//! again).

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{channel, sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::console::access::entry::Entry;
use crate::console::marks::json_line;

/// How many entries may wait to be copied.
const QUEUE: usize = 4096;

/// Where a copy goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A JSON-lines file.
    File(PathBuf),
    /// The process's standard output, a JSON line each.
    Stdout,
    /// The system log at this socket (`/dev/log`).
    Syslog(PathBuf),
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::File(path) => write!(f, "{}", path.display()),
            Target::Stdout => f.write_str("stdout"),
            Target::Syslog(path) => write!(f, "syslog ({})", path.display()),
        }
    }
}

/// Where the audit trail is copied.
#[derive(Debug)]
pub struct Copies {
    /// The queue to the copying thread; `None` once closed (or with no
    /// copies).
    queue: Mutex<Option<SyncSender<Arc<[u8]>>>>,
    /// Says when the copying thread has written all it was given.
    finished: Mutex<Option<Receiver<()>>>,
    targets: Vec<Target>,
    dropped: Arc<AtomicU64>,
}

/// One open copy.
enum Sink {
    File { file: File, path: PathBuf },
    Stdout,
    Syslog { logger: Box<SyslogLogger>, path: PathBuf },
}

type SyslogLogger = syslog::Logger<syslog::LoggerBackend, syslog::Formatter3164>;

fn syslog_to(path: &Path) -> Result<SyslogLogger, String> {
    let formatter = syslog::Formatter3164 {
        facility: syslog::Facility::LOG_AUTHPRIV,
        hostname: None,
        process: "vipps-om-console".to_owned(),
        pid: std::process::id(),
    };
    syslog::unix_custom(formatter, path).map_err(|e| format!("syslog cannot be reached at {}: {e}", path.display()))
}

/// Opens the audit file at `path` for appending (made when missing;
/// readable by its owner only).
fn open_file(path: &Path) -> Result<File, String> {
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let file = options
        .open(path)
        .map_err(|e| format!("the audit log {} cannot be written: {e}", path.display()))?;
    let meta = file
        .metadata()
        .map_err(|e| format!("the audit log {} cannot be read: {e}", path.display()))?;
    if !meta.is_file() {
        return Err(format!("the audit log {} is not a regular file", path.display()));
    }
    Ok(file)
}

/// `true` when `path` still names the file held open: not moved away by
/// log rotation, not deleted.
fn still_there(path: &Path, file: &File) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        match (std::fs::metadata(path), file.metadata()) {
            (Ok(named), Ok(held)) => named.dev() == held.dev() && named.ino() == held.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (path, file);
        true
    }
}

impl Sink {
    fn open(target: &Target) -> Result<Sink, String> {
        Ok(match target {
            Target::File(path) => Sink::File {
                file: open_file(path)?,
                path: path.clone(),
            },
            Target::Stdout => Sink::Stdout,
            Target::Syslog(path) => Sink::Syslog {
                logger: Box::new(syslog_to(path)?),
                path: path.clone(),
            },
        })
    }

    /// Writes one line. A file's line that could not be written whole is
    /// taken back, so the file holds whole lines only.
    fn write(&mut self, line: &[u8]) -> Result<(), String> {
        match self {
            Sink::File { file, path } => {
                // Rotated or deleted: write to the file the path names now
                // (made anew), not to one nobody will read.
                if !still_there(path, file) {
                    *file = open_file(path)?;
                    tracing::info!(target: "vipps_om::console", "the audit log {} was moved or deleted: writing to a new file there", path.display());
                }
                let failed = |e: std::io::Error| format!("the audit log {} cannot be written: {e}", path.display());
                let before = file.metadata().map_err(failed)?.len();
                if let Err(e) = file.write_all(line).and_then(|()| file.sync_data()) {
                    if let Err(undo) = file.set_len(before) {
                        tracing::error!(target: "vipps_om::console", "a torn line in the audit log {} could not be taken back: {undo}", path.display());
                    }
                    return Err(failed(e));
                }
                Ok(())
            }
            Sink::Stdout => {
                let mut out = std::io::stdout().lock();
                out.write_all(line)
                    .and_then(|()| out.flush())
                    .map_err(|e| format!("the audit trail cannot be copied to stdout: {e}"))
            }
            Sink::Syslog { logger, path } => {
                let text = String::from_utf8_lossy(line.strip_suffix(b"\n").unwrap_or(line)).into_owned();
                if logger.info(&text).is_ok() {
                    return Ok(());
                }
                // The log daemon restarted: once more on a new socket.
                **logger = syslog_to(path)?;
                logger
                    .info(text)
                    .map_err(|e| format!("the audit trail cannot be copied to syslog at {}: {e}", path.display()))
            }
        }
    }
}

fn copy_all(queue: Receiver<Arc<[u8]>>, mut sinks: Vec<Sink>) {
    while let Ok(line) = queue.recv() {
        for sink in &mut sinks {
            if let Err(e) = sink.write(&line) {
                tracing::error!(target: "vipps_om::console", "{e}: the entry is kept in the console's database, and in its export");
            }
        }
    }
}

/// How long a stopping console waits for its copies to be written.
const CLOSING: Duration = Duration::from_secs(5);

impl Copies {
    /// No copies.
    pub fn none() -> Copies {
        Copies {
            queue: Mutex::default(),
            finished: Mutex::default(),
            targets: Vec::new(),
            dropped: Arc::default(),
        }
    }

    /// Copies to each of `targets`, each opened now: one that cannot be
    /// (a file not writable, no syslog) is an error at start.
    pub fn to(targets: Vec<Target>) -> Result<Copies, String> {
        if targets.is_empty() {
            return Ok(Copies::none());
        }
        let sinks = targets.iter().map(Sink::open).collect::<Result<Vec<_>, _>>()?;
        let (queue, taken) = sync_channel(QUEUE);
        let (finish, finished) = channel();
        std::thread::Builder::new()
            .name("audit-copies".to_owned())
            .spawn(move || {
                copy_all(taken, sinks);
                let _ = finish.send(());
            })
            .map_err(|e| format!("the audit trail's copies cannot start: {e}"))?;
        Ok(Copies {
            queue: Mutex::new(Some(queue)),
            finished: Mutex::new(Some(finished)),
            targets,
            dropped: Arc::default(),
        })
    }

    /// Takes no more entries and waits (five seconds at most) until those
    /// queued are written: a console that stops leaves its copies whole.
    pub fn close(&self) {
        drop(self.queue.lock().unwrap_or_else(|e| e.into_inner()).take());
        if let Some(finished) = self.finished.lock().unwrap_or_else(|e| e.into_inner()).take() {
            if finished.recv_timeout(CLOSING).is_err() {
                tracing::error!(target: "vipps_om::console", "the audit trail's copies ({}) were not all written before the console stopped; the entries are in its database", self.describe());
            }
        }
    }

    /// Where the copies go.
    pub fn targets(&self) -> &[Target] {
        &self.targets
    }

    /// How many entries could not be queued for copying.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Queues `entry` for its copies; never waits.
    pub(super) fn send(&self, entry: &Entry) {
        let guard = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        let Some(queue) = guard.as_ref() else {
            return;
        };
        let line = match json_line(entry) {
            Ok(line) => line,
            Err(e) => {
                tracing::error!(target: "vipps_om::console", "an audit entry could not be copied: {e}");
                return;
            }
        };
        match queue.try_send(line.into()) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                let dropped = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
                // Said at the first and every thousandth, not at each.
                if dropped == 1 || dropped.is_multiple_of(1000) {
                    tracing::error!(target: "vipps_om::console", "{dropped} audit entries were not copied: the copies ({}) do not keep up; the entries are in the console's database", self.describe());
                }
            }
            Err(TrySendError::Disconnected(_)) => {
                tracing::error!(target: "vipps_om::console", "the audit trail's copies stopped: the entries are in the console's database");
            }
        }
    }

    /// The targets, for messages.
    pub fn describe(&self) -> String {
        self.targets.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
    }
}

#[cfg(test)]
mod tests {
    use vipps_om_test_support::{logged, until_blocking as until};

    use super::*;
    use crate::console::access::entry::Event;
    use crate::console::access::visitor::Via;

    fn dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("vipps-om-copies-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn entry(who: &str) -> Entry {
        Entry::new(Event::SignOut, who, Via::Token, Some("127.0.0.1".parse().unwrap())).outcome("signed-out")
    }

    #[test]
    fn a_file_copy_is_json_lines_made_anew_when_rotated() {
        let dir = dir("file");
        let path = dir.join("audit.jsonl");
        let copies = Copies::to(vec![Target::File(path.clone())]).unwrap();
        assert_eq!(copies.describe(), path.display().to_string());
        assert_eq!(copies.targets(), [Target::File(path.clone())]);
        assert!(Copies::none().targets().is_empty());
        let lines = |p: &Path| std::fs::read_to_string(p).unwrap_or_default().lines().count();
        copies.send(&entry("kari\u{202e}"));
        until("the first line", || lines(&path) == 1);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(r#""who":"kari\u202e""#), "{text}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        // Rotated away: the next line goes to a new file at the path.
        std::fs::rename(&path, dir.join("audit.jsonl.1")).unwrap();
        copies.send(&entry("ola"));
        until("the line after rotation", || lines(&path) == 1);
        assert!(std::fs::read_to_string(&path).unwrap().contains("\"ola\""));
        // Rotated with a new empty file made in its place (logrotate's
        // `create`): the entry goes to the new file.
        std::fs::rename(&path, dir.join("audit.jsonl.2")).unwrap();
        std::fs::File::create(&path).unwrap();
        copies.send(&entry("per"));
        until("the line after rotation with create", || lines(&path) == 1);
        assert!(!std::fs::read_to_string(dir.join("audit.jsonl.2")).unwrap().contains("\"per\""));
        let folder = Copies::to(vec![Target::File(dir.clone())]).unwrap_err();
        assert!(
            folder.contains("cannot be written") && folder.contains(&dir.display().to_string()),
            "{folder}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn closing_writes_what_was_queued_and_takes_no_more() {
        let dir = dir("close");
        let path = dir.join("audit.jsonl");
        let copies = Copies::to(vec![Target::File(path.clone())]).unwrap();
        for who in ["a", "b", "c"] {
            copies.send(&entry(who));
        }
        copies.close();
        let lines = || std::fs::read_to_string(&path).unwrap().lines().count();
        assert_eq!(lines(), 3, "all written before close returned");
        copies.send(&entry("d"));
        copies.close();
        assert_eq!(lines(), 3, "nothing taken after");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_syslog_copy_is_one_authpriv_message_an_entry() {
        let dir = dir("syslog");
        let socket = dir.join("log");
        let server = std::os::unix::net::UnixDatagram::bind(&socket).unwrap();
        let copies = Copies::to(vec![Target::Syslog(socket.clone())]).unwrap();
        copies.send(&entry("kari"));
        let mut buf = [0u8; 4096];
        let n = server.recv(&mut buf).unwrap();
        let message = String::from_utf8_lossy(&buf[..n]);
        // authpriv (10) × 8 + info (6)
        assert!(message.starts_with("<86>"), "{message}");
        assert!(
            message.contains("vipps-om-console[") && message.contains(r#""who":"kari""#),
            "{message}"
        );
        assert!(!message.ends_with('\n'));
        let missing = Copies::to(vec![Target::Syslog(dir.join("nothing"))]).unwrap_err();
        assert!(missing.contains("syslog cannot be reached"), "{missing}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_copy_that_cannot_keep_up_never_makes_the_sender_wait_and_is_said_now_and_then() {
        // A queue nobody takes from: full after QUEUE entries.
        let (queue, _taken) = sync_channel(QUEUE);
        let copies = Copies {
            queue: Mutex::new(Some(queue)),
            finished: Mutex::default(),
            targets: vec![Target::Stdout],
            dropped: Arc::default(),
        };
        let log = logged(|| {
            for _ in 0..QUEUE + 2000 {
                copies.send(&entry("kari"));
            }
        });
        assert_eq!(copies.dropped(), 2000);
        // Said at the first that could not be queued and every thousandth.
        let said: Vec<&str> = log.lines().filter(|l| l.contains("were not copied")).collect();
        assert_eq!(said.len(), 3, "{log}");
        assert!(
            said[0].contains(" 1 audit entries") && said[1].contains(" 1000 audit") && said[2].contains(" 2000 audit"),
            "{log}"
        );
        assert!(said[0].contains("the copies (stdout) do not keep up"), "{log}");
    }

    #[test]
    fn the_file_held_is_told_from_another_at_its_path() {
        let dir = dir("held");
        let path = dir.join("audit.jsonl");
        let file = open_file(&path).unwrap();
        assert!(still_there(&path, &file));
        std::fs::rename(&path, dir.join("audit.jsonl.1")).unwrap();
        assert!(!still_there(&path, &file), "moved away");
        std::fs::File::create(&path).unwrap();
        assert!(!still_there(&path, &file), "another file at the path");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
