//! Platform settings (`/api/v2/platform/settings`): recording and archiving switches.

/// The three switches the guide documents. `None` in an update leaves a switch as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SettingsUpdate {
    /// `enableAutomaticRecording`: record as soon as anyone streams.
    pub automatic_recording: Option<bool>,
    /// `enableRecordingVerbalConsent`: the expert records after asking for consent.
    pub recording_verbal_consent: Option<bool>,
    /// `enableAutomaticArchivingOfConferences`: MiFID II archives.
    pub automatic_archiving: Option<bool>,
}

/// The platform's settings as the API returns them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformSettings {
    /// The switches, when present in the answer.
    pub switches: SettingsUpdate,
    /// The object as received.
    pub raw: String,
}
