//! What one participant's offer may ask of its connection, checked before the offer is applied:
//! unique mids, at most [`SfuConfig::max_sending_sections`] sections it sends on, and at most
//! [`SfuConfig::max_client_sections`] sections added by its own offers over the connection's
//! life. Every new mid creates a transceiver that stays; without these bounds a client sending
//! large offers with new mids each time made each offer slower (0.02 s → 0.53 s) and stalled
//! the engine task serving every room (issue 13, item 5).

use std::collections::HashSet;

use rtc::sdp::SessionDescription;
use rtc::sdp::description::common::Attribute;

use crate::{SfuConfig, SfuError};

/// The mids an offer adds to the connection, once it passed the checks.
#[derive(Debug, Default)]
pub(crate) struct NewSections {
    mids: Vec<String>,
}

impl NewSections {
    /// Records them as sections the client added.
    pub fn commit(self, client_mids: &mut HashSet<String>) {
        client_mids.extend(self.mids);
    }
}

/// Checks `offer` against the limits. `known` holds the mids of the connection's transceivers
/// (including the ones the server added for its legs), `client_mids` the mids earlier offers of
/// this client added.
pub(crate) fn check_offer(
    offer: &SessionDescription,
    known: &HashSet<String>,
    client_mids: &HashSet<String>,
    config: &SfuConfig,
) -> Result<NewSections, SfuError> {
    let session_direction = direction(&offer.attributes);
    let mut seen: HashSet<&str> = HashSet::new();
    let mut new = Vec::new();
    let mut unnamed = 0usize;
    let mut sending = 0usize;
    for m in &offer.media_descriptions {
        match m.attribute("mid").flatten() {
            Some(mid) => {
                if !seen.insert(mid) {
                    return Err(SfuError::DuplicateMid);
                }
                if !known.contains(mid) && !client_mids.contains(mid) {
                    new.push(mid.to_owned());
                }
            }
            None => unnamed += 1,
        }
        let active = m.media_name.port.value != 0;
        let is_media = matches!(m.media_name.media.as_str(), "audio" | "video");
        let sends = direction(&m.attributes)
            .or(session_direction)
            .is_none_or(|d| d == "sendrecv" || d == "sendonly");
        if active && is_media && sends {
            sending += 1;
        }
    }
    if sending > config.max_sending_sections {
        return Err(SfuError::TooManyTracks {
            what: "sending sections",
            count: sending,
            limit: config.max_sending_sections,
        });
    }
    let total = client_mids.len() + new.len() + unnamed;
    if total > config.max_client_sections {
        return Err(SfuError::TooManyTracks {
            what: "client sections",
            count: total,
            limit: config.max_client_sections,
        });
    }
    Ok(NewSections { mids: new })
}

/// The direction attribute among `attributes`, if there is one.
fn direction(attributes: &[Attribute]) -> Option<&'static str> {
    ["sendrecv", "sendonly", "recvonly", "inactive"]
        .into_iter()
        .find(|d| attributes.iter().any(|a| a.key == *d))
}
