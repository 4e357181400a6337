// Package selfservicetest is the harness for selfservice's flow tests: a
// selfservice.Handler over a fresh sqltest store with an injected clock,
// served by httptest; interactions created directly in the store (bound to
// the test browser, as authz binds them); a stub of authz's resume
// endpoint that records what each finished flow handed back (session,
// amr, acr), and one of its third-party initiated login that records what
// links to a brand portal asked for (Initiated); and notify's worker
// delivering to a notifytest.Inbox when the test asks (Settle), so no
// test waits on a timer. Every request carries an id (RequestID,
// Page.RequestID), so a store opened with sqltest.OpenRecorded can tell
// what each request ran.
//
// The protocol around the flows (authorize, consent, tokens) is not here:
// cmd/foyer's tests drive the whole server for that.
package selfservicetest
