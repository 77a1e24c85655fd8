//! Property-based fuzzing of the signalling message decoder (network input): arbitrary text,
//! JSON-ish text and messages of every known type with fields of any shape always decode to a
//! typed message or a typed error with a short fixed text, and never panic.
//!
//! Cases per property: proptest's default (256); `PROPTEST_CASES` changes it.

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use sportello_signalling::codec::decode;
use sportello_signalling::protocol::{ClientMessage, ErrorCode, MAX_MESSAGE_BYTES};

/// Any JSON value, a few levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,40}".prop_map(Value::String),
        prop::sample::select(vec!["audio", "video", "smell", "", "v=0"]).prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(".{0,12}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A message of a known type (or a near miss) whose fields are the real ones or random ones,
/// with values of any shape.
fn message() -> impl Strategy<Value = String> {
    let fields = prop::sample::subsequence(
        vec![
            "version",
            "token",
            "sdp",
            "candidate",
            "kind",
            "muted",
            "nonce",
            "sdp_mid",
            "extra",
        ],
        0..6,
    );
    let types = prop_oneof![
        prop::sample::select(ClientMessage::TYPES.to_vec()).prop_map(str::to_owned),
        ".{0,20}",
    ];
    (types, fields, prop::collection::vec(json_value(), 6)).prop_map(|(kind, fields, values)| {
        let mut m = Map::new();
        m.insert("type".into(), Value::String(kind));
        for (f, v) in fields.into_iter().zip(values) {
            m.insert(f.into(), v);
        }
        Value::Object(m).to_string()
    })
}

/// Decodes `text` and checks the outcome is well-formed.
fn check(text: &str) {
    match decode(text) {
        Ok(msg) => {
            // A decoded message re-encodes to JSON with its type tag.
            let v = serde_json::to_value(&msg).expect("encodes");
            let tag = v["type"].as_str().expect("tagged");
            assert!(ClientMessage::TYPES.contains(&tag));
        }
        Err(e) => {
            assert!(ErrorCode::ALL.contains(&e.code));
            assert!(
                !e.message.is_empty() && e.message.len() <= 100,
                "{:?}",
                e.message
            );
            assert!(!e.message.chars().any(char::is_control));
        }
    }
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(text in ".{0,300}") {
        check(&text);
    }

    #[test]
    fn arbitrary_json_never_panics(value in json_value()) {
        check(&value.to_string());
    }

    #[test]
    fn messages_with_fields_of_any_shape_never_panic(text in message()) {
        check(&text);
    }

    #[test]
    fn mangled_valid_messages_never_panic(
        index in 0usize..9,
        cut in any::<prop::sample::Index>(),
        junk in ".{0,8}",
    ) {
        let valid = [
            r#"{"type":"join","version":1,"token":"t"}"#,
            r#"{"type":"offer","sdp":"v=0"}"#,
            r#"{"type":"answer","sdp":"v=0"}"#,
            r#"{"type":"candidate","candidate":{"candidate":"c","sdp_mid":"0","sdp_m_line_index":0}}"#,
            r#"{"type":"track_state","kind":"audio","muted":true}"#,
            r#"{"type":"reauthenticate","token":"t"}"#,
            r#"{"type":"leave"}"#,
            r#"{"type":"ping","nonce":7}"#,
            r#"{"type":"pong","nonce":7}"#,
        ][index];
        let at = cut.index(valid.len() + 1);
        let mangled = format!("{}{junk}{}", &valid[..at], &valid[at..]);
        check(&mangled);
    }
}

#[test]
fn oversized_frames_are_refused_before_parsing() {
    let text = format!(
        r#"{{"type":"offer","sdp":"{}"}}"#,
        "a".repeat(MAX_MESSAGE_BYTES)
    );
    assert_eq!(decode(&text).unwrap_err().code, ErrorCode::MessageTooLarge);
}
