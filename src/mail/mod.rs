//! The email front door: mail comes in from the piped IMAP mailbox, is parsed
//! here, and becomes conversations through `ops::inbound_email`. The
//! synchronisation is the `email-piping` job (registered with the jobs at start,
//! see [`crate::state::Background::set_piping`]); [`idle`] wakes it as soon as
//! the server says new mail arrived, where the server offers IMAP IDLE.

pub mod connection;
pub mod content;
pub mod idle;
pub mod parse;
pub mod sync;
