//! Users (`/api/v2/users/users`): accounts of experts, customers and admins.

use serde::Deserialize;
use serde_json::{Map, Value};

/// A user account as the API returns it. `raw` holds the whole object, unknown fields included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// The account id (the integrator's `flexperto_account_id`).
    pub id: String,
    /// The e-mail, the unique key of an account.
    pub email: String,
    /// `expert`, `customer` or `admin`, when given.
    pub role: Option<String>,
    /// Whether the e-mail is confirmed, when the API says.
    pub email_confirmed: Option<bool>,
    /// The object as received.
    pub raw: String,
}

/// The checked part of a user object.
#[derive(Deserialize)]
pub(crate) struct UserWire {
    #[serde(deserialize_with = "super::id_string")]
    pub id: String,
    pub email: String,
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default, rename = "firstName")]
    pub _first_name: Option<String>,
    #[serde(default, rename = "lastName")]
    pub _last_name: Option<String>,
    #[serde(default, rename = "emailConfirmed")]
    pub email_confirmed: Option<bool>,
}

/// A page of users, normalized to `{ "items": [...] , ...}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserList {
    /// The users of this page.
    pub items: Vec<User>,
    /// The page as JSON, `items` first; other envelope fields (`total`, ...) kept.
    pub raw: String,
}

/// The account to create.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewUser {
    /// The e-mail (required, unique).
    pub email: String,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Role; `expert` when not given.
    pub role: Option<String>,
    /// Further fields, sent as given.
    pub extra: Map<String, Value>,
}

/// Query of ListUsers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListUsersQuery {
    /// Only this role.
    pub role: Option<String>,
    /// Only this e-mail.
    pub email: Option<String>,
    /// Page size (1..=100).
    pub limit: Option<u32>,
    /// Items to skip.
    pub offset: Option<u32>,
}
