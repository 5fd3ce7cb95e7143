//! What a command prints: readable lines for people, or one JSON document
//! for scripts (`--json`); errors on stderr in the same form.

use std::io::Write as _;

use serde_json::Value;

use crate::failure::Failure;

/// A command's result, in both forms, and the exit code it ends with.
pub struct Output {
    /// For people.
    pub text: String,
    /// For scripts: printed as it is when it is a string of JSON text
    /// ([`Output::raw`]), else serialized.
    pub json: Json,
    /// 0, or 1 for a result that says something failed (a go-live check).
    pub exit_code: u8,
}

pub enum Json {
    Value(Value),
    /// JSON text to print unchanged (an answer as the service sent it).
    Raw(String),
}

impl Output {
    pub fn new(text: impl Into<String>, json: Value) -> Output {
        Output {
            text: text.into(),
            json: Json::Value(json),
            exit_code: 0,
        }
    }

    pub fn raw(text: impl Into<String>, json_text: String) -> Output {
        Output {
            text: text.into(),
            json: Json::Raw(json_text),
            exit_code: 0,
        }
    }
}

/// Where and how to print: readable text, or JSON (`--json`).
#[derive(Clone, Copy)]
pub struct Printer {
    pub json: bool,
}

impl Printer {
    /// Prints the result. A closed pipe (`| head`) is no failure; any
    /// other write error is, since the result is lost.
    pub fn success(self, output: &Output) -> Result<(), Failure> {
        self.success_on(output, &mut std::io::stdout().lock())
    }

    /// Prints the result on `out` (a server whose stdout carries something
    /// else prints its banner on stderr).
    pub fn success_on(self, output: &Output, out: &mut dyn std::io::Write) -> Result<(), Failure> {
        let written = if self.json {
            match &output.json {
                Json::Raw(text) => writeln!(out, "{}", text.trim_end()),
                Json::Value(v) => writeln!(out, "{}", serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string())),
            }
        } else if output.text.ends_with('\n') {
            write!(out, "{}", output.text)
        } else {
            writeln!(out, "{}", output.text)
        };
        match written.and_then(|()| out.flush()) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Failure::Output(e)),
            _ => Ok(()),
        }
    }

    pub fn failure(self, failure: &Failure) {
        let mut err = std::io::stderr().lock();
        let _ = if self.json {
            writeln!(err, "{}", failure.to_json())
        } else {
            writeln!(err, "error: {}", failure.message())
        };
    }
}
