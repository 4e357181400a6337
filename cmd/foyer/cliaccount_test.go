package main

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"foyer/storage"
	"foyer/storage/sqlstore"
)

var createdAccount = regexp.MustCompile(`created account ([0-9a-f]{32}) `)

// A username in the form of an account id is refused when set, and an
// argument in that form names the account with that id, never an account
// whose (older) username reads like it: "group add" and "account link"
// must not act on an account the operator did not mean.
func TestCLIAccountIDsAreNotUsernames(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	code, out, errOut := c.run("account", "create", "--email", "victim@example.com", "--password", "victim-password-1")
	m := createdAccount.FindStringSubmatch(out)
	if code != 0 || m == nil {
		t.Fatalf("account create: %d %q %q", code, out, errOut)
	}
	victim := m[1]
	for _, name := range []string{victim, strings.ToUpper(victim)} {
		code, _, errOut := c.run("account", "create", "--email", "evil@example.com", "--password", "evil-password-1", "--username", name)
		if code != 2 || !strings.Contains(errOut, "account id") {
			t.Errorf("username %s: exit %d %q, want 2 and a message", name, code, errOut)
		}
	}
	// An account from before the rule, whose username is the victim's id.
	var evil storage.Account
	withCLIStore(t, c, func(ctx context.Context, s *sqlstore.Store) {
		evil = storage.Account{StoreID: defaultStoreID, Email: "evil@example.com", Username: strings.ToUpper(victim)}
		if err := s.CreateAccount(ctx, &evil); err != nil {
			t.Fatal(err)
		}
	})
	for _, step := range [][]string{
		{"group", "create", "gold"}, {"group", "add", "gold", victim},
		{"account", "link", victim, "--provider", "acme", "--subject", "s-1"},
	} {
		if code, _, errOut := c.run(step...); code != 0 {
			t.Fatalf("%v: %d %s", step, code, errOut)
		}
	}
	withCLIStore(t, c, func(ctx context.Context, s *sqlstore.Store) {
		assertOwns(ctx, t, s, victim, 1)
		assertOwns(ctx, t, s, evil.ID, 0)
	})
	// An id-form argument that is no account's id is refused, even though
	// an account's username matches it.
	missing := strings.Repeat("ab", 16)
	withCLIStore(t, c, func(ctx context.Context, s *sqlstore.Store) {
		other := storage.Account{StoreID: defaultStoreID, Email: "other@example.com", Username: missing}
		if err := s.CreateAccount(ctx, &other); err != nil {
			t.Fatal(err)
		}
	})
	for _, step := range [][]string{{"group", "add", "gold", missing}, {"account", "link", missing, "--provider", "acme", "--subject", "s-2"}} {
		if code, _, errOut := c.run(step...); code != 1 || !strings.Contains(errOut, "no account") {
			t.Errorf("%v: exit %d %q, want 1 and no account", step, code, errOut)
		}
	}
}

// assertOwns checks the account's group and linked identity count.
func assertOwns(ctx context.Context, t *testing.T, s *sqlstore.Store, accountID string, want int) {
	t.Helper()
	groups, err := s.ListAccountGroups(ctx, accountID)
	if err != nil {
		t.Fatal(err)
	}
	links, err := s.ListExternalIdentities(ctx, accountID)
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != want || len(links) != want {
		t.Errorf("account %s: %d groups, %d links, want %d each", accountID, len(groups), len(links), want)
	}
}
