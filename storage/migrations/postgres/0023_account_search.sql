-- Foyer schema, version 23 (postgres): account search. Keep in step with
-- sqlite/0023_account_search.sql.
--
-- account_search_attributes holds each account's attribute values in the
-- form search compares them (trimmed, lower-cased, first 128 characters),
-- one row per (attribute, account), so an exact or prefix search on an
-- attribute is a range scan of the primary key. sqlstore rewrites an
-- account's rows with every write of its attributes; deleting the account
-- deletes them. The C collation makes the order byte order, so a prefix is
-- the range [p, p || U+10FFFF) whatever the database's collation is.
CREATE TABLE account_search_attributes (
    store_id   TEXT COLLATE "C" NOT NULL,
    name       TEXT COLLATE "C" NOT NULL,
    value      TEXT COLLATE "C" NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    PRIMARY KEY (store_id, name, value, account_id)
);
CREATE INDEX account_search_attributes_account_idx ON account_search_attributes (account_id);

INSERT INTO account_search_attributes (store_id, name, value, account_id)
    SELECT a.store_id, e.key, left(lower(btrim(e.value, E' \t\r\n')), 128), a.id
    FROM accounts a
    CROSS JOIN LATERAL jsonb_each_text(CASE WHEN a.attributes LIKE '{%' THEN a.attributes::jsonb ELSE '{}'::jsonb END) e
    WHERE e.value IS NOT NULL AND btrim(e.value, E' \t\r\n') <> ''
    ON CONFLICT DO NOTHING;

-- The sorted account lists page by keyset (sort key, id) within a store:
-- each order and each range of the search is a range scan of one of
-- these. The identifier indexes are C-collated for prefix ranges (the
-- unique indexes of 0001 use the database's collation).
DROP INDEX accounts_store_created_idx;
CREATE INDEX accounts_store_created_id_idx ON accounts (store_id, created_at, id);
CREATE INDEX accounts_store_last_login_idx ON accounts (store_id, last_login_at, id);
CREATE INDEX accounts_store_email_sort_idx ON accounts (store_id, email_normalized COLLATE "C", id);
CREATE INDEX accounts_store_username_sort_idx ON accounts (store_id, username_normalized COLLATE "C", id);
CREATE INDEX accounts_store_phone_sort_idx ON accounts (store_id, phone COLLATE "C", id);

-- What each administrator keeps of the console for themself: the search
-- fields pinned to the top of the account search (a JSON array of
-- parameter names).
CREATE TABLE admin_preferences (
    account_id    TEXT        NOT NULL PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    pinned_search TEXT        NOT NULL DEFAULT '[]',
    updated_at    TIMESTAMPTZ NOT NULL
);
