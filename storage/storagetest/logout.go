package storagetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"foyer/storage"
)

func testSessionClients(t *testing.T, s storage.Store) {
	ctx := t.Context()
	se := newSession("acct-sc")
	must(t, "CreateSession", s.CreateSession(ctx, se))
	for _, c := range []string{"c1", "c1", "c2", "c3"} {
		must(t, "RecordSessionClient", s.RecordSessionClient(ctx, se.ID, c))
	}
	tok := newToken("c3", storage.TokenRefresh, unique("req"))
	tok.SessionID = se.ID
	must(t, "CreateToken", s.CreateToken(ctx, tok))
	other := newToken("c9", storage.TokenRefresh, unique("req"))
	other.SessionID = unique("other-session")
	must(t, "CreateToken other", s.CreateToken(ctx, other))

	clients := func(want ...string) {
		t.Helper()
		got, err := s.ClientsForSession(ctx, se.ID)
		must(t, "ClientsForSession", err)
		slices.Sort(got)
		if !equalStrings(got, want) {
			t.Errorf("ClientsForSession = %q, want %q", got, want)
		}
	}
	clients("c1", "c2", "c3")

	// An ended session records nothing, and says so without an error.
	must(t, "RecordSessionClient for a missing session", s.RecordSessionClient(ctx, "missing", "c1"))
	got, err := s.ClientsForSession(ctx, "missing")
	if err != nil || len(got) != 0 {
		t.Errorf("ClientsForSession(missing) = %q, %v; want none", got, err)
	}

	// Deleting the session forgets what was recorded; tokens still count.
	must(t, "DeleteSession", s.DeleteSession(ctx, se.ID))
	clients("c3")
}

func testLogoutNotices(t *testing.T, s storage.Store) {
	ctx := t.Context()
	base := at(0)
	dflt := &storage.LogoutNotice{SessionID: "s0", AccountID: "a0", ClientID: "c0", NextAttemptAt: base.Add(-time.Minute)}
	due := &storage.LogoutNotice{SessionID: "s1", AccountID: "a1", ClientID: "c1", NextAttemptAt: base}
	later := &storage.LogoutNotice{SessionID: "s2", AccountID: "a2", ClientID: "c2", NextAttemptAt: base.Add(time.Hour)}
	for _, n := range []*storage.LogoutNotice{dflt, due, later} {
		must(t, "EnqueueLogoutNotice", s.EnqueueLogoutNotice(ctx, n))
		if n.ID == "" || n.CreatedAt.IsZero() {
			t.Errorf("EnqueueLogoutNotice left ID %q or CreatedAt unset", n.ID)
		}
	}
	claim := func(at time.Time, limit int, want ...*storage.LogoutNotice) []storage.LogoutNotice {
		t.Helper()
		got, err := s.ClaimLogoutNotices(ctx, at, 30*time.Second, limit)
		must(t, "ClaimLogoutNotices", err)
		var ids, wantIDs []string
		for _, n := range got {
			ids = append(ids, n.ID)
		}
		for _, n := range want {
			wantIDs = append(wantIDs, n.ID)
		}
		if !equalStrings(ids, wantIDs) {
			t.Fatalf("ClaimLogoutNotices(%v, %d) = %q, want %q", at, limit, ids, wantIDs)
		}
		return got
	}

	// Oldest due first; the limit holds; a claimed notice carries its data
	// and its lock.
	got := claim(base, 1, dflt)
	if n := got[0]; n.SessionID != "s0" || n.AccountID != "a0" || n.ClientID != "c0" || n.Attempts != 0 ||
		n.LockedUntil == nil || n.LastError != "" {
		t.Errorf("claimed notice = %+v", n)
	} else {
		sameTime(t, "LockedUntil", *n.LockedUntil, base.Add(30*time.Second))
	}
	claim(base, 10, due)
	claim(base, 10) // both locked, the third not due
	claim(base.Add(31*time.Second), 10, dflt, due)

	// A failure counts the attempt, keeps the error and waits.
	must(t, "FailLogoutNotice", s.FailLogoutNotice(ctx, due.ID, base.Add(10*time.Minute), "status 500"))
	must(t, "DeleteLogoutNotice", s.DeleteLogoutNotice(ctx, dflt.ID))
	claim(base.Add(5*time.Minute), 10)
	got = claim(base.Add(10*time.Minute), 10, due)
	if got[0].Attempts != 1 || got[0].LastError != "status 500" {
		t.Errorf("after a failure: attempts %d, last error %q; want 1, %q", got[0].Attempts, got[0].LastError, "status 500")
	}
	sameTime(t, "NextAttemptAt", got[0].NextAttemptAt, base.Add(10*time.Minute))
	claim(base.Add(2*time.Hour), 10, due, later) // due's lease ran out

	wantErr(t, "DeleteLogoutNotice missing", s.DeleteLogoutNotice(ctx, dflt.ID), storage.ErrNotFound)
	wantErr(t, "FailLogoutNotice missing", s.FailLogoutNotice(ctx, dflt.ID, base, "x"), storage.ErrNotFound)
}

