-- User searches (search-users, get-users' `search`, the admin users list) find a
-- part of a detail value: a phone number's digits without the country code, part
-- of a company name. users_fts matches whole words and prefixes only; this index
-- holds each user's detail values as trigrams, so any run of three or more
-- characters is found from an index. Names and emails stay word searches in
-- users_fts, whose index is smaller and faster for them (src/db/search.rs).
-- Rowids are user IDs; users without details have no row.
CREATE VIRTUAL TABLE user_details_trigram USING fts5 (
    details,
    content = '', contentless_delete = 1,
    tokenize = 'trigram remove_diacritics 1'
);
INSERT INTO user_details_trigram (user_details_trigram, rank) VALUES ('automerge', 2);
INSERT INTO user_details_trigram (rowid, details)
SELECT id, details FROM user_search_rows WHERE details != '';

-- A detail change re-indexes its user's details, as for users_fts (migration
-- 0003); deleting a user deletes their details, and so their row here.
CREATE TRIGGER user_details_trigram_insert AFTER INSERT ON user_details BEGIN
    DELETE FROM user_details_trigram WHERE rowid = NEW.user_id;
    INSERT INTO user_details_trigram (rowid, details)
    SELECT id, details FROM user_search_rows WHERE id = NEW.user_id AND details != '';
END;
CREATE TRIGGER user_details_trigram_update AFTER UPDATE ON user_details BEGIN
    DELETE FROM user_details_trigram WHERE rowid = NEW.user_id;
    INSERT INTO user_details_trigram (rowid, details)
    SELECT id, details FROM user_search_rows WHERE id = NEW.user_id AND details != '';
END;
CREATE TRIGGER user_details_trigram_delete AFTER DELETE ON user_details BEGIN
    DELETE FROM user_details_trigram WHERE rowid = OLD.user_id;
    INSERT INTO user_details_trigram (rowid, details)
    SELECT id, details FROM user_search_rows WHERE id = OLD.user_id AND details != '';
END;
