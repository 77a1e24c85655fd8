//! Property-based fuzzing of the SDP offer path into the engine (network input): mutated valid
//! offers (the shape our clients send) and arbitrary text never panic the engine; each offer is
//! answered with a parseable SDP or refused with an error, and the engine keeps serving.
//!
//! Cases per property: 64 by default, `PROPTEST_CASES` to change it.

use std::sync::LazyLock;

use proptest::prelude::*;
use rtc::peer_connection::sdp::RTCSessionDescription;
use sportello_sfu::{ParticipantId, SfuError};

use crate::common::virtual_net::VirtualNet;
use crate::engine_limits::fresh_offer;

static OFFER: LazyLock<String> = LazyLock::new(fresh_offer);

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(64);
    ProptestConfig::with_cases(cases)
}

/// One edit of an SDP's lines.
#[derive(Debug, Clone)]
enum Edit {
    Delete(prop::sample::Index),
    Duplicate(prop::sample::Index),
    Swap(prop::sample::Index, prop::sample::Index),
    Replace(prop::sample::Index, String),
    Insert(prop::sample::Index, String),
    /// Changes the digits of a line (ports, payload types, mids, ssrcs).
    Renumber(prop::sample::Index, u32),
    Truncate(prop::sample::Index),
}

/// Lines that look like SDP, or nearly.
fn sdp_line() -> impl Strategy<Value = String> {
    let keys = prop::sample::select(vec![
        "m=audio 9 UDP/TLS/RTP/SAVPF ",
        "m=video 0 UDP/TLS/RTP/SAVPF ",
        "m=application 9 UDP/DTLS/SCTP ",
        "a=mid:",
        "a=group:BUNDLE ",
        "a=rtpmap:",
        "a=fmtp:",
        "a=ssrc:",
        "a=msid:",
        "a=extmap:",
        "a=sendrecv",
        "a=sendonly",
        "a=inactive",
        "a=setup:",
        "a=fingerprint:sha-256 ",
        "a=ice-ufrag:",
        "a=candidate:",
        "a=rid:",
        "a=simulcast:",
        "c=IN IP4 ",
        "",
    ]);
    (keys, ".{0,30}").prop_map(|(k, v)| format!("{k}{v}"))
}

fn edit() -> impl Strategy<Value = Edit> {
    use prop::sample::Index;
    prop_oneof![
        any::<Index>().prop_map(Edit::Delete),
        any::<Index>().prop_map(Edit::Duplicate),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Edit::Swap(a, b)),
        (any::<Index>(), sdp_line()).prop_map(|(i, l)| Edit::Replace(i, l)),
        (any::<Index>(), sdp_line()).prop_map(|(i, l)| Edit::Insert(i, l)),
        (any::<Index>(), any::<u32>()).prop_map(|(i, n)| Edit::Renumber(i, n)),
        any::<Index>().prop_map(Edit::Truncate),
    ]
}

fn mutate(sdp: &str, edits: &[Edit]) -> String {
    let mut lines: Vec<String> = sdp.split("\r\n").map(str::to_owned).collect();
    for e in edits {
        if lines.is_empty() {
            break;
        }
        let n = lines.len();
        match e {
            Edit::Delete(i) => {
                lines.remove(i.index(n));
            }
            Edit::Duplicate(i) => {
                let l = lines[i.index(n)].clone();
                lines.insert(i.index(n), l);
            }
            Edit::Swap(a, b) => lines.swap(a.index(n), b.index(n)),
            Edit::Replace(i, l) => lines[i.index(n)] = l.clone(),
            Edit::Insert(i, l) => lines.insert(i.index(n), l.clone()),
            Edit::Renumber(i, v) => {
                let l = &mut lines[i.index(n)];
                let digits = v.to_string();
                *l = l
                    .split(|c: char| c.is_ascii_digit())
                    .collect::<Vec<_>>()
                    .join(&digits[..1 + (*v as usize % digits.len())]);
            }
            Edit::Truncate(i) => {
                let l = &mut lines[i.index(n)];
                let cut = (0..=l.len())
                    .filter(|c| l.is_char_boundary(*c))
                    .nth(i.index(l.len() + 1))
                    .unwrap_or(l.len());
                l.truncate(cut);
            }
        }
    }
    lines.join("\r\n")
}

/// Feeds `offers` to one participant of a fresh engine; checks each outcome, then that the
/// engine still serves another participant.
fn feed(offers: &[String]) {
    let mut net = VirtualNet::new();
    let now = net.now;
    net.engine
        .add_participant(now, "fuzz", ParticipantId(1), "fuzzer")
        .unwrap();
    for sdp in offers {
        match net.engine.offer(now, ParticipantId(1), sdp.clone()) {
            Ok(answer) => {
                RTCSessionDescription::answer(answer).expect("the answer is valid SDP");
            }
            Err(
                SfuError::BadSdp(_)
                | SfuError::DuplicateMid
                | SfuError::TooManyTracks { .. }
                | SfuError::Glare
                | SfuError::Internal(_),
            ) => {}
            Err(e) => panic!("unexpected refusal {e:?}"),
        }
        // Whatever the offer did, the engine's own work goes on without panicking.
        net.exchange();
    }
    net.engine.remove_participant(now, ParticipantId(1));
    let other = net.try_join("other", 2, "other", true);
    assert!(other.is_ok(), "{other:?}");
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn mutated_offers_are_answered_or_refused(
        first in prop::collection::vec(edit(), 1..6),
        second in prop::collection::vec(edit(), 0..6),
    ) {
        let a = mutate(&OFFER, &first);
        let b = mutate(&OFFER, &second);
        feed(&[a, b]);
    }

    #[test]
    fn arbitrary_text_offers_are_refused(text in ".{0,400}") {
        feed(&[text]);
    }

    #[test]
    fn offers_of_sdp_like_lines_are_answered_or_refused(
        lines in prop::collection::vec(sdp_line(), 0..40),
    ) {
        let mut sdp = String::from("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n");
        for l in lines {
            sdp.push_str(&l);
            sdp.push_str("\r\n");
        }
        feed(&[sdp]);
    }
}
