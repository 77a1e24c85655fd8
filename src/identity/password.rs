//! Local passwords: argon2id hashes (PHC strings).
//!
//! Hashing and checking run on the hashing workers ([`super::hashing`]: each costs tens of
//! milliseconds of CPU and about 19 MiB). A login for an unknown account still checks against a
//! dummy hash, so the answer's timing does not tell which accounts exist.

use std::cell::RefCell;

use argon2::password_hash::phc::{Output, ParamsString, Salt};
use argon2::{Algorithm, Argon2, Block, Params, PasswordHash, Version};
use tokio::sync::OnceCell;

use super::hashing::{self, Admission, Busy};
use crate::api::{ApiCode, AppError};

/// The password of every demo account (demo mode only).
pub const DEMO_PASSWORD: &str = "demo-sportello";
/// The shortest password accepted.
pub const MIN_LEN: usize = 12;
/// The longest password accepted (bytes; bounds the hashing work).
pub const MAX_BYTES: usize = 1024;

/// 400 `password_too_long` over [`MAX_BYTES`], 400 `weak_password` under `min` characters.
pub fn check_length(password: &str, min: usize) -> Result<(), AppError> {
    if password.len() > MAX_BYTES {
        return Err(AppError::bad_request(
            ApiCode::PasswordTooLong,
            format!("a password has at most {MAX_BYTES} bytes"),
        ));
    }
    if password.chars().count() < min {
        return Err(AppError::bad_request(
            ApiCode::WeakPassword,
            format!("a password has at least {min} characters"),
        ));
    }
    Ok(())
}

/// The argon2 blocks of one hashing worker (about 19 MiB with the default parameters):
/// allocated once and reused by every hash that worker computes, so memory neither grows nor
/// churns with the number of logins.
fn with_blocks<T>(count: usize, work: impl FnOnce(&mut [Block]) -> T) -> T {
    thread_local! {
        static BLOCKS: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
    }
    BLOCKS.with_borrow_mut(|blocks| {
        if blocks.len() < count {
            blocks.resize(count, Block::default());
        }
        work(&mut blocks[..count])
    })
}

/// The argon2id PHC string of `password` with a fresh random salt (on a hashing worker).
fn hash_now(password: &str) -> String {
    let salt: [u8; 16] = rand::random();
    let params = Params::default();
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::default(), params.clone());
    let hashed = with_blocks(params.block_count(), |blocks| {
        argon2.hash_password_into_with_memory(password.as_bytes(), &salt, &mut out, blocks)
    });
    let phc = || {
        Ok::<_, argon2::password_hash::Error>(PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::default().into()),
            params: ParamsString::try_from(&params)?,
            salt: Some(Salt::new(&salt)?),
            hash: Some(Output::new(&out)?),
        })
    };
    match (hashed, phc()) {
        (Ok(()), Ok(phc)) => phc.to_string(),
        // Only an out-of-range parameter fails, and ours are the defaults.
        _ => String::new(),
    }
}

/// Whether `password` matches the PHC string `phc` (on a hashing worker); the comparison takes
/// the same time whatever the bytes.
fn verify_now(password: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let (Ok(params), Ok(algorithm)) = (
        Params::try_from(&parsed),
        Algorithm::try_from(parsed.algorithm.as_str()),
    ) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from).transpose() {
        Ok(version) => version.unwrap_or_default(),
        Err(_) => return false,
    };
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return false;
    };
    let mut buffer = [0u8; Output::MAX_LENGTH];
    let Some(out) = buffer.get_mut(..expected.len()) else {
        return false;
    };
    let count = params.block_count();
    let argon2 = Argon2::new(algorithm, version, params);
    let hashed = with_blocks(count, |blocks| {
        argon2.hash_password_into_with_memory(password.as_bytes(), salt.as_ref(), out, blocks)
    });
    hashed.is_ok() && Output::new(out).is_ok_and(|out| out == *expected)
}

/// The argon2id PHC string of `password`, with a fresh random salt (waits for a hashing
/// worker as long as it takes).
pub async fn hash(password: &str) -> String {
    let password = password.to_owned();
    hashing::run(Admission::Wait, move || hash_now(&password))
        .await
        .unwrap_or_default()
}

/// Whether `password` matches `phc`. With no hash, spends the same work on a dummy one and
/// answers `false`. [`Busy`] when no hashing worker is free soon enough.
pub async fn verify(password: &str, phc: Option<&str>) -> Result<bool, Busy> {
    let (phc, real) = match phc {
        Some(phc) => (phc.to_owned(), true),
        None => (dummy_hash().await.to_owned(), false),
    };
    let password = password.to_owned();
    let ok = hashing::run(Admission::Bounded, move || verify_now(&password, &phc)).await?;
    Ok(ok && real)
}

async fn dummy_hash() -> &'static str {
    static DUMMY: OnceCell<String> = OnceCell::const_new();
    DUMMY
        .get_or_init(|| hash("not a password of any account"))
        .await
}

/// The hash of [`DEMO_PASSWORD`], computed once per process.
pub async fn demo_hash() -> &'static str {
    static DEMO: OnceCell<String> = OnceCell::const_new();
    DEMO.get_or_init(|| hash(DEMO_PASSWORD)).await
}

#[cfg(test)]
mod tests {
    use argon2::{PasswordHasher as _, PasswordVerifier as _};

    use super::*;

    #[tokio::test]
    async fn hash_and_verify() {
        let h = hash("correct horse battery").await;
        assert!(h.starts_with("$argon2id$"));
        assert_eq!(verify("correct horse battery", Some(&h)).await, Ok(true));
        assert_eq!(verify("wrong horse battery", Some(&h)).await, Ok(false));
        assert_eq!(verify("correct horse battery", None).await, Ok(false));
        assert_eq!(verify("x", Some("not a phc string")).await, Ok(false));
        assert_ne!(hash("same").await, hash("same").await, "salted");
        // Hashes of the argon2 crate's own hasher check here, and ours check there.
        let theirs = Argon2::default()
            .hash_password_with_salt(b"correct horse battery", b"sixteen byte sal")
            .unwrap()
            .to_string();
        assert_eq!(
            verify("correct horse battery", Some(&theirs)).await,
            Ok(true)
        );
        assert_eq!(
            verify("correct horse batterz", Some(&theirs)).await,
            Ok(false)
        );
        let ours = PasswordHash::new(&h).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"correct horse battery", &ours)
                .is_ok()
        );
    }
}
