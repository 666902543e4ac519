//! Who is typing where. A change is written, then told live to the customer of
//! the conversation when someone on the staff side types (the chat widget shows
//! it); the admin area reads the customer's typing from the table.

use super::{OpsError, OpsResult, What};
use crate::db::doorway::Db;
use crate::db::{conversations, typing, users};
use crate::state::{AppState, Live};

/// `user_id` typing in `conversation` (`None`: stopped typing anywhere).
pub fn set_typing(db: &mut Db, state: &AppState, user_id: i64, conversation: Option<i64>) -> OpsResult<()> {
    let now = state.clock.now_text();
    let told = db.write(move |tx| -> OpsResult<_> {
        let user = users::find(tx, user_id)?.ok_or(OpsError::NotFound(What::User))?;
        // Where they were typing before, so a stop reaches that conversation's customer.
        let at = match conversation {
            Some(conversation_id) => {
                if !conversations::exists(tx, conversation_id)? {
                    return Err(OpsError::NotFound(What::Conversation));
                }
                typing::set(tx, user_id, conversation_id, &now)?;
                users::touch(tx, user_id, &now)?;
                Some(conversation_id)
            }
            None => {
                let was = typing::conversation_of(tx, user_id)?;
                typing::clear(tx, user_id)?;
                was
            }
        };
        let customer = match at {
            Some(id) if user.user_type.is_agent() => conversations::find(tx, id)?.map(|c| (id, c.user_id)),
            _ => None,
        };
        Ok(customer
            .map(|(id, customer)| (id, customer, crate::domain::people::full_name(&user.first_name, &user.last_name))))
    })?;
    if let Some((conversation_id, customer, name)) = told {
        state.hub.publish(customer, Live::Typing { conversation_id, name, typing: conversation.is_some() });
    }
    Ok(())
}
