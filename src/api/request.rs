//! What a handle asks the client to send: one operation, the values its
//! path takes, a body, the call's options, and which answers the handle
//! reads itself. `Client::send` makes it a call and hands it to the
//! transport: the one way from a handle into the transport.

use bytes::Bytes;
use reqwest::StatusCode;

use crate::operation::Operation;
use crate::transport::{CallOptions, Limits};

/// Which answers the handle reads itself; any other that is not a success
/// is an error before the handle sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Reads {
    /// Successes only.
    Successes,
    /// Successes and these statuses (a receipt's 409, reconciled).
    Also(&'static [StatusCode]),
    /// Every answer (the go-live check's probes, which judge the status).
    Every,
}

/// One operation's request, as a handle asks for it.
#[derive(Debug)]
pub(crate) struct Request<'a> {
    pub(crate) op: Operation,
    pub(crate) payment_type: &'a str,
    pub(crate) id: Option<&'a str>,
    pub(crate) query: Option<(&'static str, &'a str)>,
    pub(crate) body: Option<Bytes>,
    pub(crate) options: &'a CallOptions,
    pub(crate) within: Option<&'a Limits>,
    pub(crate) reads: Reads,
}

impl<'a> Request<'a> {
    /// `op` under `options`, with no path values, query or body: its own
    /// limits, successes only.
    pub(crate) fn new(op: Operation, options: &'a CallOptions) -> Request<'a> {
        Request {
            op,
            payment_type: "",
            id: None,
            query: None,
            body: None,
            options,
            within: None,
            reads: Reads::Successes,
        }
    }

    /// The payment type for `{paymentType}`.
    pub(crate) fn payment_type(mut self, payment_type: &'a str) -> Self {
        self.payment_type = payment_type;
        self
    }

    /// The order or category id for `{orderId}` or `{categoryId}`.
    pub(crate) fn id(mut self, id: &'a str) -> Self {
        self.id = Some(id);
        self
    }

    /// One query parameter.
    pub(crate) fn query(mut self, name: &'static str, value: &'a str) -> Self {
        self.query = Some((name, value));
        self
    }

    /// The body, as sent.
    pub(crate) fn body(mut self, body: Bytes) -> Self {
        self.body = Some(body);
        self
    }

    /// Within the limits of an enclosing call.
    pub(crate) fn within(mut self, limits: &'a Limits) -> Self {
        self.within = Some(limits);
        self
    }

    /// Which answers the handle reads itself.
    pub(crate) fn reads(mut self, reads: Reads) -> Self {
        self.reads = reads;
        self
    }
}
