-- Foyer schema, version 27 (postgres): account search by an attribute in
-- creation order. Keep in step with sqlite/0027_search_attribute_order.sql.
--
-- The account list is newest first unless asked otherwise. A search for
-- an attribute value held by 1% of a million accounts used to walk the
-- store's creation index and probe each account for the value (~9,000
-- probes a page). Each search row now carries its account's creation time
-- (which never changes), so the search reads a page straight off this
-- index: (value, creation time, id) in order.
ALTER TABLE account_search_attributes ADD COLUMN created_at TIMESTAMPTZ NOT NULL DEFAULT '1970-01-01 00:00:00+00';
UPDATE account_search_attributes sa SET created_at = a.created_at FROM accounts a WHERE a.id = sa.account_id;
CREATE INDEX account_search_attributes_created_idx ON account_search_attributes (store_id, name, value, created_at, account_id);
