//! Meetings (`/api/v2/communication/meetings/meetings`): a video call reserved for an expert.

use serde_json::{Map, Value};

/// A participant to invite; every field is optional (the guide allows `[{}]`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Participant {
    /// E-mail, checked when given.
    pub email: Option<String>,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Further fields (`locale`, ...), sent as given.
    pub extra: Map<String, Value>,
}

/// What to reserve.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MeetingRequest {
    /// The moderating expert's account id (`flexperto_account_id`).
    pub moderator_account_id: String,
    /// The participants; one anonymous participant when empty.
    pub participants: Vec<Participant>,
    /// Links work from this instant (Unix ms); now when `None`.
    pub not_before_ms: Option<i64>,
    /// Links work until this instant (Unix ms).
    pub valid_until_ms: i64,
    /// Further fields (`subject`, ...), sent as given.
    pub extra: Map<String, Value>,
}

/// A join link and the window in which it works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingLink {
    /// The URL; whoever holds it joins as its participant (or as the moderator).
    pub url: String,
    /// Valid from (Unix ms).
    pub not_before_ms: i64,
    /// Valid until (Unix ms, exclusive).
    pub valid_until_ms: i64,
}

/// A participant's link, with the participant as the API echoed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantLink {
    /// The link.
    pub link: MeetingLink,
    /// The participant object as received (JSON), without its `link` field's meaning changed.
    pub raw: String,
}

/// A reserved meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    /// The meetingId: document it in the CRM next to the call.
    pub id: String,
    /// The moderator's (expert's) link.
    pub moderator_link: MeetingLink,
    /// One link per participant, in request order.
    pub participant_links: Vec<ParticipantLink>,
    /// The meeting record as received.
    pub raw: String,
}

/// Whether a link works at `when_ms`, with `skew_ms` of tolerance for clocks that disagree: the
/// whole interval `when ± skew` must lie inside the window (a conservative answer).
pub fn link_is_valid_at(link: &MeetingLink, when_ms: i64, skew_ms: i64) -> bool {
    let skew = skew_ms.max(0);
    when_ms.saturating_sub(skew) >= link.not_before_ms
        && when_ms.saturating_add(skew) < link.valid_until_ms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity_window_with_skew() {
        let l = MeetingLink {
            url: "u".into(),
            not_before_ms: 1000,
            valid_until_ms: 2000,
        };
        assert!(!link_is_valid_at(&l, 999, 0));
        assert!(link_is_valid_at(&l, 1000, 0));
        assert!(link_is_valid_at(&l, 1999, 0));
        assert!(!link_is_valid_at(&l, 2000, 0));
        assert!(!link_is_valid_at(&l, 1050, 100));
        assert!(link_is_valid_at(&l, 1100, 100));
        assert!(!link_is_valid_at(&l, 1950, 100));
        assert!(link_is_valid_at(&l, 1500, -5));
    }
}
