//! Why a command failed, its exit code, and its JSON form: the one place
//! that maps failures to what a shell or a script sees.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::{json, Map, Value};
use vipps_order_management::{Error, ErrorKind};
use vipps_order_management_outbox::OutboxError;

/// `{"error": {kind, status, message}}`: the form of every error the tool
/// answers in JSON (a command's, and the console API's), in its simplest
/// shape; [`Failure::to_json`] adds what an SDK error tells.
pub fn error_json(kind: &str, status: u16, message: &str) -> Value {
    json!({ "error": { "kind": kind, "status": status, "message": message } })
}

/// A command's failure.
#[derive(Debug)]
pub enum Failure {
    /// The client or the API said no (validation, configuration, HTTP).
    Client(Error),
    /// A file named on the command line cannot be read.
    File { path: PathBuf, reason: String },
    /// A file's content cannot be what the command needs (too large).
    Content { path: PathBuf, reason: String },
    /// A file's JSON is broken or not what the API takes.
    Json {
        path: PathBuf,
        line: usize,
        column: usize,
        reason: String,
    },
    /// The command line is wrong (clap's own errors exit before this).
    Usage(String),
    /// The settings are wrong (an empty flag, a port or file a server
    /// cannot use).
    Config(String),
    /// The result could not be written to stdout.
    Output(std::io::Error),
    /// The outbox refused or its database failed.
    Outbox(vipps_order_management_outbox::OutboxError),
}

impl From<vipps_order_management_outbox::OutboxError> for Failure {
    fn from(e: vipps_order_management_outbox::OutboxError) -> Self {
        match e {
            vipps_order_management_outbox::OutboxError::Invalid(e) => Failure::Client(e),
            other => Failure::Outbox(other),
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Client(e)
    }
}

impl Failure {
    pub fn file(path: &Path, e: std::io::Error) -> Failure {
        Failure::File {
            path: path.to_owned(),
            reason: e.to_string(),
        }
    }

    pub fn json(path: &Path, e: serde_json::Error) -> Failure {
        Failure::Json {
            path: path.to_owned(),
            line: e.line(),
            column: e.column(),
            reason: e.to_string(),
        }
    }

    /// The exit code of the failure's class (see `--help`).
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            Failure::Client(e) => match e.kind() {
                ErrorKind::Invalid | ErrorKind::Conflict => 1,
                ErrorKind::Configuration => 3,
                ErrorKind::NotFound => 4,
                _ => 5,
            },
            Failure::Json { .. } | Failure::Content { .. } => 1,
            Failure::File { .. } | Failure::Usage(_) => 2,
            Failure::Config(_) => 3,
            Failure::Output(_) => 5,
            Failure::Outbox(e) => match e {
                OutboxError::NotFound(_) => 4,
                OutboxError::Config(_) => 3,
                OutboxError::Database { .. } => 5,
                _ => 1,
            },
        })
    }

    /// The class, as in `--json` output.
    pub fn kind(&self) -> &'static str {
        match self {
            Failure::Client(e) => e.kind().as_str(),
            Failure::Json { .. } | Failure::Content { .. } => "invalid",
            Failure::File { .. } => "file",
            Failure::Usage(_) => "usage",
            Failure::Config(_) => "configuration",
            Failure::Output(_) => "output",
            Failure::Outbox(e) => match e {
                OutboxError::NotFound(_) => "not_found",
                OutboxError::Config(_) => "configuration",
                OutboxError::Database { .. } => "unavailable",
                OutboxError::Invalid(_) => "invalid",
                _ => "conflict",
            },
        }
    }

    /// The message for people.
    pub fn message(&self) -> String {
        match self {
            Failure::Client(e) => e.to_string(),
            Failure::File { path, reason } => format!("cannot read {}: {reason}", path.display()),
            Failure::Json { path, reason, .. } => format!("{} is not a valid receipt: {reason}", path.display()),
            Failure::Content { path, reason } => format!("{} {reason}", path.display()),
            Failure::Usage(m) | Failure::Config(m) => m.clone(),
            Failure::Output(e) => format!("the result could not be written to stdout: {e}"),
            Failure::Outbox(e) => e.to_string(),
        }
    }

    /// `{"error": {kind, status, title, detail, instance, invalidParams,
    /// message}}`, absent parts left out (see [`error_json`]).
    pub fn to_json(&self) -> Value {
        let mut error = Map::new();
        error.insert("kind".into(), json!(self.kind()));
        match self {
            Failure::Client(e) => {
                if let Some(status) = e.status() {
                    error.insert("status".into(), json!(status.as_u16()));
                }
                if let Some(p) = e.problem() {
                    for (key, value) in [("title", &p.title), ("detail", &p.detail), ("instance", &p.instance)] {
                        if let Some(v) = value {
                            error.insert(key.into(), json!(v));
                        }
                    }
                }
                let params = match e {
                    Error::InvalidInput { violations, .. } => violations.clone(),
                    _ => e.problem().map(|p| p.invalid_params.clone()).unwrap_or_default(),
                };
                if !params.is_empty() {
                    error.insert("invalidParams".into(), json!(params));
                }
            }
            Failure::Json { path, line, column, .. } => {
                error.insert("file".into(), json!(path.display().to_string()));
                error.insert("line".into(), json!(line));
                error.insert("column".into(), json!(column));
            }
            Failure::File { path, .. } | Failure::Content { path, .. } => {
                error.insert("file".into(), json!(path.display().to_string()));
            }
            Failure::Usage(_) | Failure::Config(_) | Failure::Output(_) => {}
            Failure::Outbox(e) => {
                if let OutboxError::Conflict { id, .. } | OutboxError::Refused { id, .. } | OutboxError::NotFound(id) = e {
                    error.insert("delivery".into(), json!(id));
                }
            }
        }
        error.insert("message".into(), json!(self.message()));
        json!({ "error": error })
    }
}
