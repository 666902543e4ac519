-- The knowledge base: categories, articles (one row per language version), the
-- article-category links shared by every version, ratings, and full-text search.

CREATE TABLE article_categories (
    id          TEXT PRIMARY KEY,
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    image       TEXT NOT NULL DEFAULT '',
    slug        TEXT NOT NULL UNIQUE,
    position    INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE articles (
    row_id      INTEGER PRIMARY KEY,
    id          TEXT NOT NULL,
    -- '' is the default language; translations carry their language code.
    language    TEXT NOT NULL DEFAULT '',
    title       TEXT NOT NULL,
    -- Sanitised HTML.
    content     TEXT NOT NULL,
    -- The content as plain text: for search, summaries and page descriptions.
    text        TEXT NOT NULL,
    link        TEXT NOT NULL DEFAULT '',
    slug        TEXT NOT NULL,
    position    INTEGER NOT NULL,
    update_time TEXT NOT NULL,
    UNIQUE (id, language),
    UNIQUE (language, slug)
);
CREATE INDEX articles_by_language ON articles (language, position);

CREATE TABLE article_category_links (
    article_id  TEXT NOT NULL,
    category_id TEXT NOT NULL REFERENCES article_categories (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    PRIMARY KEY (article_id, category_id)
) WITHOUT ROWID;
CREATE INDEX article_category_links_by_category ON article_category_links (category_id, article_id);

CREATE TABLE article_ratings (
    id            INTEGER PRIMARY KEY,
    article_id    TEXT NOT NULL,
    -- 1 helpful, -1 not helpful, as the contract's rating lists show.
    rating        INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    creation_time TEXT NOT NULL
);
CREATE INDEX article_ratings_by_article ON article_ratings (article_id, id);

CREATE VIRTUAL TABLE articles_fts USING fts5 (
    title, text,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, text) VALUES (NEW.row_id, NEW.title, NEW.text);
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
    DELETE FROM articles_fts WHERE rowid = OLD.row_id;
    INSERT INTO articles_fts (rowid, title, text) VALUES (NEW.row_id, NEW.title, NEW.text);
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    DELETE FROM articles_fts WHERE rowid = OLD.row_id;
END;
