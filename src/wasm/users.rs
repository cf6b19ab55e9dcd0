//! Users: listUsers, createUser, confirmEmail, ensureExpert.

use js_sys::Promise;
use serde::Deserialize;
use serde_json::{Map, Value};
use tsify::Tsify;
use wasm_bindgen::prelude::*;

use super::client::JsClient;
use super::options_struct;
use super::{call_of, id_arg, input, json_out, options_arg, promise, reject};
use crate::client;
use crate::models::users as m;

/// The query of listUsers.
#[derive(Debug, Default, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ListUsersQuery {
    /// Only this role.
    #[serde(default)]
    #[tsify(optional, type = "UserRole")]
    pub role: Option<String>,
    /// Only this e-mail.
    #[serde(default)]
    #[tsify(optional)]
    pub email: Option<String>,
    /// Page size, 1..100.
    #[serde(default)]
    #[tsify(optional)]
    pub limit: Option<u32>,
    /// Users to skip.
    #[serde(default)]
    #[tsify(optional)]
    pub offset: Option<u32>,
}

/// An account to create; further fields are sent as given.
#[derive(Debug, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct NewUser {
    /// The e-mail, the unique key of an account.
    pub email: String,
    /// First name.
    #[serde(default)]
    #[tsify(optional)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default)]
    #[tsify(optional)]
    pub last_name: Option<String>,
    /// `expert` when not given.
    #[serde(default)]
    #[tsify(optional, type = "UserRole")]
    pub role: Option<String>,
    /// Further fields, sent as given.
    #[serde(flatten)]
    #[tsify(type = "Record<string, unknown>")]
    pub extra: Map<String, Value>,
}

impl From<NewUser> for m::NewUser {
    fn from(u: NewUser) -> Self {
        m::NewUser {
            email: u.email,
            first_name: u.first_name,
            last_name: u.last_name,
            role: u.role,
            extra: u.extra,
        }
    }
}

options_struct! {
    /// Options of createUser and ensureExpert (with the per-call options).
    pub struct CreateUserOptions {
        /// Suppress the platform's confirmation e-mail (default true, as the guide recommends).
        #[serde(default)]
        #[tsify(optional)]
        pub suppress_mails: Option<bool>,
    }
}

options_struct! {
    /// Options of ensureExpert (with the per-call options).
    pub struct EnsureExpertOptions {
        /// The guide's `supressMails` on every call that may mail the expert (CreateUser,
        /// ConfirmEmail). Default true, as the guide recommends.
        #[serde(default)]
        #[tsify(optional)]
        pub suppress_mails: Option<bool>,
        /// Also confirm the e-mail of an account that was found, not created (default false: the
        /// guide stops once the expert is found).
        #[serde(default)]
        #[tsify(optional)]
        pub confirm_existing: Option<bool>,
    }
}

options_struct! {
    /// Options of confirmEmail (with the per-call options).
    pub struct ConfirmEmailOptions {
        /// The guide's `supressMails` query parameter; not sent when omitted.
        #[serde(default)]
        #[tsify(optional)]
        pub suppress_mails: Option<bool>,
    }
}

/// The user role.
#[derive(Tsify, Deserialize)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)] // declared for TypeScript (tsify); the value crosses as the API sent it
pub enum UserRole {
    /// An expert (moderates meetings).
    Expert,
    /// A customer.
    Customer,
    /// An administrator.
    Admin,
}

/// What ensureExpert did.
#[derive(Debug, serde::Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct EnsuredExpert {
    /// The expert's account id (`flexperto_account_id`).
    pub account_id: String,
    /// This call created the account.
    pub created: bool,
    /// This call confirmed the e-mail (false when it was confirmed already).
    pub confirmed: bool,
}

impl From<&client::EnsuredExpert> for EnsuredExpert {
    fn from(e: &client::EnsuredExpert) -> Self {
        Self {
            account_id: e.account_id.clone(),
            created: e.created,
            confirmed: e.confirmed,
        }
    }
}

pub(super) fn ensured_js(e: &client::EnsuredExpert) -> JsValue {
    serde_wasm_bindgen::to_value(&EnsuredExpert::from(e)).unwrap_or(JsValue::NULL)
}

fn user_options(arg: &JsValue) -> Result<(bool, super::Call), crate::error::Error> {
    options_arg::<CreateUserOptions>(arg, |o| (o.timeout_ms, o.headers.as_ref()))
        .map(|(o, call)| (o.suppress_mails.unwrap_or(true), call))
}

