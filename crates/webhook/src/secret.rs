//! How much a secret path segment carries.

/// Estimated bits of a secret segment: length times the bits of the smallest alphabet it fits
/// (digits, hex, alphanumerics, base64url), or 0 when it repeats too few characters to be random.
pub fn secret_bits(segment: &str) -> f64 {
    let b = segment.as_bytes();
    if b.is_empty()
        || !b
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_')
    {
        return 0.0;
    }
    let mut distinct = [false; 128];
    b.iter().for_each(|&c| distinct[usize::from(c)] = true);
    if distinct.iter().filter(|d| **d).count() < 8 {
        return 0.0;
    }
    let per_char: f64 = if b.iter().all(u8::is_ascii_digit) {
        10f64.log2()
    } else if b.iter().all(u8::is_ascii_hexdigit) {
        4.0
    } else if b.iter().all(u8::is_ascii_alphanumeric) {
        62f64.log2()
    } else {
        6.0
    };
    per_char * b.len() as f64
}
