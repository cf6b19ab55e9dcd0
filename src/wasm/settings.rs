//! Platform settings: getPlatformSettings, updatePlatformSettings.

use js_sys::Promise;
use serde::Deserialize;
use tsify::Tsify;
use wasm_bindgen::prelude::*;

use super::client::JsClient;
use super::{call_of, input, json_out, promise, reject};
use crate::models::settings::SettingsUpdate;

/// The settings to change; the others stay as they are. `enableAutomaticRecording` and
/// `enableRecordingVerbalConsent` exclude each other.
#[derive(Debug, Default, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlatformSettingsUpdate {
    /// Record as soon as anyone streams.
    #[serde(default)]
    #[tsify(optional)]
    pub enable_automatic_recording: Option<bool>,
    /// The expert records after asking for consent.
    #[serde(default)]
    #[tsify(optional)]
    pub enable_recording_verbal_consent: Option<bool>,
    /// MiFID II archives of conferences.
    #[serde(default)]
    #[tsify(optional)]
    pub enable_automatic_archiving_of_conferences: Option<bool>,
}

/// Platform settings as the API returns them; unknown fields are kept.
#[derive(Debug, Default, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // declared for TypeScript (tsify); the value crosses as the API sent it
pub struct PlatformSettings {
    /// Record as soon as anyone streams.
    #[serde(default)]
    #[tsify(optional)]
    pub enable_automatic_recording: Option<bool>,
    /// The expert records after asking for consent.
    #[serde(default)]
    #[tsify(optional)]
    pub enable_recording_verbal_consent: Option<bool>,
    /// MiFID II archives of conferences.
    #[serde(default)]
    #[tsify(optional)]
    pub enable_automatic_archiving_of_conferences: Option<bool>,
    /// Fields this SDK does not know.
    #[serde(flatten)]
    #[tsify(type = "Record<string, unknown>")]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

#[wasm_bindgen(js_class = FlexpertoClient)]
impl JsClient {
    /// Reads the platform settings (`GET /api/v2/platform/settings`).
    #[wasm_bindgen(js_name = getPlatformSettings, unchecked_return_type = "Promise<PlatformSettings>")]
    pub fn get_platform_settings(&self, options: Option<super::OptRequestOptions>) -> Promise {
        let call = match call_of(options) {
            Ok(c) => c,
            Err(e) => return reject(e),
        };
        let client = self.scoped(call);
        promise(async move { client.get_platform_settings().await }, |s| {
            json_out(&s.raw)
        })
    }

    /// Updates platform settings (`PATCH /api/v2/platform/settings`). Turning both recording
    /// modes on is refused with `ValidationError` code `RECORDING_MODES_EXCLUSIVE` before any
    /// change (the current settings are read when the update leaves the other mode unsaid).
    #[wasm_bindgen(js_name = updatePlatformSettings, unchecked_return_type = "Promise<PlatformSettings>")]
    pub fn update_platform_settings(
        &self,
        #[wasm_bindgen(unchecked_param_type = "PlatformSettingsUpdate")] update: JsValue,
        options: Option<super::OptRequestOptions>,
    ) -> Promise {
        let args = (|| {
            let u: PlatformSettingsUpdate = input::from_js(&update, "settings")?;
            Ok((u, call_of(options)?))
        })();
        let (u, call) = match args {
            Ok(a) => a,
            Err(e) => return reject(e),
        };
        let update = SettingsUpdate {
            automatic_recording: u.enable_automatic_recording,
            recording_verbal_consent: u.enable_recording_verbal_consent,
            automatic_archiving: u.enable_automatic_archiving_of_conferences,
        };
        let client = self.scoped(call);
        promise(
            async move { client.update_platform_settings(&update).await },
            |s| json_out(&s.raw),
        )
    }
}
