// Command foyer-bench loads a real foyer server over loopback and prints a
// table (make bench). It is a program, not a timed test, so its numbers
// describe the machine it ran on and nothing asserts them.
//
// For each backend (SQLite in a temp dir, then a fresh foyer_bench_*
// database on the -postgres server, dropped afterwards) it starts
// `foyer serve` on a free 127.0.0.1 port, measures process start to the
// "foyer is ready" line on the empty database and again on the now-existing
// one (the figure that matters: the target is under 0.3 s), provisions a
// confidential first-party client and an account with the CLI, and runs,
// each for -duration with -conns workers over keep-alive HTTP/1.1:
//
//   - client_credentials: POST /oauth2/token with client_secret_basic.
//   - authorize_with_sso_session: the preparation of scenario b, timed as a
//     by-product: GET /oauth2/auth with an SSO cookie, straight to a code.
//   - authorization_code_exchange: exchanging those codes (with PKCE) for
//     tokens with an RS256-signed ID token.
//   - password_login: a full sign-in from a fresh cookie jar (authorize,
//     identifier step, password step, resume, redirect with the code). One
//     row counts whole sign-ins; argon2id dominates it.
//
// Every non-2xx or unexpected response is an error: counted, listed by
// message under the table, with the tail of the server's log, and the exit
// status is 1. The server's resident memory is read from /proc after start
// and after the load.
//
// Account management (PostgreSQL, -accounts N, default 30,000; 1,000,000
// for the figures of record): the bench gives the default store an
// attribute schema through the admin API (a client-credentials client with
// the owner role), seeds it with N accounts through the dev seed library
// (cmd/internal/devseed, what foyer dev seed runs), and measures:
//
//   - password_login again, on the seeded store, as a ratio to the empty
//     store's (the allowed drop is 10 %);
//   - p50 and p95 over -search-requests requests, one at a time, of
//     GET /admin/api/v1/stores/default/accounts by e-mail prefix, by an
//     attribute (family_name), by group, the first page of the list
//     (newest first) and its page 500 (the cursor walked there first),
//     each beside the 100 ms limit and as a ratio;
//   - a bulk disable of -bulk accounts (a group of them) as one job
//     through the jobs API, the server killed with SIGKILL at 40 % and
//     restarted: duration, accounts/s, and SQL checks that every account
//     is disabled with exactly one account.disabled audit entry or
//     untouched.
//
// -explain prints PostgreSQL's EXPLAIN (ANALYZE, BUFFERS) of each search,
// recorded from the same storage search the API runs (sqlstore.Explain).
// -reuse-database URL measures a database seeded before (foyer dev seed
// --from writes a large seed in parts), so no single run seeds a million
// accounts; it keeps the database, and its FOYER_SECRET must be set.
//
// The peer (-peer, on by default; skipped when node or npm is missing):
// panva's oidc-provider, pinned, installed once with npm into the user's
// cache, runs in one Node process with its in-memory adapter and one
// client_secret_basic client, and gets the client_credentials scenario
// right after the last backend's (same workers, same duration). Before it
// is timed it must issue a Bearer token and refuse a wrong secret. A table
// prints Foyer's PostgreSQL and SQLite rates as ratios to it (goal >= 1.0).
//
// The server runs at log level info: the ready line is an info line, and
// request lines are debug, so nothing is logged per request.
package main
