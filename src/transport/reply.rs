//! What a call ended with: a success, or an error status it did not retry,
//! and how its body is read.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::{Error, ErrorBody};
use crate::operation::Operation;
use crate::text::shorten;

/// The answer the call ended with (success, or a status not retried).
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) op: Operation,
    pub(crate) status: StatusCode,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) body: Bytes,
    /// The body went on past its cap and was cut there.
    pub(crate) truncated: bool,
    /// The cap the body was read under.
    pub(crate) cap: usize,
    /// An earlier attempt may have taken effect (no answer after sending,
    /// or a 5xx), so a 409 may be this call's own write.
    pub(crate) after_unknown_outcome: bool,
}

impl Reply {
    /// The reply when it is a success whose whole body was read, else its
    /// error: an answer past its cap is never taken as a success.
    pub(crate) fn success(self) -> Result<Reply, Error> {
        if !self.status.is_success() {
            return Err(self.error());
        }
        self.whole()
    }

    /// The reply when its whole body was read, whatever its status, else a
    /// decode error: an answer past its cap is not the service's.
    pub(crate) fn whole(self) -> Result<Reply, Error> {
        if self.truncated {
            return Err(self.malformed(&format!(
                "the answer is larger than {} bytes, the most this client reads of an answer to {}",
                self.cap,
                self.op.describe()
            )));
        }
        Ok(self)
    }

    /// The error this reply stands for.
    pub(crate) fn error(&self) -> Error {
        let body = ErrorBody::parse(&self.body);
        match self.status {
            StatusCode::UNAUTHORIZED => Error::Auth { status: self.status, body },
            StatusCode::FORBIDDEN if self.op == Operation::FetchToken => Error::Auth { status: self.status, body },
            status => Error::Api {
                operation: self.op,
                status,
                body,
                retry_after: self.retry_after,
                uncertain: self.after_unknown_outcome,
            },
        }
    }

    /// Decodes a JSON body (of a reply that [`Reply::success`] passed).
    pub(crate) fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_slice(&self.body).map_err(|source| self.undecodable(source))
    }

    /// A decode error for this reply: a body that decoded but is unusable.
    pub(crate) fn malformed(&self, reason: &str) -> Error {
        self.undecodable(<serde_json::Error as serde::de::Error>::custom(reason))
    }

    /// The decode error with the start of the body, except for the token
    /// endpoint, whose body may hold the access token.
    fn undecodable(&self, source: serde_json::Error) -> Error {
        let snippet = match self.op {
            Operation::FetchToken => "[the token endpoint's answer is not shown]".to_owned(),
            _ => shorten(&String::from_utf8_lossy(&self.body), 200),
        };
        Error::Decode {
            operation: self.op,
            status: self.status,
            snippet,
            source: Arc::new(source),
        }
    }

    /// A success body that may be a JSON string, plain text or empty.
    pub(crate) fn text(&self) -> Option<String> {
        let raw = self.body.trim_ascii();
        if raw.is_empty() {
            return None;
        }
        match serde_json::from_slice::<String>(raw) {
            Ok(s) => Some(s),
            Err(_) => Some(String::from_utf8_lossy(raw).into_owned()),
        }
    }
}
