//! Webhooks an admin sends by hand: `send-test-webhook`, a Switchboard addition
//! for the admin pages. What fires the others is in `api::events`.

use super::Call;
use crate::error::{ApiResult, Failure};
use crate::outbox::webhooks;
use serde_json::{json, Value};

/// Queues the `test` webhook to the saved `webhooks-url`, whether or not webhooks
/// are active and whatever `webhooks-allowed` says, and answers its outbox item ID
/// (see `get-outbox` for how its delivery went). It is never sent inside the call.
pub fn send_test_webhook(call: &mut Call) -> ApiResult<Value> {
    let state = call.state.clone();
    let queued = call.write(move |tx| Ok(webhooks::fire_test(tx, &state)?))?;
    let id = queued.ok_or_else(|| Failure::invalid("webhooks", "save a webhooks-url in the webhooks setting first"))?;
    call.state.background.wake();
    Ok(json!(id))
}