#[wasm_bindgen(js_class = FlexpertoClient)]
impl JsClient {
    /// ListUsers: `GET /api/v2/users/users`. One page, `{ items, ... }`, unknown fields kept.
    #[wasm_bindgen(js_name = listUsers, unchecked_return_type = "Promise<UserList>")]
    pub fn list_users(
        &self,
        query: Option<super::OptListUsersQuery>,
        options: Option<super::OptRequestOptions>,
    ) -> Promise {
        let args = (|| {
            let q: ListUsersQuery = match query.map(JsValue::from) {
                Some(q) if !q.is_undefined() && !q.is_null() => input::from_js(&q, "query")?,
                _ => ListUsersQuery::default(),
            };
            Ok((q, call_of(options)?))
        })();
        let (q, call) = match args {
            Ok(a) => a,
            Err(e) => return reject(e),
        };
        let q = m::ListUsersQuery {
            role: q.role,
            email: q.email,
            limit: q.limit,
            offset: q.offset,
        };
        let client = self.scoped(call);
        promise(async move { client.list_users(&q).await }, |l| {
            json_out(&l.raw)
        })
    }

    /// CreateUser: `POST /api/v2/users/users?supressMails=...`. Mails are suppressed unless
    /// `{ suppressMails: false }`. A taken e-mail rejects with `ApiError` code `CONFLICT`.
    #[wasm_bindgen(js_name = createUser, unchecked_return_type = "Promise<User>")]
    pub fn create_user(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NewUser")] user: JsValue,
        options: Option<super::OptCreateUserOptions>,
    ) -> Promise {
        let args = (|| {
            let u: NewUser = input::from_js(&user, "user")?;
            Ok((
                m::NewUser::from(u),
                user_options(&options.map(JsValue::from).unwrap_or_default())?,
            ))
        })();
        let (user, (suppress, call)) = match args {
            Ok(a) => a,
            Err(e) => return reject(e),
        };
        let client = self.scoped(call);
        promise(
            async move { client.create_user(&user, suppress).await },
            |u| json_out(&u.raw),
        )
    }

    /// ConfirmEmail: `POST /api/v2/users/users/{userId}/confirm-email`. Resolves to the account
    /// when the API returns it, else `null`.
    #[wasm_bindgen(js_name = confirmEmail, unchecked_return_type = "Promise<User | null>")]
    pub fn confirm_email(
        &self,
        #[wasm_bindgen(js_name = userId, unchecked_param_type = "string")] user_id: JsValue,
        options: Option<super::OptConfirmEmailOptions>,
    ) -> Promise {
        let args = id_arg(&user_id, "userId").and_then(|id| {
            let (o, call) = options_arg::<ConfirmEmailOptions>(
                &options.map(JsValue::from).unwrap_or_default(),
                |o| (o.timeout_ms, o.headers.as_ref()),
            )?;
            Ok((id, o.suppress_mails, call))
        });
        let (id, suppress, call) = match args {
            Ok(a) => a,
            Err(e) => return reject(e),
        };
        let client = self.scoped(call);
        promise(
            async move { client.confirm_email_with(&id, suppress).await },
            |u| u.map_or(JsValue::NULL, |u| json_out(&u.raw)),
        )
    }

    /// The guide's expert provisioning in one call: find the expert by e-mail and stop there,
    /// or create the account (mails suppressed unless `{ suppressMails: false }`) and confirm
    /// its e-mail. `{ confirmExisting: true }` also confirms a found account's e-mail.
    /// Idempotent, and safe when two calls for one e-mail race.
    #[wasm_bindgen(js_name = ensureExpert, unchecked_return_type = "Promise<EnsuredExpert>")]
    pub fn ensure_expert(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NewUser")] expert: JsValue,
        options: Option<super::OptEnsureExpertOptions>,
    ) -> Promise {
        let args = (|| {
            let u: NewUser = input::from_js(&expert, "expert")?;
            let (o, call) = options_arg::<EnsureExpertOptions>(
                &options.map(JsValue::from).unwrap_or_default(),
                |o| (o.timeout_ms, o.headers.as_ref()),
            )?;
            let opts = client::EnsureExpertOptions {
                suppress_mails: o.suppress_mails.unwrap_or(true),
                confirm_existing: o.confirm_existing.unwrap_or(false),
            };
            Ok((m::NewUser::from(u), opts, call))
        })();
        let (expert, opts, call) = match args {
            Ok(a) => a,
            Err(e) => return reject(e),
        };
        let client = self.scoped(call);
        promise(
            async move { client.ensure_expert_with(&expert, opts).await },
            |r| ensured_js(&r),
        )
    }
}
