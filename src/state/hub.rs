//! Live events for the chat widget, pushed the moment a change commits: each
//! customer has a channel, and whatever changes one of their conversations (a
//! message, staff typing, a status) publishes to it. Streams use events only as a
//! signal and read what changed from the database, so a missed or dropped event
//! costs a delay (they also look every few seconds), never a lost message.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use tokio::sync::broadcast;

/// What changed for a customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Live {
    /// A new message in one of their conversations.
    Message { conversation_id: i64, message_id: i64 },
    /// Someone on the staff side started or stopped typing in one of them.
    Typing { conversation_id: i64, name: String, typing: bool },
    /// One of their conversations changed status.
    Status { conversation_id: i64, status_code: i64 },
    /// The staff read their messages in a conversation, up to `message_id`.
    Seen { conversation_id: i64, message_id: i64 },
}

/// Events queued per listener before the slowest one starts missing them (it
/// then reads the database, which holds everything).
const BACKLOG: usize = 32;
/// Channels without listeners are dropped every this many subscriptions.
const PRUNE_EVERY: usize = 256;

#[derive(Default)]
pub struct Hub {
    channels: Mutex<HashMap<i64, broadcast::Sender<Live>>>,
    subscriptions: AtomicUsize,
}

impl Hub {
    /// Listens to what happens to customer `user_id`'s conversations.
    pub fn subscribe(&self, user_id: i64) -> broadcast::Receiver<Live> {
        let mut channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
        if self.subscriptions.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == 0 {
            channels.retain(|_, sender| sender.receiver_count() > 0);
        }
        channels.entry(user_id).or_insert_with(|| broadcast::channel(BACKLOG).0).subscribe()
    }

    /// Tells customer `user_id`'s listeners, if any.
    pub fn publish(&self, user_id: i64, event: Live) {
        let channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(sender) = channels.get(&user_id) {
            let _ = sender.send(event);
        }
    }

    /// How many streams are listening now (for the metrics and the bench).
    pub fn listeners(&self) -> usize {
        let channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
        channels.values().map(broadcast::Sender::receiver_count).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listeners_hear_only_their_own_customer() {
        let hub = Hub::default();
        let (mut ann, mut bob) = (hub.subscribe(1), hub.subscribe(2));
        hub.publish(1, Live::Message { conversation_id: 7, message_id: 41 });
        assert_eq!(ann.try_recv().unwrap(), Live::Message { conversation_id: 7, message_id: 41 });
        assert!(bob.try_recv().is_err(), "bob hears nothing of ann's conversations");
        assert_eq!(hub.listeners(), 2);
        drop(ann);
        assert_eq!(hub.listeners(), 1);
        hub.publish(3, Live::Status { conversation_id: 9, status_code: 3 });
    }
}
