//! The threading rules of the email channel, as pure functions: Message-IDs, the
//! reply token in a reply-to address (`support+<token>@example.com`) and the
//! subject tag (`[#123]`). What they are matched against is `ops::inbound_email`'s.

/// How long a reply token is, in hex digits: 96 random bits.
pub const TOKEN_LEN: usize = 24;

/// A Message-ID as stored: without angle brackets or spaces; `None` when it is
/// empty or too long to be one.
pub fn message_id(text: &str) -> Option<String> {
    let id = text.trim().trim_start_matches('<').trim_end_matches('>').trim();
    (!id.is_empty() && id.len() <= 250 && !id.chars().any(|c| c.is_whitespace() || c.is_control()))
        .then(|| id.to_string())
}

/// `base` (`support@example.com`) with `+token` after its local part.
pub fn reply_address(base: &str, token: &str) -> Option<String> {
    let (local, domain) = base.split_once('@')?;
    let local = local.split_once('+').map_or(local, |(bare, _)| bare);
    Some(format!("{local}+{token}@{domain}"))
}

/// The reply token in an address, if it has one of the right shape.
pub fn token_in(address: &str) -> Option<String> {
    let (local, _) = address.trim().rsplit_once('@')?;
    let (_, token) = local.rsplit_once('+')?;
    let token = token.to_ascii_lowercase();
    (token.len() == TOKEN_LEN && token.chars().all(|c| c.is_ascii_hexdigit())).then_some(token)
}

/// The conversation named by a `[#123]` tag in a subject.
pub fn subject_tag(subject: &str) -> Option<i64> {
    let start = subject.find("[#")? + 2;
    let rest = &subject[start..];
    let end = rest.find(']')?;
    rest[..end].parse().ok().filter(|id| *id > 0)
}

/// The subject of Switchboard's replies in a conversation: `Re: ` once, then the
/// subject, then the conversation's tag once.
pub fn reply_subject(subject: &str, conversation_id: i64) -> String {
    let tag = format!("[#{conversation_id}]");
    let mut bare = subject.trim();
    while let Some(rest) = strip_reply_prefix(bare) {
        bare = rest;
    }
    let bare = bare.replace(&tag, "");
    let bare = bare.trim();
    if bare.is_empty() {
        format!("Re: {tag}")
    } else {
        format!("Re: {bare} {tag}")
    }
}

fn strip_reply_prefix(subject: &str) -> Option<&str> {
    ["re:", "aw:", "fwd:", "fw:", "sv:"]
        .iter()
        .find(|prefix| subject.get(..prefix.len()).is_some_and(|head| head.eq_ignore_ascii_case(prefix)))
        .map(|prefix| subject[prefix.len()..].trim_start())
}

/// Whether `address` is `own` or one of its `+token` forms (case ignored).
pub fn is_address_of(address: &str, own: &str) -> bool {
    let (Some((local, domain)), Some((own_local, own_domain))) = (address.rsplit_once('@'), own.rsplit_once('@'))
    else {
        return false;
    };
    let local = local.split_once('+').map_or(local, |(bare, _)| bare);
    !own_local.is_empty() && local.eq_ignore_ascii_case(own_local) && domain.eq_ignore_ascii_case(own_domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_lose_their_brackets_and_junk_is_refused() {
        assert_eq!(message_id(" <abc@example.com> ").as_deref(), Some("abc@example.com"));
        assert_eq!(message_id("<>"), None);
        assert_eq!(message_id("<a b@c>"), None);
    }

    #[test]
    fn reply_tokens_ride_in_the_local_part_and_come_back_out() {
        let token = "0123456789abcdef01234567";
        let address = reply_address("support@example.com", token).unwrap();
        assert_eq!(address, "support+0123456789abcdef01234567@example.com");
        assert_eq!(token_in(&address).as_deref(), Some(token));
        assert_eq!(token_in("SUPPORT+0123456789ABCDEF01234567@example.com").as_deref(), Some(token));
        assert_eq!(token_in("support+short@example.com"), None);
        assert_eq!(token_in("support@example.com"), None);
        assert!(is_address_of("Support+x@Example.com", "support@example.com"));
        assert!(!is_address_of("supporter@example.com", "support@example.com"));
    }

    #[test]
    fn subject_tags_name_a_conversation_and_reply_subjects_carry_one_tag() {
        assert_eq!(subject_tag("Re: Broken [#42]"), Some(42));
        assert_eq!(subject_tag("Order #42"), None);
        assert_eq!(subject_tag("[#x]"), None);
        assert_eq!(reply_subject("RE: Aw: Broken printer [#42]", 42), "Re: Broken printer [#42]");
        assert_eq!(reply_subject("", 7), "Re: [#7]");
    }
}
