//! TLS for the `rustls` feature: rustls with the ring crypto provider and
//! the platform's certificate verifier, handed to reqwest as a ready
//! configuration. No process-wide crypto provider is installed, so an
//! application's own choice (aws-lc-rs, another ring) is never disturbed.

use std::sync::Arc;

use crate::error::Error;

/// The TLS configuration of the HTTP clients this crate builds: made once
/// per process (setting up the platform's verifier is the slow part of
/// building a client), then cloned (its parts are shared).
pub(crate) fn rustls_config() -> Result<rustls::ClientConfig, Error> {
    static CONFIG: std::sync::OnceLock<Result<rustls::ClientConfig, Error>> = std::sync::OnceLock::new();
    CONFIG.get_or_init(make_config).clone()
}

fn make_config() -> Result<rustls::ClientConfig, Error> {
    // rustls 0.23.48 deprecates the ring provider (no post-quantum key
    // exchange); it stays this crate's choice, measured in CHANGELOG.md,
    // so that a newer rustls in a merchant's lock file builds as before.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = rustls_platform_verifier::Verifier::new(provider.clone())
        .map_err(|e| Error::config(format!("the platform's TLS certificate verifier could not be set up: {e}")))?;
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::config(format!("the TLS protocol versions could not be set: {e}")))?
        .dangerous() // the platform verifier: the standard checks, with the system's roots
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    // HTTP/2 when the server offers it, else HTTP/1.1.
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_config_builds_with_ring_and_alpn() {
        let config = super::rustls_config().unwrap();
        assert_eq!(config.alpn_protocols, vec![b"h2".to_vec(), b"http/1.1".to_vec()]);
        assert!(
            rustls::crypto::CryptoProvider::get_default().is_none(),
            "no process-wide provider was installed"
        );
    }
}
