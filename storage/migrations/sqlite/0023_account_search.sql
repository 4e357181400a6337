-- Foyer schema, version 23 (sqlite): account search. Keep in step with
-- postgres/0023_account_search.sql.
--
-- account_search_attributes holds each account's attribute values in the
-- form search compares them (trimmed, lower-cased, first 128 characters),
-- one row per (attribute, account), so an exact or prefix search on an
-- attribute is a range scan of the primary key. sqlstore rewrites an
-- account's rows with every write of its attributes; deleting the account
-- deletes them. SQLite compares text bytewise (BINARY), so a prefix is the
-- range [p, p || U+10FFFF).
CREATE TABLE account_search_attributes (
    store_id   TEXT NOT NULL,
    name       TEXT NOT NULL,
    value      TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    PRIMARY KEY (store_id, name, value, account_id)
);
CREATE INDEX account_search_attributes_account_idx ON account_search_attributes (account_id);

-- SQLite's lower() folds ASCII only; values written from now on are
-- folded by sqlstore in full.
INSERT OR IGNORE INTO account_search_attributes (store_id, name, value, account_id)
    SELECT a.store_id, j.key, substr(lower(trim(j.value, ' ' || char(9) || char(13) || char(10))), 1, 128), a.id
    FROM accounts a, json_each(CASE WHEN json_valid(a.attributes) THEN a.attributes ELSE '{}' END) j
    WHERE j.type = 'text' AND trim(j.value, ' ' || char(9) || char(13) || char(10)) <> '';

-- The sorted account lists page by keyset (sort key, id) within a store:
-- each order and each range of the search is a range scan of one of these.
DROP INDEX accounts_store_created_idx;
CREATE INDEX accounts_store_created_id_idx ON accounts (store_id, created_at, id);
CREATE INDEX accounts_store_last_login_idx ON accounts (store_id, last_login_at, id);
CREATE INDEX accounts_store_email_sort_idx ON accounts (store_id, email_normalized, id);
CREATE INDEX accounts_store_username_sort_idx ON accounts (store_id, username_normalized, id);
CREATE INDEX accounts_store_phone_sort_idx ON accounts (store_id, phone, id);

-- What each administrator keeps of the console for themself: the search
-- fields pinned to the top of the account search (a JSON array of
-- parameter names).
CREATE TABLE admin_preferences (
    account_id    TEXT        NOT NULL PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    pinned_search TEXT        NOT NULL DEFAULT '[]',
    updated_at    TIMESTAMP   NOT NULL
);
