//! Builds the benchmark's data set through the bulk path: users, agents,
//! conversations and messages of 5–40 words from a fixed vocabulary (a rare word
//! in one message in a thousand), one conversation of exactly 50 messages, and a
//! small knowledge base.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::time::Instant;
use switchboard::db::articles::{self, NewArticle};
use switchboard::db::bulk::{self, SeedUser};
use switchboard::domain::Email;
use switchboard::state::AppState;

pub const RARE_WORD: &str = "zyzzyva";
const AGENTS: usize = 20;

const VOCABULARY: &[&str] = &[
    "order",
    "parcel",
    "delivery",
    "refund",
    "invoice",
    "account",
    "password",
    "login",
    "shipping",
    "tracking",
    "payment",
    "card",
    "discount",
    "coupon",
    "size",
    "colour",
    "return",
    "exchange",
    "warranty",
    "broken",
    "missing",
    "late",
    "address",
    "phone",
    "email",
    "help",
    "please",
    "thanks",
    "hello",
    "today",
    "tomorrow",
    "week",
    "number",
    "code",
    "website",
    "app",
    "cart",
    "checkout",
    "price",
    "stock",
    "available",
    "cancel",
    "change",
    "update",
    "problem",
    "question",
    "answer",
    "support",
    "agent",
    "customer",
    "quick",
    "slow",
    "great",
    "sorry",
    "again",
    "still",
    "waiting",
    "received",
    "sent",
    "box",
    "label",
    "courier",
    "store",
    "online",
    "offline",
    "time",
    "hours",
    "open",
    "closed",
    "weekend",
];
const FIRST_NAMES: &[&str] =
    &["Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sofia", "Lucas", "Mia", "Mateo", "Aria", "Leo"];
const LAST_NAMES: &[&str] =
    &["Smith", "Garcia", "Müller", "Rossi", "Dubois", "Silva", "Kowalski", "Jensen", "Novak", "Tanaka"];

pub struct Plan {
    pub users: usize,
    pub conversations: usize,
    pub messages: usize,
}

/// What the load needs to know about the data set.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Fixture {
    pub token: String,
    pub agent_ids: Vec<i64>,
    pub user_count: i64,
    pub conversation_count: i64,
    /// The conversation with exactly 50 messages, and the ID of its 40th message.
    pub long_conversation: i64,
    pub fortieth_message: i64,
}

fn sentence(rng: &mut StdRng) -> String {
    let words = rng.gen_range(5..=40);
    let mut text = String::with_capacity(words * 8);
    for i in 0..words {
        if i > 0 {
            text.push(' ');
        }
        text.push_str(VOCABULARY[rng.gen_range(0..VOCABULARY.len())]);
    }
    text
}

pub fn seed(state: &AppState, plan: &Plan) -> Result<Fixture, Box<dyn std::error::Error>> {
    let started = Instant::now();
    let now = state.clock.now_text();
    let mut conn = switchboard::db::open(&state.config.database_path())?;
    let email = Email::parse("bench@example.com").ok_or("bench email")?;
    let (_, token) = switchboard::ops::users::create_admin(
        &mut conn,
        &state.key,
        &now,
        email,
        "bench-password",
        &switchboard::domain::audit::Actor::system(),
    )
    .map_err(|e| format!("{e:?}"))?;
    let mut rng = StdRng::seed_from_u64(42);
    bulk::begin(&conn)?;
    let mut agent_ids = Vec::with_capacity(AGENTS);
    let mut customer_ids = Vec::with_capacity(plan.users);
    for i in 0..AGENTS + plan.users {
        let issued = state.key.issue_token();
        let agent = i < AGENTS;
        let email = format!("{}{i}@example.com", if agent { "agent" } else { "user" });
        let user_type = if agent { "agent" } else { ["visitor", "lead", "user"][i % 3] };
        let id = bulk::user(
            &conn,
            &SeedUser {
                first_name: FIRST_NAMES[i % FIRST_NAMES.len()],
                last_name: LAST_NAMES[(i / FIRST_NAMES.len()) % LAST_NAMES.len()],
                email: &email,
                user_type,
                token_nonce: &issued.nonce,
                token_lookup: &issued.lookup,
            },
            &now,
        )?;
        if agent {
            agent_ids.push(id)
        } else {
            customer_ids.push(id)
        }
    }
    let mut conversation_ids = Vec::with_capacity(plan.conversations);
    for i in 0..plan.conversations {
        let user = customer_ids[rng.gen_range(0..customer_ids.len())];
        conversation_ids.push(bulk::conversation(&conn, user, if i % 10 == 0 { 3 } else { (i % 3) as i64 }, &now)?);
    }
    let long_conversation = conversation_ids[0];
    let mut fortieth_message = 0;
    for i in 0..50 {
        let id = bulk::message(&conn, long_conversation, agent_ids[i % 2], &sentence(&mut rng), &now)?;
        if i == 39 {
            fortieth_message = id;
        }
    }
    for i in 50..plan.messages {
        let conversation = conversation_ids[1 + rng.gen_range(0..conversation_ids.len() - 1)];
        let sender = if i % 2 == 0 {
            agent_ids[rng.gen_range(0..AGENTS)]
        } else {
            customer_ids[rng.gen_range(0..customer_ids.len())]
        };
        let mut text = sentence(&mut rng);
        if i % 1000 == 0 {
            text.push(' ');
            text.push_str(RARE_WORD);
        }
        bulk::message(&conn, conversation, sender, &text, &now)?;
    }
    let knowledge: Vec<NewArticle> = (0..200)
        .map(|i| {
            let text = sentence(&mut rng);
            NewArticle {
                id: format!("A{i}"),
                language: String::new(),
                title: format!("{} {} {}", VOCABULARY[i % VOCABULARY.len()], VOCABULARY[(i * 7) % VOCABULARY.len()], i),
                content: format!("<p>{text}</p>"),
                text,
                link: String::new(),
                slug: format!("article-{i}"),
            }
        })
        .collect();
    articles::replace_all(&conn, &knowledge, &[], &now)?;
    bulk::commit(&conn)?;
    eprintln!(
        "seeded {} users, {} conversations, {} messages in {:.1} s",
        plan.users + AGENTS,
        plan.conversations,
        plan.messages,
        started.elapsed().as_secs_f64()
    );
    Ok(Fixture {
        token,
        agent_ids,
        user_count: (plan.users + AGENTS) as i64,
        conversation_count: plan.conversations as i64,
        long_conversation,
        fortieth_message,
    })
}
