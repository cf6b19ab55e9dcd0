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
    /// Links work from this instant (Unix ms); the platform's default when `None` (not sent).
    pub not_before_ms: Option<i64>,
    /// Links work until this instant (Unix ms); the platform's default when `None` (not sent).
    /// The guide makes both bounds optional.
    pub valid_until_ms: Option<i64>,
    /// Further fields (`subject`, ...), sent as given.
    pub extra: Map<String, Value>,
    /// The guide's `supressMails` query parameter: `None` sends none (the platform decides
    /// whether participants get mail).
    pub suppress_mails: Option<bool>,
    /// Where the reply puts its links, when the tenant's names are known to differ from the
    /// SDK's guesses. Not sent.
    pub link_fields: LinkFields,
}

/// The reply's field names for the links, given by the caller. Each one, when given, is looked
/// up first (exactly as written); the SDK's own spellings are tried after it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LinkFields {
    /// The moderator's link (the SDK tries `moderator_link`, `moderatorLink`,
    /// `moderator_join_link`, ...).
    pub moderator_link: Option<String>,
    /// The array of participants' links (the SDK tries `participant_links`, `participantLinks`,
    /// `participants`, ...).
    pub participant_links: Option<String>,
    /// The link inside each element of that array (the SDK tries `link`, `joinLink`, `url`, ...).
    pub participant_link: Option<String>,
}

/// A join link and the window in which it works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingLink {
    /// The URL; whoever holds it joins as its participant (or as the moderator).
    pub url: String,
    /// Valid from (Unix ms), as echoed or requested; `None` when neither says.
    pub not_before_ms: Option<i64>,
    /// Valid until (Unix ms, exclusive), as echoed or requested; `None` when neither says.
    pub valid_until_ms: Option<i64>,
}

/// A participant's link, with the participant as the API echoed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantLink {
    /// The link.
    pub link: MeetingLink,
    /// The participant object as received (JSON), without its `link` field's meaning changed.
    pub raw: String,
}

/// A reserved meeting. A reservation is never retried (it is a POST), so a reply whose links
/// the SDK cannot find is still a reserved meeting: its id and record, with the links missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    /// The meetingId: document it in the CRM next to the call.
    pub id: String,
    /// The moderator's (expert's) link; `None` when the reply has none the SDK can find.
    pub moderator_link: Option<MeetingLink>,
    /// One link per participant, in request order; empty when the reply's links could not all
    /// be found (see `missing`).
    pub participant_links: Vec<ParticipantLink>,
    /// The links not found in the reply: [`MISSING_MODERATOR_LINK`],
    /// [`MISSING_PARTICIPANT_LINKS`]. Read them from `raw` (or pass [`LinkFields`]).
    pub missing: Vec<&'static str>,
    /// The valid-from the reply echoed, or the one requested.
    pub not_before_ms: Option<i64>,
    /// The valid-until the reply echoed, or the one requested.
    pub valid_until_ms: Option<i64>,
    /// The meeting record as received.
    pub raw: String,
}

/// In [`Meeting::missing`]: no moderator link found.
pub const MISSING_MODERATOR_LINK: &str = "moderatorLink";
/// In [`Meeting::missing`]: no array of participant links found, or one without a link.
pub const MISSING_PARTICIPANT_LINKS: &str = "participantLinks";

/// Whether a link works at `when_ms`, with `skew_ms` of tolerance for clocks that disagree: the
/// whole interval `when ± skew` must lie inside the window (a conservative answer). A bound
/// that neither the reply nor the request gave is the platform's, unknown here: not checked.
pub fn link_is_valid_at(link: &MeetingLink, when_ms: i64, skew_ms: i64) -> bool {
    let skew = skew_ms.max(0);
    link.not_before_ms
        .is_none_or(|nb| when_ms.saturating_sub(skew) >= nb)
        && link
            .valid_until_ms
            .is_none_or(|vu| when_ms.saturating_add(skew) < vu)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity_window_with_skew() {
        let l = MeetingLink {
            url: "u".into(),
            not_before_ms: Some(1000),
            valid_until_ms: Some(2000),
        };
        assert!(!link_is_valid_at(&l, 999, 0));
        assert!(link_is_valid_at(&l, 1000, 0));
        assert!(link_is_valid_at(&l, 1999, 0));
        assert!(!link_is_valid_at(&l, 2000, 0));
        assert!(!link_is_valid_at(&l, 1050, 100));
        assert!(link_is_valid_at(&l, 1100, 100));
        assert!(!link_is_valid_at(&l, 1950, 100));
        assert!(link_is_valid_at(&l, 1500, -5));
        let open = MeetingLink {
            not_before_ms: None,
            ..l.clone()
        };
        assert!(link_is_valid_at(&open, 0, 0));
        assert!(!link_is_valid_at(&open, 2000, 0));
    }
}
