//! The API client: builds requests, sends them through a [`Transport`], retries by the
//! [`RetryPolicy`], and parses the answers. Generic over the transport, so it runs natively in
//! tests and over `fetch` in wasm.
//!
//! This file holds what every call shares (`execute`: retries, hooks, per-call options) and the
//! guide's flows over several endpoints (`ensure_expert`, `start_video_call`, `check_spec`). The
//! method of each endpoint sits with its builder and parser in `crate::api::<resource>`.

use crate::api::{self, users, ApiRequest, ApiResponse, Operation};
use crate::config::ClientConfig;
use crate::error::{ApiError, Error, NetworkError, ValidationError};
use crate::models::meetings::{Meeting, MeetingRequest, Participant};
use crate::models::users::{ListUsersQuery, NewUser, User};
use crate::retry::{Decision, Outcome, RetryPolicy};
use crate::transport::{CallOptions, Outgoing, Phase, RequestEvent, Transport, TransportFailure};
use std::sync::Arc;

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

/// Options of [`Client::ensure_expert_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnsureExpertOptions {
    /// The guide's `supressMails` on every call that may mail the expert (CreateUser,
    /// ConfirmEmail). Default true, as the guide recommends for this use case.
    pub suppress_mails: bool,
    /// Also confirm the e-mail of an account that was found rather than created (when the
    /// account does not say it is confirmed). Default false: the guide stops once the expert
    /// is found.
    pub confirm_existing: bool,
}

impl Default for EnsureExpertOptions {
    fn default() -> Self {
        Self {
            suppress_mails: true,
            confirm_existing: false,
        }
    }
}

/// The expert of a video call: an account id already stored, or the data to provision one.
#[derive(Debug, Clone, PartialEq)]
pub enum ExpertRef {
    /// The expert's `flexperto_account_id`.
    AccountId(String),
    /// Find or create the expert first ([`Client::ensure_expert`]).
    Provision(NewUser),
}

/// The result of [`Client::start_video_call`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VideoCall {
    /// The reserved meeting.
    pub meeting: Meeting,
    /// The expert's account id.
    pub expert_account_id: String,
    /// What provisioning did, when the expert was given by e-mail.
    pub provisioned: Option<EnsuredExpert>,
}

/// `start_video_call` makes links valid from this long before now (clock skew between hosts).
pub const CALL_START_GRACE_MS: i64 = 60_000;

/// Longest validity `start_video_call` accepts: one week.
pub const MAX_CALL_MINUTES: u32 = 7 * 24 * 60;

/// A Flexperto API client.
#[derive(Debug)]
pub struct Client<T> {
    config: Arc<ClientConfig>,
    policy: RetryPolicy,
    transport: T,
    call: CallOptions,
}

impl<T: Transport> Client<T> {
    /// A client for `config` over `transport`.
    pub fn new(config: ClientConfig, transport: T) -> Self {
        let policy = RetryPolicy {
            max_retries: config.max_retries,
            ..RetryPolicy::default()
        };
        Self {
            config: Arc::new(config),
            policy,
            transport,
            call: CallOptions::default(),
        }
    }

