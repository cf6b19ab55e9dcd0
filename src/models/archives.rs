//! Archive records (`CommunicationConferencesArchiveResponse`): associative data about one
//! archived conference. The SDK types the fields it acts on and keeps the rest in `raw`.

use crate::archive::ArchiveStatus;

/// One archive record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveRecord {
    /// `id`: the archiveId (download, get).
    pub id: String,
    /// `subject.conference_id`: what the abandon call takes.
    pub conference_id: String,
    /// `status`.
    pub status: ArchiveStatus,
    /// `sha256CheckSum` in lower case, once packed.
    pub sha256: Option<String>,
    /// `error`, on FAILED.
    pub error: Option<String>,
    /// `sizeBytes`, when sent (inferred field).
    pub size_bytes: Option<u64>,
    /// The object as received, unknown fields included.
    pub raw: String,
}

/// One page of archive records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveList {
    /// The records.
    pub items: Vec<ArchiveRecord>,
    /// `total`, when the server says how many match.
    pub total: Option<u64>,
}

/// What to list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListArchivesQuery {
    /// Only archives in this status.
    pub status: Option<ArchiveStatus>,
    /// Page size (1 to 100).
    pub limit: Option<u32>,
    /// How many records to skip.
    pub offset: Option<u32>,
}
