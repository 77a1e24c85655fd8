//! `inspect` never panics: arbitrary bytes and mutated valid files (PDF, DER and BER `.p7m`).
//! The number of cases is proptest's default, or `PROPTEST_CASES`.

use crate::support::{fixtures, pdf};
use proptest::prelude::*;
use std::sync::OnceLock;
use std::time::SystemTime;

fn seeds() -> &'static [Vec<u8>] {
    static SEEDS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let f = fixtures();
        vec![
            pdf(1),
            f.sign("doc.pdf", "rsa", &["-nodetach", "-outform", "DER"]),
            f.sign(
                "doc.pdf",
                "p256",
                &["-nodetach", "-stream", "-outform", "DER"],
            ),
            f.sign("doc.pdf", "rsa", &["-nodetach", "-outform", "PEM"]),
        ]
    })
}

#[derive(Debug, Clone)]
enum Mutation {
    Set(usize, u8),
    Truncate(usize),
    Insert(usize, Vec<u8>),
    Remove(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Mutation::Set(at, b)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), proptest::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(at, bytes)| Mutation::Insert(at, bytes)),
        (any::<usize>(), 1usize..64).prop_map(|(at, n)| Mutation::Remove(at, n)),
    ]
}

fn apply(bytes: &mut Vec<u8>, mutation: &Mutation) {
    let len = bytes.len().max(1);
    match mutation {
        Mutation::Set(at, b) => {
            if let Some(byte) = bytes.get_mut(at % len) {
                *byte = *b;
            }
        }
        Mutation::Truncate(at) => bytes.truncate(at % len),
        Mutation::Insert(at, more) => {
            let at = (at % len).min(bytes.len());
            bytes.splice(at..at, more.iter().copied());
        }
        Mutation::Remove(at, n) => {
            let at = (at % len).min(bytes.len());
            let end = (at + n).min(bytes.len());
            bytes.drain(at..end);
        }
    }
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let _ = sportello_documents::inspect(&bytes, None, SystemTime::now());
    }

    #[test]
    fn arbitrary_ber_like_bytes_never_panic(
        body in proptest::collection::vec(
            prop_oneof![Just(0x30u8), Just(0x80), Just(0x24), Just(0x04), Just(0x00), any::<u8>()],
            0..512,
        )
    ) {
        let mut bytes = vec![0x30, 0x80];
        bytes.extend(body);
        let _ = sportello_documents::inspect(&bytes, None, SystemTime::now());
    }

    #[test]
    fn mutated_valid_files_never_panic(
        seed in 0usize..4,
        mutations in proptest::collection::vec(mutation(), 1..4),
    ) {
        let mut bytes = seeds()[seed].clone();
        for mutation in &mutations {
            apply(&mut bytes, mutation);
        }
        let _ = sportello_documents::inspect(&bytes, None, SystemTime::now());
    }
}
