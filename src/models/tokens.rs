//! API tokens (`/api/v2/auth/tokens`): the keys integrations authenticate with.

use std::fmt;

/// A token's record; never the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// The token's id (for revoking).
    pub id: String,
    /// The object as received.
    pub raw: String,
}

/// A token just created: the only time the API returns its secret.
#[derive(Clone, PartialEq, Eq)]
pub struct CreatedApiToken {
    /// The record.
    pub record: ApiToken,
    /// The secret (a JWT): store it now, it cannot be read again.
    pub token: String,
}

impl fmt::Debug for CreatedApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreatedApiToken")
            .field("id", &self.record.id)
            .field("token", &"[REDACTED]")
            .finish()
    }
}

/// A token to create.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewApiToken {
    /// A name to recognize it by (1 to 100 characters).
    pub name: String,
    /// The user it acts as (admins may create tokens for others); the caller when `None`.
    pub user_id: Option<String>,
    /// Expiry (Unix ms); at most 2 years ahead. The platform's default (2 years) when `None`.
    pub expires_at_ms: Option<i64>,
}
