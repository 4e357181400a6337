package main

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// staleSignInAge makes a sign-in too old for deleting the account.
const staleSignInAge = 10 * time.Minute

// freshServer starts a server whose portal clock the test can move ahead,
// making the sign-in look old.
func freshServer(t *testing.T, store storage.Store) (*testServer, *atomic.Int64) {
	t.Helper()
	var ahead atomic.Int64
	srv := startServer(t, store, withPortalClock(func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }))
	return srv, &ahead
}

// signInAgain completes a sign-in the portal asked for (prompt=login).
func signInAgain(t *testing.T, u *portalUser, p *page, password string) *page {
	t.Helper()
	if strings.Contains(p.body, `name="identifier"`) && !strings.Contains(p.body, `name="password"`) {
		p = u.b.submit(p, map[string]string{"identifier": u.account.Email})
	}
	if !strings.Contains(p.body, `name="password"`) {
		t.Fatalf("expected a password page, got %d at %s:\n%s", p.status, p.url, p.body)
	}
	return u.b.submit(p, map[string]string{"password": password})
}

// TestPortalEnrollmentConfirmPost: a confirmation posted to the
// portal's enrollment action gets a page, not an empty answer.
func TestPortalEnrollmentConfirmPost(t *testing.T) {
	t.Parallel()
	fx := newMFAFixture(t, sqltest.SQLite(t), storage.MFAPolicy{Mode: storage.MFAOff}, nil)
	u := newPortalUser(t, fx.srv, "dora@example.com")
	p := u.portalAction(t, u.get("/account/security"), "enroll:totp").page
	if p = u.b.submit(p, map[string]string{"confirm": "1"}); p.status == http.StatusOK && strings.TrimSpace(p.body) == "" {
		t.Fatal("a confirmation posted to an enrollment action got an empty page")
	}
}
