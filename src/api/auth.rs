//! Token -> caller. Only admins may call the API. The token is hashed with the
//! server key to find its user, and the stored hash is compared in constant time.

use crate::crypto::{constant_time_eq, SecretKey, TOKEN_LEN};
use crate::db::users::{self, UserRow};
use crate::domain::UserType;
use crate::error::{ApiResult, Failure};
use rusqlite::Connection;

pub fn authenticate_admin(conn: &Connection, key: &SecretKey, token: &str) -> ApiResult<UserRow> {
    let token = token.trim().to_ascii_lowercase();
    if token.len() != TOKEN_LEN || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Failure::InvalidToken.into());
    }
    let lookup = key.token_lookup(&token);
    match users::find_by_token_lookup(conn, &lookup)? {
        Some((user, stored)) if constant_time_eq(&stored, &lookup) && user.user_type == UserType::Admin => Ok(user),
        _ => Err(Failure::InvalidToken.into()),
    }
}
