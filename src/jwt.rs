//! Reading (not verifying) the API key: a JSON Web Token whose `exp` claim tells when it expires.
//!
//! The SDK cannot verify the signature (only the platform holds the secret); it checks the shape so
//! that a pasted wrong value fails before any request, and reads `exp` for `apiKeyExpiresAt`.

use serde::Deserialize;

use crate::error::ConfigError;

/// The claims the SDK reads from an API key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiKeyClaims {
    /// Expiry, seconds since the Unix epoch, when the key carries `exp`.
    pub exp: Option<i64>,
    /// The owner's id (`sub`), when present.
    pub sub: Option<String>,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
}

#[derive(Deserialize)]
struct Claims {
    #[serde(default)]
    exp: Option<f64>,
    #[serde(default)]
    sub: Option<String>,
}

const MAX_KEY_LEN: usize = 8 * 1024;

/// Checks that `key` is a compact JWS (three base64url segments, JSON header and payload) and
/// returns the claims the SDK uses.
///
/// # Errors
/// [`ConfigError::InvalidApiKey`] naming what is wrong; the message never contains the key.
pub fn parse_api_key(key: &str) -> Result<ApiKeyClaims, ConfigError> {
    let bad = |why: &str| ConfigError::InvalidApiKey(why.to_owned());
    if key.is_empty() {
        return Err(bad("empty"));
    }
    if key.len() > MAX_KEY_LEN {
        return Err(bad("longer than 8 KiB"));
    }
    if key.trim() != key {
        return Err(bad("leading or trailing white space"));
    }
    let mut parts = key.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad(
            "not a JWT (expected three dot-separated base64url segments)",
        ));
    };
    if h.is_empty() || p.is_empty() || s.is_empty() {
        return Err(bad("not a JWT (empty segment)"));
    }
    let decode = |seg: &str, what: &str| {
        let bytes = crate::b64::decode(seg.trim_end_matches('='))
            .ok_or_else(|| bad(&format!("not a JWT ({what} is not base64url)")))?;
        // serde would also accept a JSON array for a struct; a JWT part is always an object.
        if what != "signature" && bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return Err(bad(&format!("not a JWT ({what} is not a JSON object)")));
        }
        Ok(bytes)
    };
    let header: Header = serde_json::from_slice(&decode(h, "header")?)
        .map_err(|_| bad("not a JWT (header is not a JSON object with alg)"))?;
    if header.alg.eq_ignore_ascii_case("none") {
        return Err(bad("unsigned JWT (alg none)"));
    }
    decode(s, "signature")?;
    let claims: Claims = serde_json::from_slice(&decode(p, "payload")?)
        .map_err(|_| bad("not a JWT (payload is not a JSON object with valid claims)"))?;
    let exp = match claims.exp {
        Some(v) if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15 => Some(v as i64),
        Some(_) => return Err(bad("exp claim is not a whole number of seconds")),
        None => None,
    };
    Ok(ApiKeyClaims {
        exp,
        sub: claims.sub,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(header: &str, payload: &str) -> String {
        format!(
            "{}.{}.c2ln",
            crate::b64::encode(header.as_bytes()),
            crate::b64::encode(payload.as_bytes())
        )
    }

    #[test]
    fn reads_exp_and_sub() {
        let k = jwt(r#"{"alg":"HS256"}"#, r#"{"exp":1893456000,"sub":"u1"}"#);
        let c = parse_api_key(&k).unwrap();
        assert_eq!(c.exp, Some(1_893_456_000));
        assert_eq!(c.sub.as_deref(), Some("u1"));
    }

    #[test]
    fn rejects_malformed_without_echoing() {
        for k in [
            "",
            "abc",
            "a.b",
            "a.b.c.d",
            "!!.!!.!!",
            "secret-value-not-a-jwt",
            " x.y.z",
        ] {
            let e = parse_api_key(k).unwrap_err();
            assert_eq!(e.code(), "INVALID_API_KEY");
            if k.len() > 3 {
                assert!(!e.to_string().contains(k), "{e}");
            }
        }
        let none = jwt(r#"{"alg":"none"}"#, r#"{}"#);
        assert!(parse_api_key(&none).is_err());
        let frac = jwt(r#"{"alg":"HS256"}"#, r#"{"exp":1.5}"#);
        assert!(parse_api_key(&frac).is_err());
        let arr = jwt(r#"{"alg":"HS256"}"#, r#"[1]"#);
        assert!(parse_api_key(&arr).is_err());
    }
}
