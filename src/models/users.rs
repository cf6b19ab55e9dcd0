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

/// The checked part of a user object: the TypeScript `User` is generated from it (unknown fields
/// are passed on as the API sent them).
#[derive(Deserialize)]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js-client"),
    derive(tsify::Tsify)
)]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js-client"),
    tsify(rename = "User")
)]
pub struct UserWire {
    /// The account id: store it as `flexperto_account_id`.
    #[serde(deserialize_with = "super::id_string")]
    pub id: String,
    /// The unique key of an account.
    pub email: String,
    /// `expert`, `customer` or `admin`.
    #[serde(default)]
    #[cfg_attr(
        all(target_arch = "wasm32", feature = "js-client"),
        tsify(optional, type = "UserRole")
    )]
    pub role: Option<String>,
    /// First name.
    #[serde(default, rename = "firstName")]
    #[cfg_attr(all(target_arch = "wasm32", feature = "js-client"), tsify(optional))]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default, rename = "lastName")]
    #[cfg_attr(all(target_arch = "wasm32", feature = "js-client"), tsify(optional))]
    pub last_name: Option<String>,
    /// Whether the e-mail is confirmed.
    #[serde(default, rename = "emailConfirmed")]
    #[cfg_attr(all(target_arch = "wasm32", feature = "js-client"), tsify(optional))]
    pub email_confirmed: Option<bool>,
}

/// A page of users as JS receives it (the envelope's other fields are kept).
#[cfg(all(target_arch = "wasm32", feature = "js-client"))]
#[derive(tsify::Tsify)]
#[tsify(rename = "UserList")]
pub struct UserListWire {
    /// The users of this page.
    #[tsify(type = "User[]")]
    pub items: Vec<UserWire>,
    /// How many users match, when the server says.
    #[tsify(optional)]
    pub total: Option<f64>,
    /// The page size.
    #[tsify(optional)]
    pub limit: Option<f64>,
    /// Users skipped.
    #[tsify(optional)]
    pub offset: Option<f64>,
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
