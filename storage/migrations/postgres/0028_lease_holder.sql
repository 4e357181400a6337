-- Foyer schema, version 28 (postgres): who holds a queue row's lease. Keep in
-- step with the other dialect's 0028_lease_holder.sql.
--
-- A node killed mid-batch held leases on the rows it was sending; they
-- used to wait out the lease (a minute) before anyone retried them. A
-- node now names itself (FOYER_NODE_ID) in locked_by when it claims, and
-- on restart releases at once the leases its earlier life left.
ALTER TABLE notifications ADD COLUMN locked_by TEXT NOT NULL DEFAULT '';
ALTER TABLE logout_notices ADD COLUMN locked_by TEXT NOT NULL DEFAULT '';
ALTER TABLE deferred_requests ADD COLUMN locked_by TEXT NOT NULL DEFAULT '';
