//! The rules of a webhook secret rotation (`rotateWebhookSecret` in the Node entry): which
//! secrets a verifier accepts at each step. The JavaScript side only does the I/O (the API calls,
//! the waits, handing each list to `verifier.setSecrets`).
//!
//! 1. [`current_secrets`]: the verifier's secrets before the rotation, current first: the ones the
//!    caller passes, else the ones the last rotation of the same verifier left (unless the
//!    verifier's count says they were changed since).
//! 2. [`old_secret`]: the one of them the subscription's URL carries as a path segment.
//! 3. [`next_secrets`]: the fresh secret first, then the current ones; the URL for the fresh
//!    secret must carry it as a path segment.
//! 4. [`without`]: one secret dropped (the fresh one when the registration failed, the old one
//!    once the old subscription is deleted and drained).

use core::fmt;

use super::url::parse_whatwg;

/// Why a rotation cannot start. The messages never contain a secret or a callback URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RotationError {
    /// No `currentSecrets`, and this verifier was never rotated.
    CurrentSecretsRequired,
    /// The verifier's secret count differs from what its last rotation left.
    ChangedOutside,
    /// `currentSecrets` is not an array of strings.
    CurrentSecretsNotStrings,
    /// The subscription's URL carries none of the current secrets (or is no URL).
    NoCurrentSecretInUrl,
    /// The URL for the fresh secret is not a URL with the secret as a path segment.
    UrlWithoutSecret,
    /// `graceMs` or `drainMs` is not a non-negative number.
    BadDuration(&'static str),
}

impl fmt::Display for RotationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("rotateWebhookSecret: ")?;
        match self {
            Self::CurrentSecretsRequired => f.write_str(
                "pass currentSecrets (the verifier's secrets, current first) the first time",
            ),
            Self::ChangedOutside => f.write_str(
                "the verifier's secrets changed outside rotateWebhookSecret; pass currentSecrets",
            ),
            Self::CurrentSecretsNotStrings => {
                f.write_str("currentSecrets must be an array of strings")
            }
            Self::NoCurrentSecretInUrl => {
                f.write_str("the subscription's URL carries none of the current secrets")
            }
            Self::UrlWithoutSecret => {
                f.write_str("urlFor(secret) must return a URL with the secret as a path segment")
            }
            Self::BadDuration(name) => {
                write!(f, "{name} must be a non-negative number of milliseconds")
            }
        }
    }
}

/// How long both subscriptions stay registered by default: 10 minutes.
pub const DEFAULT_GRACE_MS: f64 = 600_000.0;
/// How long the old secret is still accepted after its subscription is deleted, by default: the
/// platform's retries already in flight (4 attempts, 3 s each) fit in 15 s.
pub const DEFAULT_DRAIN_MS: f64 = 15_000.0;

/// A wait option: `None` is the default; otherwise a finite number of milliseconds, at least 0.
///
/// # Errors
/// [`RotationError::BadDuration`] naming the option.
pub fn duration_ms(
    value: Option<f64>,
    name: &'static str,
    default: f64,
) -> Result<f64, RotationError> {
    match value {
        None => Ok(default),
        Some(n) if n.is_finite() && n >= 0.0 => Ok(n),
        Some(_) => Err(RotationError::BadDuration(name)),
    }
}

/// The secrets the rotation starts from: `given` (the caller's `currentSecrets`) when passed,
/// else `known` (what the last rotation of this verifier left), as long as the verifier still
/// holds as many secrets (`verifier_count`, when it says).
///
/// # Errors
/// [`RotationError::CurrentSecretsRequired`] without either list,
/// [`RotationError::ChangedOutside`] when the count differs.
pub fn current_secrets(
    given: Option<Vec<String>>,
    known: Option<Vec<String>>,
    verifier_count: Option<usize>,
) -> Result<Vec<String>, RotationError> {
    if let Some(given) = given {
        return Ok(given);
    }
    let known = known.ok_or(RotationError::CurrentSecretsRequired)?;
    match verifier_count {
        Some(n) if n != known.len() => Err(RotationError::ChangedOutside),
        _ => Ok(known),
    }
}

fn path_segments(url: &str) -> Option<Vec<String>> {
    let u = parse_whatwg(url)?;
    Some(u.pathname.split('/').map(str::to_owned).collect())
}

