//! Thin wrappers over argon2, HMAC-SHA256 and the OS random generator: passwords,
//! API tokens, signed cookie values, webhook signatures and constant-time
//! comparison.
//!
//! API tokens are *derived*, never stored: `token = HMAC(key, user id, nonce)`.
//! The database keeps only the nonce and a keyed hash used to find the user, and
//! the key lives in `secret.key` beside the database (mode 0600), so a stolen
//! database file alone yields no working token, while `admin token` can still
//! print a token again.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::Sha256;
use std::io::Write;
use std::path::Path;
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

const KEY_LEN: usize = 32;
/// The contract's tokens are 40 hex characters.
pub const TOKEN_LEN: usize = 40;

#[derive(Clone)]
pub struct SecretKey([u8; KEY_LEN]);

impl SecretKey {
    /// Reads the key file, creating it with fresh random bytes (mode 0600) on first use.
    pub fn load_or_create(path: &Path) -> std::io::Result<Self> {
        match std::fs::read(path) {
            Ok(bytes) => {
                let key: [u8; KEY_LEN] = bytes.as_slice().try_into().map_err(|_| {
                    std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!("{} must hold exactly {KEY_LEN} bytes", path.display()),
                    )
                })?;
                Ok(Self(key))
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; KEY_LEN];
                OsRng.fill_bytes(&mut key);
                write_private_file(path, &key)?;
                Ok(Self(key))
            }
            Err(err) => Err(err),
        }
    }

    #[cfg(test)]
    pub fn for_tests() -> Self {
        Self([7u8; KEY_LEN])
    }

    fn mac(&self, purpose: &str, parts: &[&[u8]]) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.0).expect("HMAC accepts any key length");
        mac.update(purpose.as_bytes());
        for part in parts {
            // Length-prefixing keeps ("ab","c") and ("a","bc") apart.
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        mac
    }

    /// A fresh token for a user: the nonce to store, the lookup hash to store, and
    /// the token itself (derivable again from the nonce with [`SecretKey::api_token`]).
    pub fn issue_token(&self) -> IssuedToken {
        let nonce = random_hex(16);
        let token = self.api_token(&nonce);
        IssuedToken { lookup: self.token_lookup(&token), nonce, token }
    }

    /// The API token behind a stored nonce: 40 hex characters, reproducible only with the key.
    pub fn api_token(&self, nonce: &str) -> String {
        let digest = self.mac("api-token", &[nonce.as_bytes()]).finalize().into_bytes();
        let mut token = hex::encode(digest);
        token.truncate(TOKEN_LEN);
        token
    }

    /// The keyed hash stored to find a user by token.
    pub fn token_lookup(&self, token: &str) -> String {
        hex::encode(self.mac("token-lookup", &[token.as_bytes()]).finalize().into_bytes())
    }

    /// An HMAC of `bytes` for `purpose`, as hex: for documents that carry their own signature.
    pub fn tag(&self, purpose: &str, bytes: &[u8]) -> String {
        hex::encode(self.mac(purpose, &[bytes]).finalize().into_bytes())
    }

    /// Whether `tag` is [`SecretKey::tag`] of `bytes`, compared in constant time.
    pub fn verify_tag(&self, purpose: &str, bytes: &[u8], tag: &str) -> bool {
        hex::decode(tag).is_ok_and(|tag| self.mac(purpose, &[bytes]).verify_slice(&tag).is_ok())
    }

    /// `payload` with an HMAC attached, as one cookie-safe string.
    pub fn sign(&self, payload: &str) -> String {
        let tag = self.mac("signed-value", &[payload.as_bytes()]).finalize().into_bytes();
        format!("{}.{}", URL_SAFE_NO_PAD.encode(payload), URL_SAFE_NO_PAD.encode(tag))
    }

    /// The payload of a value made by [`SecretKey::sign`], if its tag is genuine.
    pub fn verify(&self, signed: &str) -> Option<String> {
        let (payload, tag) = signed.split_once('.')?;
        let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        self.mac("signed-value", &[payload.as_bytes()]).verify_slice(&tag).ok()?;
        Some(payload)
    }
}

pub struct IssuedToken {
    pub nonce: String,
    pub lookup: String,
    pub token: String,
}

pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// Lowercase hex HMAC-SHA256 of `parts` joined end to end, under `key` (webhook
/// signatures, which receivers recompute with the secret they share).
pub fn hmac_sha256_hex(key: &[u8], parts: &[&[u8]]) -> String {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC accepts any key length");
    parts.iter().for_each(|part| mac.update(part));
    hex::encode(mac.finalize().into_bytes())
}

/// `bytes` random bytes as lowercase hex.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}

/// A password a person can type, for the first admin.
pub fn random_password() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 15]>())
}

/// An argon2id hash in PHC format.
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing with default parameters cannot fail")
        .to_string()
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

fn write_private_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_hex_matches_rfc_4231_whatever_the_split() {
        let expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        assert_eq!(hmac_sha256_hex(b"Jefe", &[b"what do ya want for nothing?"]), expected);
        assert_eq!(hmac_sha256_hex(b"Jefe", &[b"what do ya", b" want for nothing?"]), expected);
    }

    #[test]
    fn tokens_are_40_hex_derivable_from_the_nonce_and_found_by_lookup() {
        let key = SecretKey::for_tests();
        let issued = key.issue_token();
        assert_eq!(issued.token.len(), TOKEN_LEN);
        assert!(issued.token.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(issued.token, key.api_token(&issued.nonce));
        assert_eq!(issued.lookup, key.token_lookup(&issued.token));
        assert_ne!(issued.token, key.issue_token().token);
        assert_ne!(key.api_token("n1"), SecretKey([8u8; KEY_LEN]).api_token("n1"), "another key, another token");
    }

    #[test]
    fn signed_values_reject_tampering() {
        let key = SecretKey::for_tests();
        let signed = key.sign("session:42");
        assert_eq!(key.verify(&signed).as_deref(), Some("session:42"));
        let forged = format!("{}.{}", URL_SAFE_NO_PAD.encode("session:43"), signed.split_once('.').unwrap().1);
        assert_eq!(key.verify(&forged), None);
        assert_eq!(key.verify("garbage"), None);
    }

    #[test]
    fn passwords_verify_only_with_the_right_password() {
        let hash = hash_password("correct horse");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("wrong horse", &hash));
        assert!(!verify_password("x", "not a hash"));
    }
}
