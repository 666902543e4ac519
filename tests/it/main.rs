//! Integration tests: the real server over HTTP, with bodies as PHP clients send them.

mod support;

mod admin;
mod admin_accounts;
mod admin_backoffice;
mod admin_inbox;
mod admin_inbox_requests;
mod admin_people;
mod admin_reports_jobs;
mod admin_sessions;
mod architecture;
mod articles;
mod automations;
mod binary;
mod conversations;
mod dispatch;
mod docs;
mod email;
mod email_delivery;
mod formatting;
mod fuzz;
mod hardening;
mod help;
mod install;
mod jobs;
mod login;
mod messages;
mod notes;
mod outbound_guard;
mod presence;
mod reports;
mod settings;
mod translations;
mod users;
mod webhook_delivery;
mod webhooks;
