//! What every handler shares: the [`Console`].

use std::sync::Arc;

use vipps_order_management::Client;

use super::access::Access;
use super::audit::Audit;

/// What every handler shares: the API client (cheap to clone), who may
/// use the console, and the audit log.
#[derive(Debug, Clone)]
pub struct Console {
    pub(super) client: Client,
    pub(super) access: Arc<Access>,
    pub(super) audit: Arc<Audit>,
}

impl Console {
    /// A console reading orders with `client`, letting in whom `access`
    /// lets in, recording lookups in `audit`.
    pub fn new(client: Client, access: Access, audit: Audit) -> Console {
        Console {
            client,
            access: Arc::new(access),
            audit: Arc::new(audit),
        }
    }

    /// Who may use it.
    pub fn access(&self) -> &Access {
        &self.access
    }
}
