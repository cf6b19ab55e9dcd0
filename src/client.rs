//! The API client: builds requests, sends them through a [`Transport`], retries by the
//! [`RetryPolicy`], and parses the answers. Generic over the transport, so it runs natively in
//! tests and over `fetch` in wasm.

use crate::api::{self, users, ApiRequest, ApiResponse, Operation};
use crate::config::ClientConfig;
use crate::error::{ApiError, Error, NetworkError, ValidationError};
use crate::models::users::{ListUsersQuery, NewUser, User, UserList};
use crate::retry::{Decision, Outcome, RetryPolicy};
use crate::transport::{Outgoing, Transport, TransportFailure};

/// The result of [`Client::ensure_expert`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnsuredExpert {
    /// The expert's account id (store it as `flexperto_account_id`).
    pub account_id: String,
    /// Whether this call created the account.
    pub created: bool,
    /// Whether this call confirmed the e-mail (false when it was already confirmed).
    pub confirmed: bool,
}

/// A Flexperto API client.
#[derive(Debug)]
pub struct Client<T> {
    config: ClientConfig,
    policy: RetryPolicy,
    transport: T,
}

impl<T: Transport> Client<T> {
    /// A client for `config` over `transport`.
    pub fn new(config: ClientConfig, transport: T) -> Self {
        let policy = RetryPolicy {
            max_retries: config.max_retries,
            ..RetryPolicy::default()
        };
        Self {
            config,
            policy,
            transport,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// Replaces the retry policy (the number of retries stays the configured one).
    pub fn set_retry_policy(&mut self, policy: RetryPolicy) {
        self.policy = RetryPolicy {
            max_retries: self.config.max_retries,
            ..policy
        };
    }

    /// Sends `req`, retrying by the policy, and returns the first answer with a 2xx or 3xx status.
    ///
    /// # Errors
    /// [`Error::Network`] when no answer came, [`Error::Api`] for an error status.
    pub async fn execute(&self, req: &ApiRequest) -> Result<ApiResponse, Error> {
        let mut retries = 0;
        loop {
            let sent = self
                .transport
                .send(Outgoing {
                    base_url: &self.config.base_url,
                    request: req,
                    api_key: self.config.api_key.expose(),
                    timeout_ms: self.config.timeout_ms,
                })
                .await;
            let sent = match sent {
                Ok(r) if (200..400).contains(&r.status) => return Ok(r),
                other => other,
            };
            let outcome = match &sent {
                Ok(r) => Outcome::Status(r.status, r.retry_after.as_deref()),
                Err(_) => Outcome::NoAnswer,
            };
            let decision = self.policy.decide(
                retries,
                req.idempotent,
                outcome,
                self.transport.now_ms(),
                self.transport.random(),
            );
            match decision {
                Decision::Retry { delay_ms } => {
                    retries += 1;
                    self.transport.sleep(delay_ms).await;
                }
                Decision::Stop => {
                    return Err(match sent {
                        Ok(resp) => {
                            let mut e = api::error_from_response(
                                req.operation,
                                &resp,
                                self.config.api_key.expose(),
                            );
                            e.retry_after_ms = resp.retry_after.as_deref().and_then(|v| {
                                crate::retry::parse_retry_after_ms(v, self.transport.now_ms())
                            });
                            Error::Api(e)
                        }
                        Err(TransportFailure::Timeout) => Error::Network(NetworkError::Timeout {
                            operation: req.operation.name(),
                            timeout_ms: self.config.timeout_ms,
                        }),
                        Err(TransportFailure::Failed(message)) => {
                            Error::Network(NetworkError::Failed {
                                operation: req.operation.name(),
                                message: message
                                    .replace(self.config.api_key.expose(), "[REDACTED]"),
                            })
                        }
                    });
                }
            }
        }
    }

    /// ListUsers: one page of users.
    ///
    /// # Errors
    /// [`Error::Validation`] before sending; otherwise as [`Client::execute`], and `INVALID_RESPONSE`.
    pub async fn list_users(&self, q: &ListUsersQuery) -> Result<UserList, Error> {
        let req = users::list_users(&self.config.routes, q)?;
        let resp = self.execute(&req).await?;
        Ok(users::parse_list_users(&resp)?)
    }

    /// CreateUser, with mails suppressed unless `suppress_mails` is false.
    ///
    /// # Errors
    /// As [`Client::list_users`]; a taken e-mail is an [`ApiError`] with code `CONFLICT`.
    pub async fn create_user(&self, user: &NewUser, suppress_mails: bool) -> Result<User, Error> {
        let req = users::create_user(
            &self.config.routes,
            &self.config.suppress_mails_param,
            user,
            suppress_mails,
        )?;
        self.send_create(req).await
    }

    async fn send_create(&self, req: ApiRequest) -> Result<User, Error> {
        let resp = self.execute(&req).await?;
        users::parse_user(Operation::CreateUser, &resp)?.ok_or_else(|| {
            Error::Api(api::invalid_response(
                Operation::CreateUser,
                resp.status,
                "empty body",
            ))
        })
    }

    /// ConfirmEmail for the account `user_id`. Returns the account when the API sends it back.
    ///
    /// # Errors
    /// As [`Client::list_users`].
    pub async fn confirm_email(&self, user_id: &str) -> Result<Option<User>, Error> {
        let req = users::confirm_email(&self.config.routes, user_id)?;
        let resp = self.execute(&req).await?;
        Ok(users::parse_user(Operation::ConfirmEmail, &resp)?)
    }

    async fn find_expert(&self, email: &str) -> Result<Option<User>, Error> {
        let page = self
            .list_users(&ListUsersQuery {
                role: Some("expert".into()),
                email: Some(email.to_owned()),
                limit: Some(1),
                offset: None,
            })
            .await?;
        // A server that ignored the filter must not hand us somebody else's account.
        Ok(page
            .items
            .into_iter()
            .find(|u| u.email.eq_ignore_ascii_case(email)))
    }

    /// The guide's expert provisioning: find the expert by e-mail, or create the account (mails
    /// suppressed unless asked otherwise), then confirm the e-mail unless the account says it is
    /// confirmed already. Idempotent; when two calls race, the loser of the create conflict finds
    /// the winner's account.
    ///
    /// # Errors
    /// [`Error::Validation`] for a bad e-mail or a role other than expert; `CONFLICT` when the
    /// e-mail belongs to an account that is not an expert; otherwise as [`Client::execute`].
    pub async fn ensure_expert(
        &self,
        expert: &NewUser,
        suppress_mails: bool,
    ) -> Result<EnsuredExpert, Error> {
        if expert.role.as_deref().is_some_and(|r| r != "expert") {
            return Err(ValidationError::InvalidArgument {
                field: "role".into(),
                reason: "ensureExpert provisions experts only".into(),
            }
            .into());
        }
        let (account, created) = match self.find_expert(&expert.email).await? {
            Some(u) => (u, false),
            None => {
                let mut req = users::create_user(
                    &self.config.routes,
                    &self.config.suppress_mails_param,
                    expert,
                    suppress_mails,
                )?;
                // A repeated create cannot make a second account: it conflicts, and the conflict
                // is resolved below. So the create is safe to retry within this routine.
                req.idempotent = true;
                match self.send_create(req).await {
                    Ok(u) => (u, true),
                    Err(Error::Api(e)) if e.is_conflict() => match self.find_expert(&expert.email).await? {
                        Some(u) => (u, false),
                        None => {
                            return Err(Error::Api(ApiError {
                                message: "ensureExpert: the e-mail belongs to an account that is not an expert".into(),
                                ..e
                            }))
                        }
                    },
                    Err(e) => return Err(e),
                }
            }
        };
        let confirmed = if account.email_confirmed == Some(true) {
            false
        } else {
            match self.confirm_email(&account.id).await {
                Ok(_) => true,
                Err(Error::Api(e)) if e.is_conflict() => false,
                Err(e) => return Err(e),
            }
        };
        Ok(EnsuredExpert {
            account_id: account.id,
            created,
            confirmed,
        })
    }
}
