//! The status of an archive record, and what each status allows.
//!
//! The life cycle (developer guide, "Archiving (MiFID II)"): `PROCESSING` ->
//! `ARTIFACT_GATHERING_COMPLETE` -> `PACKING` -> `AVAILABLE`, or `FAILED`; after the abandon call
//! `ABANDONED` (still downloadable during the expiry period), then `EXPIRED` (file deleted).

use core::convert::Infallible;
use core::fmt;
use core::str::FromStr;

use serde::{Deserialize, Serialize};

/// The `status` of an archive record. Unknown values are kept as [`ArchiveStatus::Other`] so that a
/// status the platform adds later does not break parsing.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum ArchiveStatus {
    /// `PROCESSING`: the archive is being created; no file yet.
    Processing,
    /// `ARTIFACT_GATHERING_COMPLETE`: all artifacts collected; no file yet.
    ArtifactGatheringComplete,
    /// `PACKING`: the zip is being written; no file yet.
    Packing,
    /// `AVAILABLE`: the file can be downloaded.
    Available,
    /// `FAILED`: creating the archive failed (the record's `error` says why); there is no file.
    Failed,
    /// `ABANDONED`: claimed; the file can still be downloaded until it expires.
    Abandoned,
    /// `EXPIRED`: the file has been deleted.
    Expired,
    /// A value this SDK does not know, exactly as received.
    Other(String),
}

impl ArchiveStatus {
    /// Every known status, in life-cycle order.
    pub const KNOWN: [ArchiveStatus; 7] = [
        Self::Processing,
        Self::ArtifactGatheringComplete,
        Self::Packing,
        Self::Available,
        Self::Failed,
        Self::Abandoned,
        Self::Expired,
    ];

    /// Parses a status as the API spells it (upper case, exact); anything else becomes
    /// [`ArchiveStatus::Other`].
    pub fn parse(s: &str) -> Self {
        Self::known(s).unwrap_or_else(|| Self::Other(s.to_owned()))
    }

    fn known(s: &str) -> Option<Self> {
        Some(match s {
            "PROCESSING" => Self::Processing,
            "ARTIFACT_GATHERING_COMPLETE" => Self::ArtifactGatheringComplete,
            "PACKING" => Self::Packing,
            "AVAILABLE" => Self::Available,
            "FAILED" => Self::Failed,
            "ABANDONED" => Self::Abandoned,
            "EXPIRED" => Self::Expired,
            _ => return None,
        })
    }

    /// The status as the API spells it.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Processing => "PROCESSING",
            Self::ArtifactGatheringComplete => "ARTIFACT_GATHERING_COMPLETE",
            Self::Packing => "PACKING",
            Self::Available => "AVAILABLE",
            Self::Failed => "FAILED",
            Self::Abandoned => "ABANDONED",
            Self::Expired => "EXPIRED",
            Self::Other(s) => s,
        }
    }

    /// Whether the download endpoint serves the file: `AVAILABLE` or `ABANDONED`.
    pub fn is_downloadable(&self) -> bool {
        matches!(self, Self::Available | Self::Abandoned)
    }

    /// Whether the archive will never become downloadable again: `FAILED` or `EXPIRED`.
    pub fn is_terminal(&self) -> bool {
        matches!(self, Self::Failed | Self::Expired)
    }

    /// Whether the archive is still being created (`PROCESSING`, `ARTIFACT_GATHERING_COMPLETE`,
    /// `PACKING`): poll again later.
    pub fn is_pending(&self) -> bool {
        matches!(
            self,
            Self::Processing | Self::ArtifactGatheringComplete | Self::Packing
        )
    }

    /// Whether this is a value the SDK does not know.
    pub fn is_other(&self) -> bool {
        matches!(self, Self::Other(_))
    }
}

impl fmt::Display for ArchiveStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ArchiveStatus {
    type Err = Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::parse(s))
    }
}

impl From<&str> for ArchiveStatus {
    fn from(s: &str) -> Self {
        Self::parse(s)
    }
}

impl From<String> for ArchiveStatus {
    fn from(s: String) -> Self {
        Self::known(&s).unwrap_or(Self::Other(s))
    }
}

impl From<ArchiveStatus> for String {
    fn from(s: ArchiveStatus) -> Self {
        match s {
            ArchiveStatus::Other(s) => s,
            known => known.as_str().to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn known_values_round_trip() {
        for s in ArchiveStatus::KNOWN {
            assert_eq!(ArchiveStatus::parse(s.as_str()), s);
            assert_eq!(s.as_str().parse::<ArchiveStatus>(), Ok(s.clone()));
            assert_eq!(ArchiveStatus::from(String::from(s.clone())), s);
            assert!(!s.is_other());
        }
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn what_each_status_allows() {
        use ArchiveStatus::*;
        let table = [
            (Processing, false, false, true),
            (ArtifactGatheringComplete, false, false, true),
            (Packing, false, false, true),
            (Available, true, false, false),
            (Failed, false, true, false),
            (Abandoned, true, false, false),
            (Expired, false, true, false),
            (Other("ARCHIVED_ELSEWHERE".into()), false, false, false),
        ];
        for (s, downloadable, terminal, pending) in table {
            assert_eq!(s.is_downloadable(), downloadable, "{s}");
            assert_eq!(s.is_terminal(), terminal, "{s}");
            assert_eq!(s.is_pending(), pending, "{s}");
        }
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn unknown_values_are_kept_exactly() {
        for raw in ["available", " AVAILABLE", "", "DELETED", "Pröcessing"] {
            let s = ArchiveStatus::parse(raw);
            assert_eq!(s, ArchiveStatus::Other(raw.into()));
            assert_eq!(s.as_str(), raw);
            assert_eq!(s.to_string(), raw);
            assert!(s.is_other());
        }
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn serde_uses_the_wire_string() {
        let s: ArchiveStatus = serde_json::from_str(r#""ABANDONED""#).unwrap();
        assert_eq!(s, ArchiveStatus::Abandoned);
        let s: ArchiveStatus = serde_json::from_str(r#""NEW_ONE""#).unwrap();
        assert_eq!(s, ArchiveStatus::Other("NEW_ONE".into()));
        assert_eq!(
            serde_json::to_string(&ArchiveStatus::ArtifactGatheringComplete).unwrap(),
            r#""ARTIFACT_GATHERING_COMPLETE""#
        );
        assert_eq!(serde_json::to_string(&s).unwrap(), r#""NEW_ONE""#);
        assert!(serde_json::from_str::<ArchiveStatus>("3").is_err());
    }

    /// Property tests (proptest is a native-only dev-dependency).
    #[cfg(not(target_arch = "wasm32"))]
    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn parse_is_total_and_lossless(raw in ".{0,40}") {
                let s = ArchiveStatus::parse(&raw);
                prop_assert_eq!(s.as_str(), raw.as_str());
            }
        }
    }
}
