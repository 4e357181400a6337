-- Foyer schema, version 27 (sqlite): account search by an attribute in
-- creation order. Keep in step with postgres/0027_search_attribute_order.sql.
--
-- Each search row carries its account's creation time (which never
-- changes), so a search for an attribute value reads a page of the
-- newest-first list straight off this index instead of probing every
-- account of the store in creation order.
ALTER TABLE account_search_attributes ADD COLUMN created_at TIMESTAMP NOT NULL DEFAULT '1970-01-01 00:00:00';
UPDATE account_search_attributes SET created_at = (SELECT a.created_at FROM accounts a WHERE a.id = account_search_attributes.account_id);
CREATE INDEX account_search_attributes_created_idx ON account_search_attributes (store_id, name, value, created_at, account_id);