/// The current secret that the subscription's URL carries as one of its path segments (the
/// first such in `current`).
///
/// # Errors
/// [`RotationError::NoCurrentSecretInUrl`], also for a URL the WHATWG parser refuses.
pub fn old_secret<'a>(
    current: &'a [String],
    subscription_url: &str,
) -> Result<&'a str, RotationError> {
    let segments = path_segments(subscription_url).ok_or(RotationError::NoCurrentSecretInUrl)?;
    current
        .iter()
        .find(|s| segments.iter().any(|seg| seg == *s))
        .map(String::as_str)
        .ok_or(RotationError::NoCurrentSecretInUrl)
}

/// The secrets to accept once the fresh `secret` is registered at `url`: `secret` first, then
/// `current` (without `secret`, should it be there).
///
/// # Errors
/// [`RotationError::UrlWithoutSecret`] when `url` is not a URL with `secret` as a path segment.
pub fn next_secrets(
    current: &[String],
    secret: &str,
    url: &str,
) -> Result<Vec<String>, RotationError> {
    let segments = path_segments(url).ok_or(RotationError::UrlWithoutSecret)?;
    if !segments.iter().any(|s| s == secret) {
        return Err(RotationError::UrlWithoutSecret);
    }
    let mut next = vec![secret.to_owned()];
    next.extend(current.iter().filter(|s| *s != secret).cloned());
    Ok(next)
}

/// `secrets` without `secret`, order kept.
pub fn without(secrets: &[String], secret: &str) -> Vec<String> {
    secrets.iter().filter(|s| *s != secret).cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    const B: &str = "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
    const C: &str = "CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC";

    fn list(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn current_secrets_come_from_the_caller_or_the_last_rotation() {
        assert_eq!(
            current_secrets(Some(list(&[A])), Some(list(&[B, C])), Some(2)),
            Ok(list(&[A]))
        );
        assert_eq!(
            current_secrets(None, Some(list(&[B, C])), Some(2)),
            Ok(list(&[B, C]))
        );
        assert_eq!(
            current_secrets(None, Some(list(&[B])), None),
            Ok(list(&[B]))
        );
        assert_eq!(
            current_secrets(None, None, Some(1)),
            Err(RotationError::CurrentSecretsRequired)
        );
        assert_eq!(
            current_secrets(None, Some(list(&[B, C])), Some(3)),
            Err(RotationError::ChangedOutside)
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn the_old_secret_is_a_whole_path_segment_of_the_url() {
        let current = list(&[A, B]);
        let url = format!("https://crm.example.com/cb/{B}");
        assert_eq!(old_secret(&current, &url), Ok(B));
        // A prefix of a segment, the query or the host do not count.
        for url in [
            format!("https://crm.example.com/cb/{B}x"),
            format!("https://crm.example.com/cb?s={B}"),
            format!("https://{}.example.com/cb", B.to_lowercase()),
            "not a url".to_owned(),
        ] {
            assert_eq!(
                old_secret(&current, &url),
                Err(RotationError::NoCurrentSecretInUrl)
            );
        }
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn the_fresh_secret_comes_first_and_must_be_in_its_url() {
        let current = list(&[A, B]);
        let url = format!("https://crm.example.com/cb/{C}");
        assert_eq!(next_secrets(&current, C, &url), Ok(list(&[C, A, B])));
        assert_eq!(
            next_secrets(&list(&[C, A]), C, &url),
            Ok(list(&[C, A])),
            "no duplicate"
        );
        for url in [
            format!("https://crm.example.com/cb/{C}/../x"),
            format!("https://crm.example.com/cb#{C}"),
            "/relative/only".to_owned(),
        ] {
            assert_eq!(
                next_secrets(&current, C, &url),
                Err(RotationError::UrlWithoutSecret),
                "{url}"
            );
        }
        assert_eq!(without(&list(&[C, A, B]), A), list(&[C, B]));
        assert_eq!(without(&list(&[C]), A), list(&[C]));
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn durations_are_non_negative_numbers() {
        assert_eq!(
            duration_ms(None, "graceMs", DEFAULT_GRACE_MS),
            Ok(600_000.0)
        );
        assert_eq!(duration_ms(Some(0.0), "graceMs", 1.0), Ok(0.0));
        for bad in [-1.0, f64::NAN, f64::INFINITY] {
            assert_eq!(
                duration_ms(Some(bad), "drainMs", 1.0),
                Err(RotationError::BadDuration("drainMs"))
            );
        }
        assert!(!RotationError::NoCurrentSecretInUrl
            .to_string()
            .contains("http"));
    }
}
