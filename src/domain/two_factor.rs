//! Two-factor sign-in with time-based one-time passwords (RFC 6238: HMAC-SHA1, six
//! digits, 30-second steps, what every authenticator app reads). A secret is 160
//! random bits, shown to the person once as base32, an `otpauth://` URI and a QR
//! code drawn as SVG on the server.
//!
//! Stored secrets are masked with the server key: `v1:<nonce>:<secret XOR
//! HMAC(key, nonce)>`, so the database file alone does not give them away (the
//! same reasoning as the API tokens in [`crate::crypto`]). A code is accepted in
//! its own step or one step either side, and each step only once.

use crate::crypto::{random_hex, SecretKey};
use chrono::{DateTime, Utc};
use totp_rs::{Algorithm, Secret, TOTP};

pub const ISSUER: &str = "Switchboard";
const SECRET_BYTES: usize = 20;
const STEP_SECONDS: i64 = 30;
const MASK_PURPOSE: &str = "two-factor-secret";

/// A fresh random secret.
pub fn new_secret() -> Vec<u8> {
    hex::decode(random_hex(SECRET_BYTES)).expect("random_hex is hex")
}

fn mask(key: &SecretKey, nonce: &str, bytes: &[u8]) -> Vec<u8> {
    let pad = hex::decode(key.tag(MASK_PURPOSE, nonce.as_bytes())).expect("tags are hex");
    bytes.iter().zip(pad).map(|(b, p)| b ^ p).collect()
}

/// The secret as it is stored.
pub fn seal(key: &SecretKey, secret: &[u8]) -> String {
    let nonce = random_hex(16);
    format!("v1:{nonce}:{}", hex::encode(mask(key, &nonce, secret)))
}

/// The secret behind a stored value, if it is one [`seal`] made.
pub fn open(key: &SecretKey, stored: &str) -> Option<Vec<u8>> {
    let mut parts = stored.split(':');
    let (Some("v1"), Some(nonce), Some(masked), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    let masked = hex::decode(masked).ok().filter(|m| m.len() == SECRET_BYTES)?;
    Some(mask(key, nonce, &masked))
}

fn totp(secret: &[u8], account: &str) -> Option<TOTP> {
    // The otpauth label may not hold ':' (it separates issuer and account).
    let account = account.replace(':', "");
    TOTP::new(Algorithm::SHA1, 6, 1, STEP_SECONDS as u64, secret.to_vec(), Some(ISSUER.to_string()), account).ok()
}

/// The secret in base32 in groups of four, for typing into an app by hand.
pub fn base32(secret: &[u8]) -> String {
    let Secret::Encoded(text) = Secret::Raw(secret.to_vec()).to_encoded() else { unreachable!("to_encoded encodes") };
    text.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ")
}

/// The `otpauth://totp/…` URI an app scans.
pub fn uri(secret: &[u8], account: &str) -> String {
    totp(secret, account).map(|t| t.get_url()).unwrap_or_default()
}

/// The URI as a QR code in SVG.
pub fn qr_svg(uri: &str) -> Option<String> {
    let code = qrcode::QrCode::new(uri.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color>()
            .min_dimensions(220, 220)
            .dark_color(qrcode::render::svg::Color("#1f2933"))
            .light_color(qrcode::render::svg::Color("#ffffff"))
            .build(),
    )
}

/// The time step `code` belongs to, when it is right at `at` (or one step either side).
pub fn matching_step(secret: &[u8], code: &str, at: DateTime<Utc>) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let totp = totp(secret, "")?;
    let now_step = at.timestamp().div_euclid(STEP_SECONDS);
    [now_step - 1, now_step, now_step + 1].into_iter().filter(|step| *step >= 0).find(|step| {
        let expected = totp.generate((step * STEP_SECONDS) as u64);
        crate::crypto::constant_time_eq(&expected, &code)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_the_key_and_hide_the_secret() {
        let key = SecretKey::for_tests();
        let secret = new_secret();
        let stored = seal(&key, &secret);
        assert!(!stored.contains(&hex::encode(&secret)));
        assert_eq!(open(&key, &stored).unwrap(), secret);
        assert_ne!(seal(&key, &secret), stored, "a fresh nonce each time");
        assert_eq!(open(&key, "v1:zz:00"), None);
    }

    #[test]
    fn codes_follow_rfc_6238_and_match_one_step_either_side() {
        // RFC 6238 appendix B, SHA-1: at 59 s the 8-digit code is 94287082, so the 6-digit one is 287082.
        let secret = b"12345678901234567890".to_vec();
        let at = |s: i64| DateTime::from_timestamp(s, 0).unwrap();
        assert_eq!(matching_step(&secret, "287082", at(59)), Some(1));
        assert_eq!(matching_step(&secret, "287 082", at(59 + 30)), Some(1), "a step late is still fine");
        assert_eq!(matching_step(&secret, "287082", at(59 + 90)), None, "three steps late is not");
        assert_eq!(matching_step(&secret, "28708", at(59)), None);
        assert_eq!(matching_step(&secret, "abcdef", at(59)), None);
    }

    #[test]
    fn the_uri_and_base32_name_the_same_secret() {
        let secret = b"12345678901234567890".to_vec();
        assert_eq!(base32(&secret), "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ");
        let uri = uri(&secret, "ann@example.com");
        assert!(uri.starts_with("otpauth://totp/Switchboard:ann%40example.com?"), "{uri}");
        assert!(uri.contains("secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"), "{uri}");
        assert!(qr_svg(&uri).unwrap().starts_with("<?xml"));
    }
}