// Nodes polling the outbox at once never claim one notice twice.
func testLogoutNoticeClaimRace(t *testing.T, s storage.Store) {
	ctx := t.Context()
	base := at(0)
	one := &storage.LogoutNotice{SessionID: unique("s"), ClientID: "c", NextAttemptAt: base}
	must(t, "EnqueueLogoutNotice", s.EnqueueLogoutNotice(ctx, one))
	errs := race(16, func(int) error {
		got, err := s.ClaimLogoutNotices(ctx, base, 30*time.Second, 10)
		if err == nil && len(got) == 0 {
			return storage.ErrNotFound
		}
		return err
	})
	checkOneWinner(t, "ClaimLogoutNotices of one notice", errs, storage.ErrNotFound)

	const notices = 5
	for i := range notices {
		n := &storage.LogoutNotice{SessionID: unique("s"), ClientID: "c", NextAttemptAt: base.Add(-time.Duration(i) * time.Second)}
		must(t, "EnqueueLogoutNotice", s.EnqueueLogoutNotice(ctx, n))
	}
	claimed := make([][]storage.LogoutNotice, 16)
	errs = race(len(claimed), func(i int) error {
		var err error
		claimed[i], err = s.ClaimLogoutNotices(ctx, base, 30*time.Second, 2)
		return err
	})
	seen := map[string]int{}
	for i, err := range errs {
		must(t, "ClaimLogoutNotices", err)
		for _, n := range claimed[i] {
			seen[n.ID]++
		}
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("notice %s claimed %d times, want once", id, n)
		}
	}
	// A claimer that lost its races comes back empty, but someone won.
	if len(seen) == 0 {
		t.Errorf("no notice was claimed")
	}
}

// testTokensInSession: an authorization response's records and its
// client's joining the session go in together; a session that ended
// records no client but the records are stored; a taken signature stores
// neither; inside a transaction they go with it.
func testTokensInSession(t *testing.T, s storage.Store) {
	ctx := t.Context()
	records := func(client string) []*storage.Token {
		req := unique("req")
		out := []*storage.Token{newToken(client, storage.TokenAuthorizeCode, req), newToken(client, storage.TokenPKCE, req),
			newToken(client, storage.TokenOIDC, req)}
		for _, tok := range out {
			tok.SessionID = "" // so ClientsForSession shows only what was recorded
		}
		return out
	}
	stored := func(what string, toks []*storage.Token, want bool) {
		t.Helper()
		for _, tok := range toks {
			_, err := s.GetToken(ctx, tok.Kind, tok.Signature)
			if found := err == nil; found != want {
				t.Errorf("%s: %s stored %v (%v), want %v", what, tok.Kind, found, err, want)
			}
		}
	}
	clientsOf := func(session string, want ...string) {
		t.Helper()
		got, err := s.ClientsForSession(ctx, session)
		must(t, "ClientsForSession", err)
		slices.Sort(got)
		if !equalStrings(got, want) {
			t.Errorf("ClientsForSession = %q, want %q", got, want)
		}
	}
	se := newSession("acct-tis")
	must(t, "CreateSession", s.CreateSession(ctx, se))

	first := records("c1")
	must(t, "CreateTokensInSession", s.CreateTokensInSession(ctx, first, se.ID, "c1"))
	stored("the records", first, true)
	clientsOf(se.ID, "c1")
	again := records("c1")
	must(t, "CreateTokensInSession again", s.CreateTokensInSession(ctx, again, se.ID, "c1"))
	stored("the second response's records", again, true)
	clientsOf(se.ID, "c1")

	ended := records("c2")
	must(t, "CreateTokensInSession for an ended session", s.CreateTokensInSession(ctx, ended, "missing", "c2"))
	stored("the records of an ended session", ended, true)
	clientsOf("missing")

	// A taken signature: nothing of the response is written.
	taken := records("c3")
	taken[2].Kind, taken[2].Signature = first[0].Kind, first[0].Signature
	if err := s.CreateTokensInSession(ctx, taken, se.ID, "c3"); !errors.Is(err, storage.ErrConflict) {
		t.Errorf("CreateTokensInSession with a taken signature: %v, want ErrConflict", err)
	}
	stored("a failed response's records", taken[:2], false)
	clientsOf(se.ID, "c1")

	// Inside a transaction: with it, and not before it commits.
	txCtx, err := s.BeginTx(ctx)
	must(t, "BeginTx", err)
	inTx := records("c4")
	must(t, "CreateTokensInSession in a transaction", s.CreateTokensInSession(txCtx, inTx, se.ID, "c4"))
	must(t, "Rollback", s.Rollback(txCtx))
	stored("a rolled-back response's records", inTx, false)
	clientsOf(se.ID, "c1")
}
