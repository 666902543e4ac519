//! Small validated types shared by the API and the store. Parsing happens once, at
//! the edge; past it, an `Email` is an email and a `UserType` is one of the six.

pub mod articles;
pub mod audit;
pub mod automations;
pub mod days;
mod email;
pub mod email_template;
pub mod email_threading;
pub mod files;
pub mod markup;
pub mod office_hours;
pub mod people;
pub mod report;
pub mod settings;
mod status;
pub mod two_factor;
mod user_type;

pub use email::Email;
pub use report::ReportName;
pub use status::{is_source_code, source_name, status_label, ConversationStatus};
pub use user_type::{UserSort, UserType};

/// Rows per page of every paginated list, as the contract has it.
pub const PAGE_SIZE: i64 = 100;

/// `pagination=N` is the N-th page of 100, counted from 1; 0 or absent is the first.
pub fn page_offset(pagination: i64) -> i64 {
    (pagination.max(1) - 1).saturating_mul(PAGE_SIZE)
}

#[cfg(test)]
mod tests {
    #[test]
    fn page_offsets_count_from_one_and_never_overflow() {
        assert_eq!(super::page_offset(0), 0);
        assert_eq!(super::page_offset(1), 0);
        assert_eq!(super::page_offset(3), 200);
        assert_eq!(super::page_offset(i64::MAX), i64::MAX);
        assert_eq!(super::page_offset(i64::MIN), 0);
    }
}

/// "After" arguments (`datetime` in the contract) are an ID or a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum After {
    Id(i64),
    Time(String),
}

impl After {
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if let Ok(id) = text.parse::<i64>() {
            return Some(After::Id(id));
        }
        crate::clock::parse_datetime(text).map(After::Time)
    }
}