    /// This client for one call: the same configuration and retry policy, over `transport` (e.g.
    /// one holding the call's cancellation signal), with the call's timeout and headers. Cheap:
    /// the configuration is shared, not copied.
    pub fn scoped<U: Transport>(&self, transport: U, call: CallOptions) -> Client<U> {
        Client {
            config: Arc::clone(&self.config),
            policy: self.policy,
            transport,
            call,
        }
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        &self.transport
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
        let timeout_ms = self.call.timeout_ms.unwrap_or(self.config.timeout_ms);
        let observing = self.transport.observing();
        // Built only for hooks: nothing is formatted when none is set.
        let url = if observing {
            format!("{}{}", self.config.base_url, req.path_and_query)
        } else {
            String::new()
        };
        loop {
            if self.transport.aborted() {
                return Err(Error::Aborted {
                    operation: req.operation.name(),
                });
            }
            let started = if observing {
                self.observe(Phase::Request, req, &url, retries, 0.0, None, None);
                self.transport.now_ms()
            } else {
                0.0
            };
            let sent = self
                .transport
                .send(Outgoing {
                    base_url: &self.config.base_url,
                    request: req,
                    api_key: self.config.api_key.expose(),
                    timeout_ms,
                    headers: &self.call.headers,
                    user_agent: &self.config.user_agent,
                })
                .await;
            if observing {
                let (status, error) = match &sent {
                    Ok(r) => (Some(r.status), None),
                    Err(TransportFailure::Timeout) => (None, Some("TIMEOUT")),
                    Err(TransportFailure::Aborted) => (None, Some("ABORTED")),
                    Err(TransportFailure::Failed(_)) => (None, Some("NETWORK")),
                };
                let took = (self.transport.now_ms() - started).max(0.0);
                self.observe(Phase::Response, req, &url, retries, took, status, error);
            }
            let sent = match sent {
                Ok(r) if (200..400).contains(&r.status) => return Ok(r),
                Err(TransportFailure::Aborted) => {
                    return Err(Error::Aborted {
                        operation: req.operation.name(),
                    })
                }
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
                            timeout_ms,
                        }),
                        Err(TransportFailure::Aborted) => Error::Aborted {
                            operation: req.operation.name(),
                        },
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

    #[allow(clippy::too_many_arguments)]
    fn observe(
        &self,
        phase: Phase,
        req: &ApiRequest,
        url: &str,
        retries: u32,
        duration_ms: f64,
        status: Option<u16>,
        error: Option<&'static str>,
    ) {
        let request_id = match phase {
            Phase::Response => self.transport.last_request_id(),
            Phase::Request => None,
        };
        self.transport.observe(
            phase,
            &RequestEvent {
                operation_id: req.operation.name(),
                method: req.method.as_str(),
                url,
                status,
                duration_ms,
                attempt: retries + 1,
                request_id: request_id.as_deref(),
                error,
            },
        );
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

    /// The guide's expert provisioning with default options but `suppress_mails`:
    /// [`Client::ensure_expert_with`].
    ///
    /// # Errors
    /// As [`Client::ensure_expert_with`].
    pub async fn ensure_expert(
        &self,
        expert: &NewUser,
        suppress_mails: bool,
    ) -> Result<EnsuredExpert, Error> {
        let options = EnsureExpertOptions {
            suppress_mails,
            ..EnsureExpertOptions::default()
        };
        self.ensure_expert_with(expert, options).await
    }

    /// The guide's expert provisioning: find the expert by e-mail and stop there, as the guide
    /// says; or create the account (mails suppressed unless asked otherwise) and confirm its
    /// e-mail. A found account's e-mail is confirmed only with `confirm_existing` (and only
    /// when the account does not say it is confirmed). Idempotent; when two calls race, the
    /// loser of the create conflict finds the winner's account.
    ///
    /// # Errors
    /// [`Error::Validation`] for a bad e-mail or a role other than expert; `CONFLICT` when the
    /// e-mail belongs to an account that is not an expert; otherwise as [`Client::execute`].
    pub async fn ensure_expert_with(
        &self,
        expert: &NewUser,
        options: EnsureExpertOptions,
    ) -> Result<EnsuredExpert, Error> {
        let suppress_mails = options.suppress_mails;
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
        let confirm = created || options.confirm_existing;
        let confirmed = if !confirm || account.email_confirmed == Some(true) {
            false
        } else {
            match self
                .confirm_email_with(&account.id, Some(suppress_mails))
                .await
            {
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

    pub(crate) fn now_ms(&self) -> i64 {
        self.transport.now_ms() as i64
    }

    /// The CRM button in one call: ensures the expert (unless given by account id), then reserves
    /// a meeting with the customer as its participant, valid from now for `valid_for_minutes`
    /// (and from [`CALL_START_GRACE_MS`] before now, so that the links work at once).
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` for a validity outside 1..=10080 minutes; otherwise as
    /// [`Client::ensure_expert`] and [`Client::reserve_meeting`].
    pub async fn start_video_call(
        &self,
        expert: &ExpertRef,
        customer: Participant,
        valid_for_minutes: u32,
        extra: serde_json::Map<String, serde_json::Value>,
    ) -> Result<VideoCall, Error> {
        self.start_video_call_with(expert, customer, valid_for_minutes, extra, None)
            .await
    }

    /// [`Client::start_video_call`] with the guide's `supressMails`: `Some(s)` is sent on every
    /// call it makes that may send mail (CreateUser, ConfirmEmail, the reservation); `None`
    /// suppresses the expert's mails (as [`Client::ensure_expert`] does by default) and sends
    /// no parameter with the reservation.
    ///
    /// # Errors
    /// As [`Client::start_video_call`].
    pub async fn start_video_call_with(
        &self,
        expert: &ExpertRef,
        customer: Participant,
        valid_for_minutes: u32,
        extra: serde_json::Map<String, serde_json::Value>,
        suppress_mails: Option<bool>,
    ) -> Result<VideoCall, Error> {
        if !(1..=MAX_CALL_MINUTES).contains(&valid_for_minutes) {
            return Err(ValidationError::InvalidArgument {
                field: "validForMinutes".into(),
                reason: "must be from 1 to 10080 (one week)".into(),
            }
            .into());
        }
        if let Some(email) = &customer.email {
            // Checked before the expert is provisioned: a refused call changes nothing.
            if !crate::models::is_valid_email(email) {
                return Err(ValidationError::InvalidEmail {
                    field: "customer.email".into(),
                }
                .into());
            }
        }
        let (account_id, provisioned) = match expert {
            ExpertRef::AccountId(id) => {
                api::check_id("accountId", id)?;
                (id.clone(), None)
            }
            ExpertRef::Provision(new_user) => {
                let e = self
                    .ensure_expert(new_user, suppress_mails.unwrap_or(true))
                    .await?;
                (e.account_id.clone(), Some(e))
            }
        };
        let now = self.now_ms();
        let meeting = self
            .reserve_meeting(&MeetingRequest {
                moderator_account_id: account_id.clone(),
                participants: vec![customer],
                // The expert is sent to the link right away: a platform clock a little behind
                // ours, or one that rounds to whole seconds, must not make it "not yet valid".
                not_before_ms: Some(now - CALL_START_GRACE_MS),
                valid_until_ms: Some(now + i64::from(valid_for_minutes) * 60_000),
                extra,
                suppress_mails,
                link_fields: Default::default(),
            })
            .await?;
        Ok(VideoCall {
            meeting,
            expert_account_id: account_id,
            provisioned,
        })
    }

    /// GetSpec: fetches the tenant's OpenAPI 2.0 document and compares it with the contract
    /// shipped in the SDK ([`crate::drift`]): what is missing on either side, moved paths with the
    /// `routes` override that fixes each, required fields, types and query parameters. A move
    /// that this client's `routes` already follow is reported, but not as breaking.
    ///
    /// # Errors
    /// As [`Client::execute`]; [`Error::Spec`] when the tenant's document is not OpenAPI 2.0.
    pub async fn check_spec(&self) -> Result<crate::drift::DriftReport, Error> {
        let path = api::build_path(&self.config.routes, Operation::GetSpec, &[], &[])?;
        let resp = self
            .execute(&ApiRequest::new(Operation::GetSpec, path, None))
            .await?;
        Ok(crate::drift::check_with_routes(
            &resp.body,
            &self.config.routes,
        )?)
    }
}
