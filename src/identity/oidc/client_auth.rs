//! How we authenticate to a provider's token endpoint: `client_secret_basic`, or
//! `private_key_jwt` (RFC 7523, OpenID Connect Core §9), which SPID/CIE OIDC federation relying
//! parties use: the token request carries a short-lived JWT signed with our private key.
//!
//! `openidconnect` 4.1 (and `oauth2` 5) have no `private_key_jwt`, so the assertion is built
//! here and sent as extra token-request parameters; it is signed with `ring` (already in the
//! tree through rustls), the PEM read with `rustls::pki_types`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openidconnect::ClientSecret;
use ring::rand::SystemRandom;
use ring::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _, RSA_PKCS1_SHA256, RsaKeyPair,
};
use rustls::pki_types::PrivateKeyDer;
use rustls::pki_types::pem::PemObject as _;
use sha2::{Digest as _, Sha256};

/// The `client_assertion_type` of a JWT client assertion.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// How long a client assertion is valid.
pub const ASSERTION_LIFETIME_SECS: i64 = 60;

/// How we authenticate at the token endpoint. `Debug` shows no secret.
#[derive(Debug, Clone)]
pub enum ClientAuth {
    /// HTTP Basic with our client secret.
    SecretBasic(ClientSecret),
    /// A JWT signed with our private key.
    PrivateKeyJwt(std::sync::Arc<AssertionKey>),
}

impl ClientAuth {
    /// The client secret, with `client_secret_basic`.
    pub fn secret(&self) -> Option<&ClientSecret> {
        match self {
            Self::SecretBasic(s) => Some(s),
            Self::PrivateKeyJwt(_) => None,
        }
    }
}

enum Key {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
}

/// Our private key for `private_key_jwt`: RSA (2048 bits or more, RS256) or EC P-256 (ES256).
pub struct AssertionKey {
    key: Key,
    kid: String,
    rng: SystemRandom,
}

impl std::fmt::Debug for AssertionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AssertionKey")
            .field("alg", &self.alg())
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// Why a private key file was not accepted (no key material in the text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// No PEM private key block.
    #[error("no PEM private key in the file")]
    NotPem,
    /// A PEM private key, but not a usable RSA or P-256 key.
    #[error(
        "not an RSA (2048 bits or more) or EC P-256 private key (PKCS#1 \"RSA PRIVATE KEY\" or \
         PKCS#8 \"PRIVATE KEY\"; convert an \"EC PRIVATE KEY\" with `openssl pkcs8 -topk8 -nocrypt`)"
    )]
    Unsupported,
    /// The key id is empty or not printable ASCII.
    #[error("key_id must be printable ASCII, 1-128 characters")]
    BadKeyId,
}

impl AssertionKey {
    /// Reads a PEM private key; `kid` defaults to the key's JWK thumbprint (RFC 7638).
    pub fn from_pem(pem: &[u8], kid: Option<String>) -> Result<Self, KeyError> {
        let der = PrivateKeyDer::from_pem_slice(pem).map_err(|_| KeyError::NotPem)?;
        let rng = SystemRandom::new();
        let key = match &der {
            PrivateKeyDer::Pkcs1(k) => RsaKeyPair::from_der(k.secret_pkcs1_der()).map(Key::Rsa),
            PrivateKeyDer::Pkcs8(k) => RsaKeyPair::from_pkcs8(k.secret_pkcs8_der())
                .map(Key::Rsa)
                .or_else(|_| {
                    EcdsaKeyPair::from_pkcs8(
                        &ECDSA_P256_SHA256_FIXED_SIGNING,
                        k.secret_pkcs8_der(),
                        &rng,
                    )
                    .map(Key::Ec)
                }),
            _ => return Err(KeyError::Unsupported),
        }
        .map_err(|_| KeyError::Unsupported)?;
        let kid = match kid {
            Some(k) => {
                if k.is_empty() || k.len() > 128 || !k.bytes().all(|b| b.is_ascii_graphic()) {
                    return Err(KeyError::BadKeyId);
                }
                k
            }
            None => thumbprint(&key),
        };
        Ok(Self { key, kid, rng })
    }

    /// The JWS algorithm: `RS256` or `ES256`.
    pub fn alg(&self) -> &'static str {
        match self.key {
            Key::Rsa(_) => "RS256",
            Key::Ec(_) => "ES256",
        }
    }

    /// The key id (`kid` header).
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key as a JWK (what the provider registers for us).
    pub fn public_jwk(&self) -> serde_json::Value {
        let mut jwk: serde_json::Map<String, serde_json::Value> = public_members(&self.key)
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.into()))
            .collect();
        jwk.insert("kid".into(), self.kid.clone().into());
        jwk.insert("alg".into(), self.alg().into());
        jwk.insert("use".into(), "sig".into());
        jwk.into()
    }

    /// A client assertion for `client_id` at the token endpoint `audience`, issued at `now`
    /// (Unix seconds): `iss` = `sub` = the client id, a random `jti`, valid
    /// [`ASSERTION_LIFETIME_SECS`].
    pub fn assertion(
        &self,
        client_id: &str,
        audience: &str,
        now: i64,
    ) -> Result<String, ring::error::Unspecified> {
        let header = serde_json::json!({"alg": self.alg(), "typ": "JWT", "kid": self.kid});
        let claims = serde_json::json!({
            "iss": client_id,
            "sub": client_id,
            "aud": audience,
            "jti": format!("{:032x}", rand::random::<u128>()),
            "iat": now,
            "exp": now + ASSERTION_LIFETIME_SECS,
        });
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = match &self.key {
            Key::Rsa(k) => {
                let mut sig = vec![0; k.public().modulus_len()];
                k.sign(&RSA_PKCS1_SHA256, &self.rng, input.as_bytes(), &mut sig)?;
                sig
            }
            Key::Ec(k) => k.sign(&self.rng, input.as_bytes())?.as_ref().to_vec(),
        };
        Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature)))
    }
}

