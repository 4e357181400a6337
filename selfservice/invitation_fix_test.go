package selfservice_test

import (
	"context"
	"strings"
	"testing"

	"foyer/selfservice/selfservicetest"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// An invitee who changes the address (activation on) and types a taken
// identifier gets the "Check your email" page, and the typed address gets
// what an ordinary registration's would: its owner the "someone tried to
// sign up" mail, or, when the address is free but the username is taken,
// the notice to choose another. Before, nothing was sent at all.
func TestInvitationChangedAddressTaken(t *testing.T) {
	t.Parallel()
	s := sqltest.SQLite(t)
	e := newInviteEnv(t, s, func(p *storage.SelfServicePolicy) { p.Onboarding.InviteeMayChangeEmail = true })
	e.Account(t, "owner@example.com", invOtherPass)
	e.AccountWith(t, &storage.Account{Username: "ada-lovelace"}, "")

	inv, hint := e.invite(t, invitee)
	_, b, p := e.open(t, selfservicetest.ClientID, hint)
	got := b.Submit(p, inviteeFields("owner@example.com"))
	if !strings.Contains(got.Body, "Check your email") {
		t.Fatalf("a taken changed address: %d\n%s", got.Status, got.Body)
	}
	if mails := queued(t, e.Env, "signup_attempt_existing", "owner@example.com"); len(mails) != 1 {
		t.Errorf("%d signup-attempt mails to the owner of the typed address; want 1", len(mails))
	}

	_, hint = e.invite(t, "second.hire@example.com")
	_, b, p = e.open(t, selfservicetest.ClientID, hint)
	fields := inviteeFields("fresh@example.com")
	fields["username"] = "ada-lovelace"
	got = b.Submit(p, fields)
	if !strings.Contains(got.Body, "Check your email") {
		t.Fatalf("a taken username with a changed address: %d\n%s", got.Status, got.Body)
	}
	mails := queued(t, e.Env, "notice", "fresh@example.com")
	if len(mails) != 1 {
		t.Errorf("%d notices to the typed address; want 1", len(mails))
	}
	if pending, _ := s.GetInvitation(context.Background(), selfservicetest.StoreID, inv.ID); pending.Status != storage.InvitationPending {
		t.Errorf("a sign-up that made no account used the invitation: %+v", pending)
	}
}
