-- Foyer schema, version 36 (sqlite): fewer, narrower indexes on oauth2_tokens (issue 18).
-- Keep in step with the other dialect's 0036_token_indexes.sql.
--
-- Every token insert updated every index of the table. Client-credentials
-- tokens have no subject and no session, so at ten million tokens two
-- indexes held millions of entries under the one key '' that no query asks
-- for (the queries refuse an empty subject or session). The replacements are
-- partial: a row without a subject or session is not in them, and its insert
-- does not touch them. Only the store's queries that state the same
-- predicate ("subject <> ''", "session_id <> ''", "kind IN (...)") can use
-- them: a bound parameter cannot prove it, so storage/sqlstore spells it out
-- (tokens.go, grants.go, logout.go, portal_account.go).
--
-- The new indexes are built before the old ones are dropped, in the
-- order of the PostgreSQL file (where it matters for locks).

-- Revoking by request id (fosite's refresh rotation and revocation) only
-- ever names access and refresh tokens; authorization codes, PKCE and OIDC
-- records of a grant are deleted by signature.
CREATE INDEX oauth2_tokens_family_idx ON oauth2_tokens (kind, request_id)
    WHERE kind IN ('access_token', 'refresh_token');

-- Back-channel logout: the clients holding tokens issued under a session.
CREATE INDEX oauth2_tokens_session_set_idx ON oauth2_tokens (session_id)
    WHERE session_id <> '';

-- Revoking an account's tokens, for every client or for one.
CREATE INDEX oauth2_tokens_subject_set_idx ON oauth2_tokens (subject, client_id)
    WHERE subject <> '';

-- oauth2_tokens_client_idx (client_id) stays whole: deleting a client
-- must find its client-credentials tokens too. oauth2_tokens_expires_idx
-- stays whole for the bounded cleanup (expires_at < ? LIMIT ?).
DROP INDEX oauth2_tokens_request_idx;
DROP INDEX oauth2_tokens_session_idx;
DROP INDEX oauth2_tokens_subject_client_idx;
