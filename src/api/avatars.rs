//! `get-avatar`: an initials picture for people without a photo, written once per
//! set of initials under `uploads/avatars/` and served from there.

use super::Call;
use crate::error::{ApiResult, Failure};
use askama::Template;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// Calm backgrounds with enough contrast for white letters.
const BACKGROUNDS: [&str; 8] = ["#5c6bc0", "#26a69a", "#ef6c00", "#8d6e63", "#7e57c2", "#2e7d32", "#c2185b", "#00838f"];

#[derive(Template)]
#[template(path = "files/avatar.svg")]
struct AvatarSvg<'a> {
    initials: &'a str,
    background: &'a str,
}

pub fn get_avatar(call: &mut Call) -> ApiResult<Value> {
    let first = call.args.text_max("first_name", 255)?.unwrap_or_default();
    let last = call.args.text_max("last_name", 255)?.unwrap_or_default();
    let initials: String = [first.trim(), last.trim()]
        .iter()
        .filter_map(|name| name.chars().next())
        .flat_map(char::to_uppercase)
        .collect();
    if initials.is_empty() {
        return Err(Failure::invalid("first_name", "give a first or last name to take initials from").into());
    }
    let digest = Sha256::digest(initials.as_bytes());
    let file_name = format!("{}.svg", hex::encode(&digest[..12]));
    let dir = call.state.config.uploads_dir().join("avatars");
    let path = dir.join(&file_name);
    if !path.exists() {
        let svg = AvatarSvg { initials: &initials, background: BACKGROUNDS[digest[0] as usize % BACKGROUNDS.len()] }
            .render()
            .map_err(|err| {
                tracing::error!(error = %err, "avatar template failed");
                Failure::InternalError
            })?;
        std::fs::create_dir_all(&dir)?;
        // Written aside and renamed, so a reader never sees half a file.
        let partial = dir.join(format!("{file_name}.{}.part", crate::crypto::random_hex(4)));
        std::fs::write(&partial, svg)?;
        std::fs::rename(&partial, &path)?;
    }
    Ok(json!(format!("{}/uploads/avatars/{file_name}", call.state.config.public_base())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_are_escaped_in_the_svg() {
        let svg = AvatarSvg { initials: "<&", background: "#000000" }.render().unwrap();
        assert!(svg.contains("&#60;&#38;"), "{svg}");
        assert!(!svg.contains("<&"));
    }
}
