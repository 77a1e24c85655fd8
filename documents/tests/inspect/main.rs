//! Tests of `sportello_documents::inspect` on real files: PDFs written by the support module and
//! `.p7m` files made with the `openssl` CLI (required; see `support.rs`).

mod fuzz;
mod p7m;
mod pdf;
mod support;
mod trust;
