package storagetest

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"foyer/storage"
)

func newSession(accountID string) *storage.Session {
	return &storage.Session{ID: unique("sess"), AccountID: accountID, AuthTime: at(-time.Minute),
		AMR: []string{"pwd", "otp"}, ACR: "urn:foyer:mfa", IP: "203.0.113.7", UserAgent: "Mozilla/5.0 (test)",
		ExpiresAt: at(24 * time.Hour)}
}

func testSessions(t *testing.T, s storage.Store) {
	ctx := t.Context()
	want := newSession("acct-a")
	want.CreatedAt = at(-time.Minute + 7*time.Millisecond)
	must(t, "CreateSession", s.CreateSession(ctx, want))
	got, err := s.GetSession(ctx, want.ID)
	must(t, "GetSession", err)
	if got.AccountID != want.AccountID || !equalStrings(got.AMR, want.AMR) || got.ACR != want.ACR ||
		got.IP != want.IP || got.UserAgent != want.UserAgent {
		t.Errorf("GetSession = %+v, want %+v", got, want)
	}
	for _, c := range []struct {
		name      string
		got, want time.Time
	}{{"AuthTime", got.AuthTime, want.AuthTime}, {"CreatedAt", got.CreatedAt, want.CreatedAt},
		{"LastSeenAt", got.LastSeenAt, want.LastSeenAt}, {"ExpiresAt", got.ExpiresAt, want.ExpiresAt}} {
		sameTime(t, "session "+c.name, c.got, c.want)
	}
	if got.LastSeenAt.IsZero() {
		t.Errorf("LastSeenAt unset after CreateSession")
	}
	_, err = s.GetSession(ctx, "missing")
	wantErr(t, "GetSession missing", err, storage.ErrNotFound)
	// Its account ("acct-a") does not exist: no session either way.
	_, _, err = s.GetSessionAccount(ctx, want.ID)
	wantErr(t, "GetSessionAccount without its account", err, storage.ErrNotFound)
	_, _, err = s.GetSessionAccount(ctx, "missing")
	wantErr(t, "GetSessionAccount missing", err, storage.ErrNotFound)
	acct := newAccount(t, s, newIdentityStore(t, s).ID)
	withAccount := newSession(acct.ID)
	must(t, "CreateSession", s.CreateSession(ctx, withAccount))
	joinedSession, joinedAccount, err := s.GetSessionAccount(ctx, withAccount.ID)
	must(t, "GetSessionAccount", err)
	alone, err := s.GetSession(ctx, withAccount.ID)
	must(t, "GetSession", err)
	alsoAlone, err := s.GetAccount(ctx, acct.ID)
	must(t, "GetAccount", err)
	if fmt.Sprint(*joinedSession) != fmt.Sprint(*alone) || fmt.Sprint(*joinedAccount) != fmt.Sprint(*alsoAlone) {
		t.Errorf("GetSessionAccount = %+v, %+v; want what GetSession and GetAccount read: %+v, %+v",
			joinedSession, joinedAccount, alone, alsoAlone)
	}

	seen := at(time.Minute + 11*time.Millisecond)
	must(t, "TouchSession", s.TouchSession(ctx, want.ID, seen))
	got, err = s.GetSession(ctx, want.ID)
	must(t, "GetSession after TouchSession", err)
	sameTime(t, "LastSeenAt after TouchSession", got.LastSeenAt, seen)
	wantErr(t, "TouchSession missing", s.TouchSession(ctx, "missing", seen), storage.ErrNotFound)

	must(t, "DeleteSession", s.DeleteSession(ctx, want.ID))
	_, err = s.GetSession(ctx, want.ID)
	wantErr(t, "GetSession after DeleteSession", err, storage.ErrNotFound)
	wantErr(t, "DeleteSession missing", s.DeleteSession(ctx, want.ID), storage.ErrNotFound)
}

