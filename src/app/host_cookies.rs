//! `__Host-` names for the session cookies over HTTPS. The browser keeps a `__Host-` cookie
//! only if it was set over HTTPS with `Secure`, `Path=/` and no `Domain`, so a sibling
//! subdomain or a plain-HTTP page cannot plant a session cookie (cookie tossing, session
//! fixation). The domains keep one name each: on an HTTPS connection the edge renames the
//! cookies they set to the `__Host-` name, renames the `__Host-` cookies a request carries back
//! to the plain name, and drops plain-named session cookies (over HTTPS they can only have been
//! planted). Plain HTTP (development on `http://localhost`) keeps the plain names.

use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};

use crate::identity::SESSION_COOKIE;
use crate::identity::citizen::CITIZEN_COOKIE;

/// The prefix.
const PREFIX: &str = "__Host-";

/// The cookies that get the prefix.
const NAMES: [&str; 2] = [SESSION_COOKIE, CITIZEN_COOKIE];

/// Rewrites the `Cookie` headers of a request that came over HTTPS.
pub fn unprefix_request(headers: &mut HeaderMap) {
    if !headers.contains_key(COOKIE) {
        return;
    }
    let mut kept = Vec::new();
    for value in headers.get_all(COOKIE).iter() {
        let Ok(value) = value.to_str() else { continue };
        for pair in value.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let name = pair.split_once('=').map_or(pair, |(n, _)| n);
            if NAMES.contains(&name) {
                continue;
            }
            kept.push(
                pair.strip_prefix(PREFIX)
                    .filter(|rest| {
                        NAMES
                            .iter()
                            .any(|n| rest.strip_prefix(n).is_some_and(|r| r.starts_with('=')))
                    })
                    .unwrap_or(pair)
                    .to_owned(),
            );
        }
    }
    headers.remove(COOKIE);
    if let Ok(value) = HeaderValue::from_str(&kept.join("; "))
        && !kept.is_empty()
    {
        headers.insert(COOKIE, value);
    }
}

/// Rewrites the `Set-Cookie` headers of an answer sent over HTTPS.
pub fn prefix_response(headers: &mut HeaderMap) {
    if !headers.contains_key(SET_COOKIE) {
        return;
    }
    let values: Vec<HeaderValue> = headers
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| {
            let text = v.to_str().unwrap_or("");
            let ours = NAMES
                .iter()
                .any(|n| text.strip_prefix(n).is_some_and(|r| r.starts_with('=')));
            if ours {
                HeaderValue::from_str(&format!("{PREFIX}{text}")).unwrap_or_else(|_| v.clone())
            } else {
                v.clone()
            }
        })
        .collect();
    headers.remove(SET_COOKIE);
    for v in values {
        headers.append(SET_COOKIE, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_both_ways_and_drops_planted_cookies() {
        let mut h = HeaderMap::new();
        h.append(
            COOKIE,
            HeaderValue::from_static(
                "a=1; sportello_session=planted; __Host-sportello_session=real",
            ),
        );
        h.append(COOKIE, HeaderValue::from_static("__Host-other=2"));
        unprefix_request(&mut h);
        assert_eq!(
            h.get(COOKIE).unwrap(),
            "a=1; sportello_session=real; __Host-other=2"
        );
        let mut h = HeaderMap::new();
        h.append(
            SET_COOKIE,
            HeaderValue::from_static("sportello_citizen=t; Path=/; Secure"),
        );
        h.append(
            SET_COOKIE,
            HeaderValue::from_static("oidc=x; Path=/v1/oidc/"),
        );
        prefix_response(&mut h);
        let all: Vec<_> = h.get_all(SET_COOKIE).iter().collect();
        assert_eq!(all[0], "__Host-sportello_citizen=t; Path=/; Secure");
        assert_eq!(all[1], "oidc=x; Path=/v1/oidc/");
    }
}