/// The required members of the public JWK, as `(name, value)` in RFC 7638's (lexicographic)
/// order.
fn public_members(key: &Key) -> Vec<(&'static str, String)> {
    let b64 = |b: &[u8]| URL_SAFE_NO_PAD.encode(b);
    match key {
        Key::Rsa(k) => {
            let public: ring::rsa::PublicKeyComponents<Vec<u8>> = k.public().into();
            vec![
                ("e", b64(&public.e)),
                ("kty", "RSA".to_owned()),
                ("n", b64(&public.n)),
            ]
        }
        Key::Ec(k) => {
            // Uncompressed point: 0x04 || x || y.
            let point = k.public_key().as_ref();
            vec![
                ("crv", "P-256".to_owned()),
                ("kty", "EC".to_owned()),
                ("x", b64(&point[1..33])),
                ("y", b64(&point[33..65])),
            ]
        }
    }
}

/// The RFC 7638 JWK thumbprint (SHA-256 of the canonical JSON, base64url).
fn thumbprint(key: &Key) -> String {
    thumbprint_of(&public_members(key))
}

fn thumbprint_of(members: &[(&str, String)]) -> String {
    let members: Vec<String> = members
        .iter()
        .map(|(k, v)| format!("\"{k}\":\"{v}\""))
        .collect();
    let canonical = format!("{{{}}}", members.join(","));
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ec_pem() -> String {
        rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
            .unwrap()
            .serialize_pem()
    }

    fn parts(jwt: &str) -> (serde_json::Value, serde_json::Value, Vec<u8>, String) {
        let p: Vec<&str> = jwt.split('.').collect();
        assert_eq!(p.len(), 3);
        let json = |s: &str| serde_json::from_slice(&URL_SAFE_NO_PAD.decode(s).unwrap()).unwrap();
        (
            json(p[0]),
            json(p[1]),
            URL_SAFE_NO_PAD.decode(p[2]).unwrap(),
            format!("{}.{}", p[0], p[1]),
        )
    }

    #[test]
    fn ec_assertion_is_signed_and_has_the_claims() {
        let pem = ec_pem();
        let key = AssertionKey::from_pem(pem.as_bytes(), None).unwrap();
        assert_eq!(key.alg(), "ES256");
        assert_eq!(key.kid().len(), 43);
        let jwt = key
            .assertion("client", "https://op.example/token", 1000)
            .unwrap();
        let (header, claims, sig, input) = parts(&jwt);
        assert_eq!(header["alg"], "ES256");
        assert_eq!(header["kid"], key.kid());
        assert_eq!(claims["iss"], "client");
        assert_eq!(claims["sub"], "client");
        assert_eq!(claims["aud"], "https://op.example/token");
        assert_eq!(claims["iat"], 1000);
        assert_eq!(claims["exp"], 1060);
        assert_eq!(claims["jti"].as_str().unwrap().len(), 32);
        let Key::Ec(k) = &key.key else { panic!() };
        ring::signature::UnparsedPublicKey::new(
            &ring::signature::ECDSA_P256_SHA256_FIXED,
            k.public_key().as_ref(),
        )
        .verify(input.as_bytes(), &sig)
        .unwrap();
        // A fresh jti each time; an explicit key id is kept.
        let other = key.assertion("client", "aud", 1000).unwrap();
        assert_ne!(parts(&other).1["jti"], claims["jti"]);
        let key = AssertionKey::from_pem(pem.as_bytes(), Some("k-1".into())).unwrap();
        assert_eq!(key.kid(), "k-1");
        assert!(!format!("{key:?}").contains("PRIVATE"));
    }

    #[test]
    fn thumbprint_is_rfc_7638s() {
        // RFC 7638 §3.1.
        let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
        let members = [
            ("e", "AQAB".to_owned()),
            ("kty", "RSA".to_owned()),
            ("n", n.to_owned()),
        ];
        assert_eq!(
            thumbprint_of(&members),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }

    #[test]
    fn bad_key_files_are_refused() {
        assert_eq!(
            AssertionKey::from_pem(b"not a key", None).unwrap_err(),
            KeyError::NotPem
        );
        // A P-384 key is a PEM private key, but not one we sign with.
        let p384 = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384)
            .unwrap()
            .serialize_pem();
        assert_eq!(
            AssertionKey::from_pem(p384.as_bytes(), None).unwrap_err(),
            KeyError::Unsupported
        );
        assert_eq!(
            AssertionKey::from_pem(ec_pem().as_bytes(), Some("a b".into())).unwrap_err(),
            KeyError::BadKeyId
        );
    }
}
