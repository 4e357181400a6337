package selfservice_test

import (
	"context"
	"strings"
	"testing"

	"foyer/selfservice/invite"
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

// An organization administrator's invitation whose role the operator made
// non-assignable since: the sign-up goes through without the role, and
// the acceptance's event names the role skipped.
func TestInvitationSkippedRoleRecorded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := sqltest.SQLite(t)
	e := newInviteEnv(t, s, nil)
	_, err := e.Invites.Send(ctx, invite.Request{StoreID: selfservicetest.StoreID, OrganizationID: e.org.ID,
		ClientID: selfservicetest.ClientID, Email: invitee, RoleIDs: []string{e.role.ID}, OnlyAssignable: true,
		Attributes: map[string]string{"given_name": "Ada"},
		By:         invite.Sender{Kind: invite.SenderAccount, ID: "acct-1", Name: "Org Admin"}})
	invMust(t, err)
	e.role.Assignable = false
	invMust(t, s.UpdateStoreRole(ctx, e.role, e.role.Version))
	id, b, p := e.open(t, selfservicetest.ClientID, e.lastHint(t, invitee))
	if done := b.Submit(p, inviteeFields(invitee)); done.Body != "resumed" {
		t.Fatalf("sign-up: %d\n%s", done.Status, done.Body)
	}
	acctID := e.Resumed(t, id).AccountID
	if roles, _ := s.ListAccountRoles(ctx, acctID); len(roles) != 0 {
		t.Errorf("roles %+v; want none (the role is no longer assignable)", roles)
	}
	events, err := s.ListEvents(ctx, acctID, 10)
	invMust(t, err)
	var found bool
	for _, ev := range events {
		if ev.Kind == "invitation.accepted" {
			found = true
			if ev.Data["skipped_roles"] != e.role.ID {
				t.Errorf("invitation.accepted data %v; want skipped_roles %s", ev.Data, e.role.ID)
			}
		}
	}
	if !found {
		t.Errorf("no invitation.accepted event: %+v", events)
	}
}
