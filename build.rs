//! The built web client (`web-client/dist/`) is embedded in the binary. A fresh clone has not
//! built it yet: make sure the folder exists so the crate compiles; the server then serves a
//! page that says how to build the client.

fn main() {
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("web-client/dist");
    if !dist.exists() {
        let _ = std::fs::create_dir_all(&dist);
    }
    println!("cargo:rerun-if-changed=web-client/dist");
}
