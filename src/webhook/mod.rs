//! Webhooks: callback URL checks, IP blocks, and the verifier of unsigned deliveries.

pub mod ip;
pub mod url;
pub mod verify;

pub use url::validate_callback_url;
pub use verify::{verify, ArchiveEvent, Delivery, Verified, VerifierConfig};

/// Formats 24 random bytes as a 32-character base64url secret (192 bits) for a callback path.
pub fn format_secret(random: &[u8; 24]) -> String {
    crate::b64::encode(random)
}
