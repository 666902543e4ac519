-- Full-text indexes, kept in sync by triggers. Contentless (the text already lives
-- in the base tables); diacritics folded so "cafe" finds "café".

CREATE VIRTUAL TABLE messages_fts USING fts5 (
    message, attachment_names,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE VIRTUAL TABLE users_fts USING fts5 (
    first_name, last_name, email, details,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- The names of a message's attachments, from its JSON [["name","link"], ...].
CREATE VIEW message_search_rows AS
SELECT m.id AS id,
       m.message AS message,
       CASE WHEN json_valid(m.attachments) AND json_type(m.attachments) = 'array'
            THEN (SELECT coalesce(group_concat(json_extract(a.value, '$[0]'), ' '), '')
                    FROM json_each(m.attachments) AS a)
            ELSE '' END AS attachment_names
  FROM messages m;

CREATE VIEW user_search_rows AS
SELECT u.id AS id, u.first_name, u.last_name, coalesce(u.email, '') AS email,
       coalesce((SELECT group_concat(d.value, ' ') FROM user_details d WHERE d.user_id = u.id), '') AS details
  FROM users u;

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, message, attachment_names)
    SELECT id, message, attachment_names FROM message_search_rows WHERE id = NEW.id;
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF message, attachments ON messages BEGIN
    DELETE FROM messages_fts WHERE rowid = OLD.id;
    INSERT INTO messages_fts (rowid, message, attachment_names)
    SELECT id, message, attachment_names FROM message_search_rows WHERE id = NEW.id;
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    DELETE FROM messages_fts WHERE rowid = OLD.id;
END;

CREATE TRIGGER users_fts_insert AFTER INSERT ON users BEGIN
    INSERT INTO users_fts (rowid, first_name, last_name, email, details)
    SELECT id, first_name, last_name, email, details FROM user_search_rows WHERE id = NEW.id;
END;
CREATE TRIGGER users_fts_update AFTER UPDATE OF first_name, last_name, email ON users BEGIN
    DELETE FROM users_fts WHERE rowid = OLD.id;
    INSERT INTO users_fts (rowid, first_name, last_name, email, details)
    SELECT id, first_name, last_name, email, details FROM user_search_rows WHERE id = NEW.id;
END;
CREATE TRIGGER users_fts_delete AFTER DELETE ON users BEGIN
    DELETE FROM users_fts WHERE rowid = OLD.id;
END;

-- A detail change re-indexes its user (if the user still exists).
CREATE TRIGGER user_details_fts_insert AFTER INSERT ON user_details BEGIN
    DELETE FROM users_fts WHERE rowid = NEW.user_id;
    INSERT INTO users_fts (rowid, first_name, last_name, email, details)
    SELECT id, first_name, last_name, email, details FROM user_search_rows WHERE id = NEW.user_id;
END;
CREATE TRIGGER user_details_fts_update AFTER UPDATE ON user_details BEGIN
    DELETE FROM users_fts WHERE rowid = NEW.user_id;
    INSERT INTO users_fts (rowid, first_name, last_name, email, details)
    SELECT id, first_name, last_name, email, details FROM user_search_rows WHERE id = NEW.user_id;
END;
CREATE TRIGGER user_details_fts_delete AFTER DELETE ON user_details BEGIN
    DELETE FROM users_fts WHERE rowid = OLD.user_id;
    INSERT INTO users_fts (rowid, first_name, last_name, email, details)
    SELECT id, first_name, last_name, email, details FROM user_search_rows WHERE id = OLD.user_id;
END;