func testSessionsByAccount(t *testing.T, s storage.Store) {
	ctx := t.Context()
	create := func(accountID string) *storage.Session {
		se := newSession(accountID)
		must(t, "CreateSession", s.CreateSession(ctx, se))
		return se
	}
	a1, a2, a3 := create("acct-a"), create("acct-a"), create("acct-a")
	b1 := create("acct-b")

	list, err := s.ListSessionsByAccount(ctx, "acct-a")
	must(t, "ListSessionsByAccount", err)
	if len(list) != 3 {
		t.Fatalf("ListSessionsByAccount(acct-a) returned %d, want 3", len(list))
	}
	for _, se := range list {
		if se.AccountID != "acct-a" {
			t.Errorf("ListSessionsByAccount(acct-a) returned a session of %s", se.AccountID)
		}
	}
	n, err := s.DeleteSessionsByAccount(ctx, "acct-a", a2.ID)
	if err != nil || n != 2 {
		t.Errorf("DeleteSessionsByAccount keeping one = %d, %v; want 2", n, err)
	}
	for _, c := range []struct {
		id   string
		gone bool
	}{{a1.ID, true}, {a2.ID, false}, {a3.ID, true}, {b1.ID, false}} {
		_, err := s.GetSession(ctx, c.id)
		if c.gone {
			wantErr(t, "GetSession of ended session", err, storage.ErrNotFound)
		} else {
			must(t, "GetSession of kept session", err)
		}
	}
	n, err = s.DeleteSessionsByAccount(ctx, "acct-a", "")
	if err != nil || n != 1 {
		t.Errorf("DeleteSessionsByAccount keeping none = %d, %v; want 1", n, err)
	}
	list, err = s.ListSessionsByAccount(ctx, "acct-a")
	if err != nil || len(list) != 0 {
		t.Errorf("ListSessionsByAccount after deleting all = %d sessions, %v; want none", len(list), err)
	}
}

func testInteractions(t *testing.T, s storage.Store) {
	ctx := t.Context()
	want := &storage.Interaction{ClientID: "client-1", Request: "response_type=code&client_id=client-1&scope=openid+email",
		State: []byte(`{"step":"identifier"}`), Browser: "b1e55ed", ExpiresAt: at(10 * time.Minute)}
	must(t, "CreateInteraction", s.CreateInteraction(ctx, want))
	if want.ID == "" || want.CreatedAt.IsZero() {
		t.Fatalf("CreateInteraction left ID %q or CreatedAt unset", want.ID)
	}
	got, err := s.GetInteraction(ctx, want.ID)
	must(t, "GetInteraction", err)
	if got.ClientID != want.ClientID || got.Request != want.Request || !bytes.Equal(got.State, want.State) || got.SessionID != "" ||
		got.Browser != want.Browser {
		t.Errorf("GetInteraction = %+v, want %+v", got, want)
	}
	sameTime(t, "interaction ExpiresAt", got.ExpiresAt, want.ExpiresAt)
	sameTime(t, "interaction CreatedAt", got.CreatedAt, want.CreatedAt)

	got.State = []byte(`{"step":"done"}`)
	got.SessionID = "sess-1"
	must(t, "UpdateInteraction", s.UpdateInteraction(ctx, got))
	again, err := s.GetInteraction(ctx, want.ID)
	must(t, "GetInteraction after update", err)
	if string(again.State) != `{"step":"done"}` || again.SessionID != "sess-1" || again.Request != want.Request {
		t.Errorf("GetInteraction after update = %+v", again)
	}
	// A stale copy (no session yet) cannot undo the finished sign-in.
	stale := *got
	stale.State, stale.SessionID = []byte(`{"step":"mfa"}`), ""
	wantErr(t, "UpdateInteraction stale", s.UpdateInteraction(ctx, &stale), storage.ErrConflict)
	if again, _ := s.GetInteraction(ctx, want.ID); again.SessionID != "sess-1" || string(again.State) != `{"step":"done"}` {
		t.Errorf("a stale update changed the finished interaction: %+v", again)
	}
	wantErr(t, "UpdateInteraction missing", s.UpdateInteraction(ctx, &storage.Interaction{ID: "missing"}), storage.ErrNotFound)
	wantErr(t, "CreateInteraction duplicate", s.CreateInteraction(ctx, &storage.Interaction{ID: want.ID}), storage.ErrConflict)

	must(t, "DeleteInteraction", s.DeleteInteraction(ctx, want.ID))
	_, err = s.GetInteraction(ctx, want.ID)
	wantErr(t, "GetInteraction after delete", err, storage.ErrNotFound)
	wantErr(t, "DeleteInteraction missing", s.DeleteInteraction(ctx, want.ID), storage.ErrNotFound)
}
