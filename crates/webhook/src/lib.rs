//! The hot path of flexperto-sdk's webhook verifier: the secret path segment, the source address
//! (CIDR allowlists), the content type and size, and a one-pass JSON scanner for the
//! notification schema. It is a crate of its own only so that the
//! release build can optimise it for speed (`opt-level = 3`) while the rest of the SDK is
//! optimised for size; it has no dependency but `thiserror`. Use it through `flexperto-sdk`.

#![deny(missing_docs)]

mod error;
pub mod ip;
mod scan;
mod secret;
pub mod verify;

pub use error::{WebhookError, WebhookErrorCode};
pub use secret::secret_bits;
pub use verify::{Delivery, Field, VerifiedParts, VerifierConfig, FIELD_COUNT};
