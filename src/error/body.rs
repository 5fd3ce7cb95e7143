//! Error bodies as the API or its gateway send them: RFC 7807 problems
//! (with the offending fields), the gateway's `{statusCode, message}`, or
//! text.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::text::{printable, shorten};

/// One field that broke a rule: `{name, reason}` as in the API's
/// `invalidParams`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Violation {
    /// The field, as the API names it (`orderLines[1].unitInfo.quantity`).
    pub name: String,
    /// The rule it broke.
    pub reason: String,
}

impl Violation {
    /// A violation of a rule by a field.
    #[must_use]
    pub fn new(name: impl Into<String>, reason: impl Into<String>) -> Self {
        Violation {
            name: name.into(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name, self.reason)
    }
}

/// An error body as the API or its gateway sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorBody {
    /// An RFC 7807 problem, the API's own error format.
    Problem(Box<Problem>),
    /// The API gateway's `{statusCode, message}`.
    Gateway(GatewayError),
    /// Anything else, as text (cut at 2 KiB).
    Text(String),
    /// No body at all.
    Empty,
}

/// An RFC 7807 `application/problem+json` body. Build one with
/// `Problem::default()` and set its fields.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub problem_type: Option<String>,
    /// A short summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// What went wrong in this case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The occurrence's id (often a trace id): quote it to Vipps MobilePay support.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// The HTTP status the server meant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<i64>,
    /// The offending fields (`invalidParams`, or `extraDetails` in newer APIs).
    #[serde(default, alias = "extraDetails", skip_serializing_if = "Vec::is_empty")]
    pub invalid_params: Vec<Violation>,
}

/// The API gateway's error body.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GatewayError {
    /// The status the gateway meant.
    #[serde(default)]
    pub status_code: Option<i64>,
    /// The gateway's message.
    #[serde(default)]
    pub message: Option<String>,
}

const TEXT_CAP: usize = 2048;
/// The most of a server's problem or message that goes into an error's
/// message (all of it stays in [`Error::body`](crate::Error::body)).
const SUMMARY_CAP: usize = 500;

impl ErrorBody {
    /// Reads an error body: a problem, a gateway body, else text.
    pub fn parse(bytes: &[u8]) -> ErrorBody {
        let trimmed = bytes.trim_ascii();
        if trimmed.is_empty() {
            return ErrorBody::Empty;
        }
        if let Ok(serde_json::Value::Object(map)) = serde_json::from_slice(trimmed) {
            let has = |k: &str| map.contains_key(k);
            if has("title") || has("detail") || has("instance") || has("invalidParams") || has("extraDetails") || has("type") {
                if let Ok(p) = serde_json::from_value::<Problem>(serde_json::Value::Object(map.clone())) {
                    return ErrorBody::Problem(Box::new(p));
                }
            }
            if has("message") || has("statusCode") {
                if let Ok(g) = serde_json::from_value::<GatewayError>(serde_json::Value::Object(map)) {
                    return ErrorBody::Gateway(g);
                }
            }
        }
        ErrorBody::Text(shorten(&String::from_utf8_lossy(trimmed), TEXT_CAP))
    }

    /// The problem, when the body is one.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            ErrorBody::Problem(p) => Some(p),
            _ => None,
        }
    }

    /// The problem's `instance` id, when there is one.
    pub fn instance(&self) -> Option<&str> {
        self.problem().and_then(|p| p.instance.as_deref())
    }

    /// The most useful one-line summary of the body, if any.
    pub(super) fn summary(&self) -> Option<String> {
        match self {
            ErrorBody::Problem(p) => {
                let mut parts: Vec<String> = Vec::new();
                match (&p.title, &p.detail) {
                    (Some(t), Some(d)) if t != d => parts.push(format!("{t} ({d})")),
                    (Some(t), _) => parts.push(t.clone()),
                    (None, Some(d)) => parts.push(d.clone()),
                    (None, None) => {}
                }
                if !p.invalid_params.is_empty() {
                    let fields: Vec<String> = p.invalid_params.iter().map(|v| v.to_string()).collect();
                    parts.push(fields.join("; "));
                }
                (!parts.is_empty()).then(|| shorten(&printable(&parts.join(": ")), SUMMARY_CAP))
            }
            ErrorBody::Gateway(g) => g.message.as_deref().map(|m| shorten(&printable(m), SUMMARY_CAP)),
            ErrorBody::Text(t) => Some(shorten(&printable(t), 200)),
            ErrorBody::Empty => None,
        }
    }
}
