//! Builders and parsers for platform settings: GetPlatformSettings, UpdatePlatformSettings.

use serde_json::{Map, Value};

use super::{
    build_path, invalid_response, parse_object, ApiRequest, ApiResponse, Operation, RouteTable,
};
use crate::client::Client;
use crate::error::Error;
use crate::error::{ApiError, ValidationError};
use crate::models::settings::{PlatformSettings, SettingsUpdate};
use crate::transport::Transport;

/// Wire names of the three switches.
pub const AUTOMATIC_RECORDING: &str = "enableAutomaticRecording";
/// See [`AUTOMATIC_RECORDING`].
pub const RECORDING_VERBAL_CONSENT: &str = "enableRecordingVerbalConsent";
/// See [`AUTOMATIC_RECORDING`].
pub const AUTOMATIC_ARCHIVING: &str = "enableAutomaticArchivingOfConferences";

/// `GET /api/v2/platform/settings`.
///
/// # Errors
/// None in practice; the signature matches the other builders.
pub fn get_platform_settings(routes: &RouteTable) -> Result<ApiRequest, ValidationError> {
    let path = build_path(routes, Operation::GetPlatformSettings, &[], &[])?;
    Ok(ApiRequest::new(Operation::GetPlatformSettings, path, None))
}

/// Whether applying `update` on top of `current` would turn both recording modes on.
pub fn would_enable_both(current: &SettingsUpdate, update: &SettingsUpdate) -> bool {
    let auto = update
        .automatic_recording
        .or(current.automatic_recording)
        .unwrap_or(false);
    let consent = update
        .recording_verbal_consent
        .or(current.recording_verbal_consent)
        .unwrap_or(false);
    auto && consent
}

/// `PATCH /api/v2/platform/settings` with only the switches given. Setting the same values
/// again changes nothing, so the request is idempotent.
///
/// # Errors
/// [`ValidationError::RecordingModesExclusive`] when the update itself turns both recording
/// modes on; `INVALID_ARGUMENT` for an empty update.
pub fn update_platform_settings(
    routes: &RouteTable,
    update: &SettingsUpdate,
) -> Result<ApiRequest, ValidationError> {
    if would_enable_both(&SettingsUpdate::default(), update) {
        return Err(ValidationError::RecordingModesExclusive);
    }
    let mut body = Map::new();
    for (k, v) in [
        (AUTOMATIC_RECORDING, update.automatic_recording),
        (RECORDING_VERBAL_CONSENT, update.recording_verbal_consent),
        (AUTOMATIC_ARCHIVING, update.automatic_archiving),
    ] {
        if let Some(v) = v {
            body.insert(k.into(), Value::Bool(v));
        }
    }
    if body.is_empty() {
        return Err(ValidationError::InvalidArgument {
            field: "settings".into(),
            reason: "name at least one setting".into(),
        });
    }
    let path = build_path(routes, Operation::UpdatePlatformSettings, &[], &[])?;
    let mut req = ApiRequest::new(
        Operation::UpdatePlatformSettings,
        path,
        Some(Value::Object(body).to_string()),
    );
    req.idempotent = true;
    Ok(req)
}

/// Parses the settings object; each switch, when present, must be a boolean.
///
/// # Errors
/// `INVALID_RESPONSE` when the body is not an object or a switch is not a boolean.
pub fn parse_settings(op: Operation, resp: &ApiResponse) -> Result<PlatformSettings, ApiError> {
    let (obj, raw) = parse_object(op, resp)?;
    let flag = |k: &str| match obj.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(invalid_response(
            op,
            resp.status,
            format!("{k} is not a boolean"),
        )),
    };
    Ok(PlatformSettings {
        switches: SettingsUpdate {
            automatic_recording: flag(AUTOMATIC_RECORDING)?,
            recording_verbal_consent: flag(RECORDING_VERBAL_CONSENT)?,
            automatic_archiving: flag(AUTOMATIC_ARCHIVING)?,
        },
        raw,
    })
}

/// The `Client` methods of this resource: build, send through [`Client::execute`], parse.
impl<T: Transport> Client<T> {
    /// Reads the platform settings.
    ///
    /// # Errors
    /// As [`Client::execute`].
    pub async fn get_platform_settings(&self) -> Result<PlatformSettings, Error> {
        let req = get_platform_settings(&self.config().routes)?;
        let resp = self.execute(&req).await?;
        Ok(parse_settings(Operation::GetPlatformSettings, &resp)?)
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
        let req = update_platform_settings(&self.config().routes, update)?;
        let turns_one_on_blind = (update.automatic_recording == Some(true)
            && update.recording_verbal_consent.is_none())
            || (update.recording_verbal_consent == Some(true)
                && update.automatic_recording.is_none());
        if turns_one_on_blind {
            let current = self.get_platform_settings().await?;
            if would_enable_both(&current.switches, update) {
                return Err(ValidationError::RecordingModesExclusive.into());
            }
        }
        let resp = self.execute(&req).await?;
        Ok(parse_settings(Operation::UpdatePlatformSettings, &resp)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_recording_modes_are_refused() {
        let both = SettingsUpdate {
            automatic_recording: Some(true),
            recording_verbal_consent: Some(true),
            automatic_archiving: None,
        };
        assert_eq!(
            update_platform_settings(&RouteTable::default(), &both).unwrap_err(),
            ValidationError::RecordingModesExclusive
        );
        let current = SettingsUpdate {
            recording_verbal_consent: Some(true),
            ..Default::default()
        };
        let one = SettingsUpdate {
            automatic_recording: Some(true),
            ..Default::default()
        };
        assert!(would_enable_both(&current, &one));
        let switch = SettingsUpdate {
            automatic_recording: Some(true),
            recording_verbal_consent: Some(false),
            ..Default::default()
        };
        assert!(!would_enable_both(&current, &switch));
        let r = update_platform_settings(&RouteTable::default(), &switch).unwrap();
        assert_eq!(r.method.as_str(), "PATCH");
        assert_eq!(
            r.body.as_deref(),
            Some(r#"{"enableAutomaticRecording":true,"enableRecordingVerbalConsent":false}"#)
        );
        assert!(
            update_platform_settings(&RouteTable::default(), &SettingsUpdate::default()).is_err()
        );
    }

    #[test]
    fn parses_settings() {
        let ok = ApiResponse {
            status: 200,
            body: br#"{"enableAutomaticRecording":true,"x":1}"#.to_vec(),
            ..Default::default()
        };
        let s = parse_settings(Operation::GetPlatformSettings, &ok).unwrap();
        assert_eq!(s.switches.automatic_recording, Some(true));
        assert_eq!(s.switches.recording_verbal_consent, None);
        let bad = ApiResponse {
            status: 200,
            body: br#"{"enableAutomaticRecording":"yes"}"#.to_vec(),
            ..Default::default()
        };
        assert!(parse_settings(Operation::GetPlatformSettings, &bad).is_err());
    }
}
