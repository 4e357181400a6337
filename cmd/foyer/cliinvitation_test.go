package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"foyer/storage"
	"foyer/storage/sqlstore"
)

// TestCLIInvitation: an invitation sent from the command line is checked
// as the console's, queued as an e-mail with its link, listed, resent,
// revoked and audited.
func TestCLIInvitation(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	code, out, errOut := c.run("client", "create", "--name", "Shop", "--redirect-uri", "https://shop.example/cb",
		"--initiate-login-uri", "https://shop.example/start", "--public", "--json")
	if code != 0 {
		t.Fatalf("client create: exit %d, %q", code, errOut)
	}
	var client struct {
		ID string `json:"client_id"`
	}
	if err := json.Unmarshal([]byte(out), &client); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s, err := sqlstore.Open(ctx, c.env["FOYER_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.CreateGroup(ctx, &storage.Group{StoreID: defaultStoreID, Name: "Beta"}); err != nil {
		t.Fatal(err)
	}

	code, out, errOut = c.run("invitation", "send", "--client", client.ID, "--email", "new.hire@example.com", "--group", "beta", "--json")
	if code != 0 {
		t.Fatalf("send: exit %d, %q", code, errOut)
	}
	var inv struct {
		ID       string   `json:"id"`
		Status   string   `json:"status"`
		GroupIDs []string `json:"group_ids"`
	}
	if err := json.Unmarshal([]byte(out), &inv); err != nil || inv.Status != "pending" || len(inv.GroupIDs) != 1 {
		t.Fatalf("sent %q (%v)", out, err)
	}
	if n := invitationMails(t, s, "new.hire@example.com"); n != 1 {
		t.Errorf("%d invitation e-mails queued; want 1", n)
	}
	if code, out, _ := c.run("invitation", "list"); code != 0 || !strings.Contains(out, inv.ID) || !strings.Contains(out, "new.hire@example.com") ||
		!strings.Contains(out, "pending") {
		t.Errorf("list: exit %d, %q", code, out)
	}
	if code, out, _ := c.run("invitation", "list", "--organization", "none"); code != 0 || !strings.Contains(out, inv.ID) {
		t.Errorf("list --organization none: exit %d, %q", code, out)
	}
	if code, out, errOut := c.run("invitation", "resend", inv.ID); code != 0 || !strings.Contains(out, "new link") {
		t.Errorf("resend: exit %d, %q, %q", code, out, errOut)
	}
	if n := invitationMails(t, s, "new.hire@example.com"); n != 2 {
		t.Errorf("%d invitation e-mails after the resend; want 2", n)
	}
	refused := []struct {
		args []string
		code int
		says string
	}{
		{[]string{"invitation", "send", "--client", "nope", "--email", "a@example.com"}, 2, "client_id"},
		{[]string{"invitation", "send", "--client", client.ID, "--email", "not-an-address"}, 2, "email"},
		{[]string{"invitation", "send", "--client", client.ID, "--email", "a@example.com", "--role", "owner"}, 2, "role_ids"},
		{[]string{"invitation", "send", "--client", client.ID, "--email", "a@example.com", "--attr", "novalue"}, 2, "NAME=VALUE"},
		{[]string{"invitation", "send", "--email", "a@example.com"}, 2, "required"},
		{[]string{"invitation", "resend"}, 2, "usage"},
		{[]string{"invitation", "forward", inv.ID}, 2, "usage"},
		{[]string{"invitation", "list", "--store", "nowhere"}, 1, "no invitation or identity store"},
	}
	for _, r := range refused {
		if code, _, errOut := c.run(r.args...); code != r.code || !strings.Contains(errOut, r.says) {
			t.Errorf("%v: exit %d, %q; want %d and %q", r.args, code, errOut, r.code, r.says)
		}
	}
	if code, out, errOut := c.run("invitation", "revoke", inv.ID); code != 0 || !strings.Contains(out, "revoked") {
		t.Fatalf("revoke: exit %d, %q, %q", code, out, errOut)
	}
	if code, out, _ := c.run("invitation", "list"); code != 0 || strings.Contains(out, inv.ID) {
		t.Errorf("list after revoke: exit %d, %q", code, out)
	}
	if code, _, errOut := c.run("invitation", "revoke", inv.ID); code != 1 || !strings.Contains(errOut, "no invitation") {
		t.Errorf("revoke again: exit %d, %q", code, errOut)
	}
	entries, err := s.ListAuditEntries(ctx, storage.AuditFilter{Limit: 3})
	if err != nil || len(entries) != 3 || entries[0].Action != "invitation.revoked" || entries[1].Action != "invitation.resent" ||
		entries[2].Action != "invitation.sent" || entries[2].ActorKind != storage.PrincipalSystem {
		t.Errorf("audit: %+v (%v)", entries, err)
	}
}

func invitationMails(t *testing.T, s *sqlstore.Store, to string) int {
	t.Helper()
	msgs, err := s.ListNotifications(context.Background(), 50)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range msgs {
		if m.To == to && m.Kind == "invitation" && strings.Contains(m.Text, "/oauth2/initiate?") {
			n++
		}
	}
	return n
}
