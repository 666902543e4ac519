-- Every message moves its conversation's last_message_id, and every index holding
-- that column moves an entry: a page written per index per message. Conversations
-- without an agent, a department or a source (most of them, where departments and
-- channels are not used) need no entry in the indexes that filter by those, since
-- a filter `x = ?` never matches NULL.
DROP INDEX conversations_by_agent;
DROP INDEX conversations_by_department;
DROP INDEX conversations_by_source;
CREATE INDEX conversations_by_agent ON conversations (agent_id, last_message_id) WHERE agent_id IS NOT NULL;
CREATE INDEX conversations_by_department ON conversations (department, last_message_id) WHERE department IS NOT NULL;
CREATE INDEX conversations_by_source ON conversations (source, last_message_id) WHERE source IS NOT NULL;
