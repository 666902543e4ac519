-- FTS5 merges its index segments once four of a size exist; a search walks every
-- segment, so between the daily 'optimize' runs the message and user indexes
-- grew slower to search with each write. Merging at two keeps them compact for
-- about the same write cost (switchboard-bench, 1M messages, searching after a
-- run of send-message: 2730 -> 3164 requests/s; send-message unchanged).
INSERT INTO messages_fts (messages_fts, rank) VALUES ('automerge', 2);
INSERT INTO users_fts (users_fts, rank) VALUES ('automerge', 2);
