//! Minimal, allocation-free STUN inspection for demultiplexing.
//!
//! Only what routing needs: is this datagram a STUN message (RFC 7983 first-byte ranges plus
//! the magic cookie), and the local (server) ufrag from the USERNAME attribute of a Binding
//! Request (`"serverUfrag:clientUfrag"`, RFC 8445 §7.2.2). Integrity is checked by the ICE agent
//! of the connection the datagram is routed to, not here.

const MAGIC_COOKIE: [u8; 4] = [0x21, 0x12, 0xA4, 0x42];
const HEADER_LEN: usize = 20;
const BINDING_REQUEST: u16 = 0x0001;
/// STUN Binding Success Response message type.
pub const BINDING_SUCCESS: u16 = 0x0101;
const ATTR_USERNAME: u16 = 0x0006;

/// True when `buf` looks like a STUN message (first byte 0..=3 and the magic cookie).
pub fn is_stun(buf: &[u8]) -> bool {
    buf.len() >= HEADER_LEN && buf[0] < 4 && buf[4..8] == MAGIC_COOKIE
}

/// The STUN message type, if `buf` is STUN.
pub fn message_type(buf: &[u8]) -> Option<u16> {
    is_stun(buf).then(|| u16::from_be_bytes([buf[0], buf[1]]))
}

/// The server-side ufrag (the part before `:` in USERNAME) of a STUN Binding Request.
///
/// Returns `None` for anything else, including truncated or malformed messages.
pub fn binding_request_local_ufrag(buf: &[u8]) -> Option<&str> {
    if message_type(buf)? != BINDING_REQUEST {
        return None;
    }
    let body_len = u16::from_be_bytes([buf[2], buf[3]]) as usize;
    let end = HEADER_LEN.checked_add(body_len)?;
    if end > buf.len() || !body_len.is_multiple_of(4) {
        return None;
    }
    let mut pos = HEADER_LEN;
    while pos + 4 <= end {
        let typ = u16::from_be_bytes([buf[pos], buf[pos + 1]]);
        let len = u16::from_be_bytes([buf[pos + 2], buf[pos + 3]]) as usize;
        let value_start = pos + 4;
        let value_end = value_start.checked_add(len)?;
        if value_end > end {
            return None;
        }
        if typ == ATTR_USERNAME {
            let username = std::str::from_utf8(&buf[value_start..value_end]).ok()?;
            let (local, _remote) = username.split_once(':')?;
            return (!local.is_empty()).then_some(local);
        }
        // Attributes are padded to a multiple of four bytes.
        pos = value_start + len.div_ceil(4) * 4;
    }
    None
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Builds a Binding Request with a USERNAME attribute (and a fake trailing attribute).
    pub(crate) fn binding_request(username: &str) -> Vec<u8> {
        let mut attrs = Vec::new();
        // A PRIORITY attribute first, to exercise skipping.
        attrs.extend_from_slice(&0x0024u16.to_be_bytes());
        attrs.extend_from_slice(&4u16.to_be_bytes());
        attrs.extend_from_slice(&[1, 2, 3, 4]);
        attrs.extend_from_slice(&ATTR_USERNAME.to_be_bytes());
        attrs.extend_from_slice(&(username.len() as u16).to_be_bytes());
        attrs.extend_from_slice(username.as_bytes());
        while !attrs.len().is_multiple_of(4) {
            attrs.push(0);
        }
        let mut msg = Vec::new();
        msg.extend_from_slice(&BINDING_REQUEST.to_be_bytes());
        msg.extend_from_slice(&(attrs.len() as u16).to_be_bytes());
        msg.extend_from_slice(&MAGIC_COOKIE);
        msg.extend_from_slice(&[7u8; 12]);
        msg.extend_from_slice(&attrs);
        msg
    }

    #[test]
    fn parses_local_ufrag() {
        let msg = binding_request("srvUfrag1:cli");
        assert!(is_stun(&msg));
        assert_eq!(binding_request_local_ufrag(&msg), Some("srvUfrag1"));
    }

    #[test]
    fn padding_is_skipped() {
        // 5-byte username forces 3 bytes of padding.
        let msg = binding_request("ab:cd");
        assert_eq!(binding_request_local_ufrag(&msg), Some("ab"));
    }

    #[test]
    fn rejects_non_requests_and_garbage() {
        let mut msg = binding_request("a:b");
        msg[0] = 0x01; // 0x0101 success response
        assert_eq!(binding_request_local_ufrag(&msg), None);
        assert_eq!(message_type(&msg), Some(BINDING_SUCCESS));
        assert_eq!(binding_request_local_ufrag(&[0u8; 3]), None);
        assert_eq!(binding_request_local_ufrag(&[0x80u8; 40]), None); // RTP
        let mut truncated = binding_request("abc:def");
        truncated.truncate(truncated.len() - 4);
        assert_eq!(binding_request_local_ufrag(&truncated), None);
        assert_eq!(
            binding_request_local_ufrag(&binding_request("nocolon")),
            None
        );
        assert_eq!(binding_request_local_ufrag(&binding_request(":x")), None);
        // Attribute length pointing past the end.
        let mut bad = binding_request("a:b");
        bad[HEADER_LEN + 2] = 0xff;
        assert_eq!(binding_request_local_ufrag(&bad), None);
    }
}
