//! The web client's TypeScript wire types are generated from the Rust protocol types.
//! This test fails when `web-client/src/generated/` is out of date; regenerate with
//! `SPORTELLO_UPDATE_BINDINGS=1 cargo test -p sportello-signalling --test ts_bindings`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sportello_signalling::protocol::{ClientMessage, ServerMessage};
use ts_rs::{Config, TS};

fn read_dir(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".ts") {
                files.insert(name, std::fs::read_to_string(entry.path()).unwrap());
            }
        }
    }
    files
}

#[test]
fn typescript_bindings_are_up_to_date() {
    let committed: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "..",
        "web-client",
        "src",
        "generated",
    ]
    .iter()
    .collect();
    let out = std::env::temp_dir().join(format!("sportello-ts-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let cfg = Config::new().with_large_int("number").with_out_dir(&out);
    ClientMessage::export_all(&cfg).unwrap();
    ServerMessage::export_all(&cfg).unwrap();
    let generated = read_dir(&out);
    assert!(generated.contains_key("ServerMessage.ts"));
    if std::env::var("SPORTELLO_UPDATE_BINDINGS").as_deref() == Ok("1") {
        std::fs::create_dir_all(&committed).unwrap();
        for (name, text) in &generated {
            std::fs::write(committed.join(name), text).unwrap();
        }
    }
    let on_disk = read_dir(&committed);
    let _ = std::fs::remove_dir_all(&out);
    for (name, text) in &generated {
        assert_eq!(
            on_disk.get(name),
            Some(text),
            "web-client/src/generated/{name} is out of date: run \
             SPORTELLO_UPDATE_BINDINGS=1 cargo test -p sportello-signalling --test ts_bindings"
        );
    }
}
