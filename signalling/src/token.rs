//! Signed meeting tokens: who may join which room, in which role, until when.
//!
//! Format: `v1.<base64url(claims JSON)>.<base64url(HMAC-SHA256(key, "v1." + claims part))>`.
//! The identity layer issues them for real; in demo mode a development endpoint does.
//! There is no unsigned form: a token whose MAC does not verify is refused.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::protocol::Role;

const PREFIX: &str = "v1.";
/// Longest token accepted before any parsing, in bytes.
pub const MAX_TOKEN_BYTES: usize = 4096;

/// What a meeting token grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingClaims {
    /// Room (meeting) id the token is bound to.
    pub room: String,
    /// Role in the meeting.
    pub role: Role,
    /// Stable subject id (an account or session id, never a codice fiscale).
    pub sub: String,
    /// Name shown to the other participants.
    pub name: String,
    /// Issued at, unix seconds.
    pub iat: u64,
    /// Expiry, unix seconds.
    pub exp: u64,
    /// Random ticket id: a ticket is accepted once (see [`crate::ledger`]).
    pub jti: String,
    /// An opaque reference to the session that obtained the ticket, for the issuer's admission
    /// check (see [`crate::admission`]); none for tokens that stand alone (demo, load tests).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
}

impl MeetingClaims {
    /// Claims for `sub` as `role` (shown as `name`) in `room`, issued now and valid for
    /// `ttl_secs`, with a fresh ticket id and no session reference.
    pub fn new(room: &str, role: Role, sub: &str, name: &str, ttl_secs: u64) -> Self {
        let iat = unix_now();
        Self {
            room: room.to_owned(),
            role,
            sub: sub.to_owned(),
            name: name.to_owned(),
            iat,
            exp: iat.saturating_add(ttl_secs),
            jti: new_jti(),
            session: None,
        }
    }
}

/// A fresh random ticket id (128 bits, hex).
pub fn new_jti() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// Why a token was refused.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not a token of ours: bad shape, bad encoding, bad signature.
    #[error("meeting token is malformed or its signature does not verify")]
    Invalid,
    /// Signed by us, but past its expiry.
    #[error("meeting token has expired")]
    Expired,
}

/// The secret key that signs and verifies meeting tokens.
#[derive(Clone)]
pub struct TokenKey {
    key: Vec<u8>,
}

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKey(..)")
    }
}

impl TokenKey {
    /// A key from secret bytes (at least 32 bytes are recommended).
    pub fn new(secret: &[u8]) -> Self {
        Self {
            key: secret.to_vec(),
        }
    }

    /// A fresh random 32-byte key.
    pub fn generate() -> Self {
        let bytes: [u8; 32] = rand::random();
        Self::new(&bytes)
    }

    fn mac(&self) -> Hmac<Sha256> {
        // HMAC accepts keys of any length; this cannot fail.
        Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key length")
    }

    /// HMAC-SHA256 (hex) of `context`, a newline and `data` under this key: a keyed digest for
    /// values that must be matched but not be recoverable from the database (the key is not
    /// in it).
    pub fn keyed_digest(&self, context: &str, data: &[u8]) -> String {
        let mut mac = self.mac();
        mac.update(context.as_bytes());
        mac.update(b"\n");
        mac.update(data);
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Signs `claims` into a token string.
    pub fn sign(&self, claims: &MeetingClaims) -> String {
        let json = serde_json::to_vec(claims).expect("claims always serialize");
        let mut token = String::with_capacity(PREFIX.len() + json.len() * 2 + 48);
        token.push_str(PREFIX);
        URL_SAFE_NO_PAD.encode_string(&json, &mut token);
        let mut mac = self.mac();
        mac.update(token.as_bytes());
        let tag = mac.finalize().into_bytes();
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(tag, &mut token);
        token
    }

    /// Verifies the signature and expiry of `token` at `now_unix` seconds.
    pub fn verify(&self, token: &str, now_unix: u64) -> Result<MeetingClaims, TokenError> {
        if token.len() > MAX_TOKEN_BYTES || !token.starts_with(PREFIX) {
            return Err(TokenError::Invalid);
        }
        let (signed, tag) = token.rsplit_once('.').ok_or(TokenError::Invalid)?;
        let tag = URL_SAFE_NO_PAD
            .decode(tag)
            .map_err(|_| TokenError::Invalid)?;
        let mut mac = self.mac();
        mac.update(signed.as_bytes());
        mac.verify_slice(&tag).map_err(|_| TokenError::Invalid)?;
        let body = URL_SAFE_NO_PAD
            .decode(&signed[PREFIX.len()..])
            .map_err(|_| TokenError::Invalid)?;
        let claims: MeetingClaims =
            serde_json::from_slice(&body).map_err(|_| TokenError::Invalid)?;
        if claims.exp <= now_unix {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }
}

/// Current time in unix seconds.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: u64) -> MeetingClaims {
        MeetingClaims {
            room: "room-a".into(),
            role: Role::Official,
            sub: "u1".into(),
            name: "Dott.ssa Rossi".into(),
            iat: 100,
            exp,
            jti: "t1".into(),
            session: None,
        }
    }

    #[test]
    fn round_trip() {
        let key = TokenKey::new(b"0123456789abcdef0123456789abcdef");
        let token = key.sign(&claims(1_000));
        assert_eq!(key.verify(&token, 999).unwrap(), claims(1_000));
    }

    #[test]
    fn expired() {
        let key = TokenKey::generate();
        let token = key.sign(&claims(1_000));
        assert_eq!(key.verify(&token, 1_000), Err(TokenError::Expired));
    }

    #[test]
    fn other_key_is_invalid() {
        let token = TokenKey::generate().sign(&claims(1_000));
        assert_eq!(
            TokenKey::generate().verify(&token, 1),
            Err(TokenError::Invalid)
        );
    }

    #[test]
    fn tampered_claims_are_invalid() {
        let key = TokenKey::generate();
        let token = key.sign(&claims(1_000));
        let (body, tag) = token.rsplit_once('.').unwrap();
        let forged_claims = MeetingClaims {
            room: "room-b".into(),
            ..claims(1_000)
        };
        let forged_body = format!(
            "v1.{}",
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged_claims).unwrap())
        );
        assert_ne!(body, forged_body);
        assert_eq!(
            key.verify(&format!("{forged_body}.{tag}"), 1),
            Err(TokenError::Invalid)
        );
    }

    #[test]
    fn garbage_is_invalid() {
        let key = TokenKey::generate();
        for t in [
            "",
            "v1.",
            "v1..",
            "v2.abc.def",
            "v1.!!!.???",
            "v1.e30.AAAA",
            &"x".repeat(5000),
        ] {
            assert_eq!(key.verify(t, 1), Err(TokenError::Invalid), "{t:?}");
        }
    }
}
