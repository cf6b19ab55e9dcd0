//! The API client: builds requests, sends them through a [`Transport`], retries by the
//! [`RetryPolicy`], and parses the answers. Generic over the transport, so it runs natively in
//! tests and over `fetch` in wasm.

use crate::api::{
    self, archives, meetings, settings, subscriptions, tokens, users, ApiRequest, ApiResponse,
    Operation,
};
use crate::config::ClientConfig;
use crate::error::{ApiError, Error, NetworkError, ValidationError};
use crate::models::archives::{ArchiveList, ArchiveRecord, ListArchivesQuery};
use crate::models::meetings::{Meeting, MeetingRequest, Participant};
use crate::models::settings::{PlatformSettings, SettingsUpdate};
use crate::models::tokens::{ApiToken, CreatedApiToken, NewApiToken};
use crate::models::users::{ListUsersQuery, NewUser, User, UserList};
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
        Ok(users::parse_created_user(&resp)?)
    }

    /// ConfirmEmail for the account `user_id`. Returns the account when the API sends it back.
    ///
    /// # Errors
    /// As [`Client::list_users`].
    pub async fn confirm_email(&self, user_id: &str) -> Result<Option<User>, Error> {
        self.confirm_email_with(user_id, None).await
    }

    /// ConfirmEmail with the guide's `supressMails` query parameter (`None`: not sent).
    ///
    /// # Errors
    /// As [`Client::list_users`].
    pub async fn confirm_email_with(
        &self,
        user_id: &str,
        suppress_mails: Option<bool>,
    ) -> Result<Option<User>, Error> {
        let req = users::confirm_email_with(
            &self.config.routes,
            &self.config.suppress_mails_param,
            user_id,
            suppress_mails,
        )?;
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

    fn now_ms(&self) -> i64 {
        self.transport.now_ms() as i64
    }

    /// Reserves a meeting moderated by an expert, with one link per participant.
    ///
    /// # Errors
    /// [`Error::Validation`] for a bad window or participant e-mail; otherwise as [`Client::execute`].
    pub async fn reserve_meeting(&self, req: &MeetingRequest) -> Result<Meeting, Error> {
        let now = self.now_ms();
        let window = meetings::window(req, now)?;
        let built = meetings::reserve_meeting(
            &self.config.routes,
            &self.config.suppress_mails_param,
            req,
            now,
        )?;
        let resp = self.execute(&built).await?;
        Ok(meetings::parse_meeting(&resp, window, &req.link_fields)?)
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

    /// Reads the platform settings.
    ///
    /// # Errors
    /// As [`Client::execute`].
    pub async fn get_platform_settings(&self) -> Result<PlatformSettings, Error> {
        let req = settings::get_platform_settings(&self.config.routes)?;
        let resp = self.execute(&req).await?;
        Ok(settings::parse_settings(
            Operation::GetPlatformSettings,
            &resp,
        )?)
    }

    /// Updates the switches given. When the update turns one recording mode on without saying
    /// anything of the other, the current settings are read first, and the update is refused if
    /// the other mode is on: the two are mutually exclusive.
    ///
    /// # Errors
    /// `RECORDING_MODES_EXCLUSIVE` before any change; otherwise as [`Client::execute`].
    pub async fn update_platform_settings(
        &self,
        update: &SettingsUpdate,
    ) -> Result<PlatformSettings, Error> {
        let req = settings::update_platform_settings(&self.config.routes, update)?;
        let turns_one_on_blind = (update.automatic_recording == Some(true)
            && update.recording_verbal_consent.is_none())
            || (update.recording_verbal_consent == Some(true)
                && update.automatic_recording.is_none());
        if turns_one_on_blind {
            let current = self.get_platform_settings().await?;
            if settings::would_enable_both(&current.switches, update) {
                return Err(ValidationError::RecordingModesExclusive.into());
            }
        }
        let resp = self.execute(&req).await?;
        Ok(settings::parse_settings(
            Operation::UpdatePlatformSettings,
            &resp,
        )?)
    }

    /// Creates an API token; its secret is in the result, and only there.
    ///
    /// # Errors
    /// [`Error::Validation`] for a bad name or expiry; otherwise as [`Client::execute`].
    pub async fn create_api_token(&self, t: &NewApiToken) -> Result<CreatedApiToken, Error> {
        let req = tokens::create_api_token(&self.config.routes, t, self.now_ms())?;
        let resp = self.execute(&req).await?;
        Ok(tokens::parse_created_token(&resp)?)
    }

    /// Lists API tokens (never their secrets). Returns the records and the list as JSON.
    ///
    /// # Errors
    /// As [`Client::execute`].
    pub async fn list_api_tokens(&self) -> Result<(Vec<ApiToken>, String), Error> {
        let req = tokens::list_api_tokens(&self.config.routes)?;
        let resp = self.execute(&req).await?;
        Ok(tokens::parse_token_list(&resp)?)
    }

    /// Revokes an API token: the platform refuses it from its next call on.
    ///
    /// # Errors
    /// [`Error::Validation`] for a bad id; otherwise as [`Client::execute`].
    pub async fn revoke_api_token(&self, token_id: &str) -> Result<(), Error> {
        let req = tokens::revoke_api_token(&self.config.routes, token_id)?;
        self.execute(&req).await?;
        Ok(())
    }

    /// Registers a webhook for `topic` at `url` (checked first: https, no special-purpose
    /// address, a secret segment). Returns `(id, subscription JSON)`.
    ///
    /// # Errors
    /// [`Error::Webhook`] for a refused URL; otherwise as [`Client::execute`].
    pub async fn create_subscription(
        &self,
        topic: &str,
        url: &str,
        allow_http_loopback: bool,
    ) -> Result<(String, String), Error> {
        let req = subscriptions::create_subscription(
            &self.config.routes,
            topic,
            url,
            allow_http_loopback,
        )?;
        let resp = self.execute(&req).await?;
        Ok(subscriptions::parse_with_id(
            Operation::CreateWebhookSubscription,
            &resp,
        )?)
    }

    /// Lists the tenant's subscriptions (JSON `{ items }`).
    ///
    /// # Errors
    /// As [`Client::execute`].
    pub async fn list_subscriptions(&self) -> Result<String, Error> {
        let req = subscriptions::list_subscriptions(&self.config.routes)?;
        let resp = self.execute(&req).await?;
        Ok(subscriptions::parse_items(
            Operation::ListWebhookSubscriptions,
            &resp,
        )?)
    }

    /// Deletes a subscription. Retries already in flight may still arrive at its URL.
    ///
    /// # Errors
    /// As [`Client::execute`].
    pub async fn delete_subscription(&self, id: &str) -> Result<(), Error> {
        let req = subscriptions::delete_subscription(&self.config.routes, id)?;
        self.execute(&req).await?;
        Ok(())
    }

    /// The 50 latest delivery attempts of a subscription (JSON `{ items }`).
    ///
    /// # Errors
    /// As [`Client::execute`].
    pub async fn subscription_reports(&self, id: &str) -> Result<String, Error> {
        let req = subscriptions::subscription_reports(&self.config.routes, id)?;
        let resp = self.execute(&req).await?;
        Ok(subscriptions::parse_items(
            Operation::ListWebhookSubscriptionReports,
            &resp,
        )?)
    }

    /// ListArchives: one page of the tenant's archive records (admin keys only).
    ///
    /// # Errors
    /// [`Error::Validation`] for a bad limit or status; otherwise as [`Client::execute`], and
    /// `INVALID_RESPONSE` for a record without `id`, `subject.conference_id` or `status`.
    pub async fn list_archives(&self, q: &ListArchivesQuery) -> Result<ArchiveList, Error> {
        let req = archives::list_archives(&self.config.routes, q)?;
        let resp = self.execute(&req).await?;
        Ok(archives::parse_archive_list(&resp)?)
    }

    /// GetArchive: one archive record.
    ///
    /// # Errors
    /// [`Error::Validation`] for an id with `/`, `..` and the like; otherwise as
    /// [`Client::list_archives`].
    pub async fn get_archive(&self, archive_id: &str) -> Result<ArchiveRecord, Error> {
        let req = archives::get_archive(&self.config.routes, archive_id)?;
        let resp = self.execute(&req).await?;
        Ok(archives::parse_archive(Operation::GetArchive, &resp)?)
    }

    /// DownloadArchive without following it: the signed object-storage URL of the file. Fetch it
    /// WITHOUT the api-key header (it is a different host, and the URL carries its own
    /// signature); it expires, so resolve it again when storage refuses it.
    ///
    /// # Errors
    /// As [`Client::get_archive`]; `INVALID_RESPONSE` when the answer is not a redirect to an
    /// https URL (in a browser the redirect cannot be read at all).
    pub async fn archive_download_url(&self, archive_id: &str) -> Result<String, Error> {
        let req = archives::download_archive(&self.config.routes, archive_id)?;
        let resp = self.execute(&req).await?;
        Ok(archives::parse_download_location(
            &resp,
            &self.config.base_url,
        )?)
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

    /// AbandonArchive: claims the archive of a conference (status ABANDONED; the file stays
    /// downloadable for the expiry period, then EXPIRED). Takes the conference id. Returns the
    /// record when the server sends one.
    ///
    /// # Errors
    /// As [`Client::get_archive`].
    pub async fn abandon_archive(
        &self,
        conference_id: &str,
    ) -> Result<Option<ArchiveRecord>, Error> {
        self.abandon_archive_of(conference_id, None).await
    }

    /// AbandonArchive with both ids: the route decides which one is sent (the default takes the
    /// conference id; an override with `{archiveId}`, the older path, takes the archive id).
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` (field `archiveId`) when the route takes the archive id and none is
    /// given; otherwise as [`Client::get_archive`].
    pub async fn abandon_archive_of(
        &self,
        conference_id: &str,
        archive_id: Option<&str>,
    ) -> Result<Option<ArchiveRecord>, Error> {
        let req = archives::abandon_archive_ids(&self.config.routes, conference_id, archive_id)?;
        let resp = self.execute(&req).await?;
        Ok(archives::parse_abandoned(&resp)?)
    }
}
