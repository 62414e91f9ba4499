//! Incoming `x-request-id` values. A client's id is echoed in the response
//! and written into every log line of the request, so only ids that cannot
//! pass for anything else are kept: 1 to 64 characters of
//! `A-Z a-z 0-9 . _ : -`, sent once. Any other value is dropped before the
//! request-id layer, which then gives the request a fresh UUID.

use axum::http::{HeaderName, Request};

const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest request id kept.
pub const MAX_LEN: usize = 64;

/// Whether `id` may be kept as the request's id.
pub fn is_valid(id: &[u8]) -> bool {
    (1..=MAX_LEN).contains(&id.len())
        && id
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

/// Drops an `x-request-id` that is not valid, or sent more than once.
pub fn sanitize<B>(mut request: Request<B>) -> Request<B> {
    let headers = request.headers_mut();
    let mut values = headers.get_all(&X_REQUEST_ID).iter();
    let keep = match (values.next(), values.next()) {
        (None, _) => true,
        (Some(value), None) => is_valid(value.as_bytes()),
        (Some(_), Some(_)) => false,
    };
    if !keep {
        headers.remove(&X_REQUEST_ID);
    }
    request
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_short_runs_of_safe_characters() {
        for good in ["a", "req-1", "2f1c:9a.b_c", &"x".repeat(64)] {
            assert!(is_valid(good.as_bytes()), "{good}");
        }
        for bad in [
            "",
            &"x".repeat(65),
            "a b",
            "a\" forged=\"1",
            "a=b",
            "a\tb",
            "\u{1b}[31mred",
            "안녕",
        ] {
            assert!(!is_valid(bad.as_bytes()), "{bad:?}");
        }
    }
}
