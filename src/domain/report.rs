//! The contract's report names: what `reports` can compute and what
//! `reports-update` (and the rest of the product, through `db::reports::record`)
//! may record.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportName {
    Conversations,
    MissedConversations,
    ConversationsTime,
    Visitors,
    Leads,
    Users,
    AgentsResponseTime,
    AgentsConversations,
    AgentsConversationsTime,
    AgentsRatings,
    Countries,
    Languages,
    Browsers,
    Os,
    Subscribe,
    FollowUp,
    Registrations,
    ArticlesSearches,
    ArticlesRatings,
    ArticlesViewsSingle,
    ArticlesViews,
    SmsAutomations,
    EmailAutomations,
    MessageAutomations,
    DirectSms,
    DirectEmails,
    DirectMessages,
}

impl ReportName {
    /// In the contract's order.
    pub const ALL: [ReportName; 27] = [
        ReportName::Conversations,
        ReportName::MissedConversations,
        ReportName::ConversationsTime,
        ReportName::Visitors,
        ReportName::Leads,
        ReportName::Users,
        ReportName::AgentsResponseTime,
        ReportName::AgentsConversations,
        ReportName::AgentsConversationsTime,
        ReportName::AgentsRatings,
        ReportName::Countries,
        ReportName::Languages,
        ReportName::Browsers,
        ReportName::Os,
        ReportName::Subscribe,
        ReportName::FollowUp,
        ReportName::Registrations,
        ReportName::ArticlesSearches,
        ReportName::ArticlesRatings,
        ReportName::ArticlesViewsSingle,
        ReportName::ArticlesViews,
        ReportName::SmsAutomations,
        ReportName::EmailAutomations,
        ReportName::MessageAutomations,
        ReportName::DirectSms,
        ReportName::DirectEmails,
        ReportName::DirectMessages,
    ];

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|name| name.as_str() == text.trim())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ReportName::Conversations => "conversations",
            ReportName::MissedConversations => "missed-conversations",
            ReportName::ConversationsTime => "conversations-time",
            ReportName::Visitors => "visitors",
            ReportName::Leads => "leads",
            ReportName::Users => "users",
            ReportName::AgentsResponseTime => "agents-response-time",
            ReportName::AgentsConversations => "agents-conversations",
            ReportName::AgentsConversationsTime => "agents-conversations-time",
            ReportName::AgentsRatings => "agents-ratings",
            ReportName::Countries => "countries",
            ReportName::Languages => "languages",
            ReportName::Browsers => "browsers",
            ReportName::Os => "os",
            ReportName::Subscribe => "subscribe",
            ReportName::FollowUp => "follow-up",
            ReportName::Registrations => "registrations",
            ReportName::ArticlesSearches => "articles-searches",
            ReportName::ArticlesRatings => "articles-ratings",
            ReportName::ArticlesViewsSingle => "articles-views-single",
            ReportName::ArticlesViews => "articles-views",
            ReportName::SmsAutomations => "sms-automations",
            ReportName::EmailAutomations => "email-automations",
            ReportName::MessageAutomations => "message-automations",
            ReportName::DirectSms => "direct-sms",
            ReportName::DirectEmails => "direct-emails",
            ReportName::DirectMessages => "direct-messages",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ReportName;

    #[test]
    fn every_name_parses_back_to_itself_and_others_do_not_parse() {
        for name in ReportName::ALL {
            assert_eq!(ReportName::parse(name.as_str()), Some(name));
        }
        assert_eq!(ReportName::parse(" leads "), Some(ReportName::Leads));
        assert_eq!(ReportName::parse("Leads"), None);
        assert_eq!(ReportName::parse("articles"), None);
    }
}
