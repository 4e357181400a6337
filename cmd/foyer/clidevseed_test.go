package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"foyer/selfservice/password"
	"foyer/storage"
	"foyer/storage/sqlstore"
)

// TestCLIDevSeed: foyer dev seed fills the default store, prints what it
// made and the password the accounts sign in with, and refuses the
// administrators store, a second run on a filled store and no count.
func TestCLIDevSeed(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	code, out, errOut := c.run("dev", "seed", "--accounts", "60", "--groups", "3", "--seed", "9")
	if code != 0 {
		t.Fatalf("dev seed: exit %d: %s", code, errOut)
	}
	for _, want := range []string{`seeded 60 accounts into store "default"`, "group memberships", "DEVELOPMENT ONLY"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	pw := regexp.MustCompile(`password of every seeded account: (\S+)`).FindStringSubmatch(out)
	sample := regexp.MustCompile(`sign in as, for example: ([^,\s]+)`).FindStringSubmatch(out)
	if pw == nil || sample == nil {
		t.Fatalf("no password or sample account in:\n%s", out)
	}

	ctx := context.Background()
	s, err := sqlstore.Open(ctx, c.env["FOYER_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n, err := s.CountAccounts(ctx, "default"); err != nil || n != 60 {
		t.Fatalf("default store holds %d accounts (%v), want 60", n, err)
	}
	a, err := s.FindAccountByIdentifier(ctx, "default", storage.IdentifierEmail, sample[1])
	if err != nil {
		t.Fatal(err)
	}
	cred, err := s.GetPassword(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := password.NewHasher(password.OWASP).Verify(ctx, pw[1], cred.Hash); err != nil || a.Status != storage.AccountEnabled {
		t.Fatalf("sample %s (%s) does not sign in with the printed password: %v", a.Email, a.Status, err)
	}

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"dev", "seed", "--accounts", "5"}, 1, "has accounts already"},
		{[]string{"dev", "seed", "--accounts", "5", "--store", "administrators"}, 2, "administrators store is never seeded"},
		{[]string{"dev", "seed", "--accounts", "5", "--store", "nope"}, 2, `"nope" does not exist`},
		{[]string{"dev", "seed"}, 2, "usage: foyer dev seed"},
	} {
		code, _, errOut := c.run(tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, %q; want %d and %q", tc.args, code, errOut, tc.code, tc.want)
		}
	}
	if n, _ := s.CountAccounts(ctx, "default"); n != 60 {
		t.Fatalf("a refused run changed the count to %d", n)
	}
}

// TestCLISeedTokensAndCleanup: foyer dev seed --tokens writes stored
// tokens, a share of them expired; foyer cleanup deletes exactly those, in
// batches smaller than their number, and refuses while a node holds the
// cleanup lease.
func TestCLISeedTokensAndCleanup(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	code, out, errOut := c.run("dev", "seed", "--tokens", "1200", "--client", "bench", "--expired-share", "0.25")
	if code != 0 || !strings.Contains(out, `seeded 1200 tokens of client "bench" (300 expired)`) {
		t.Fatalf("dev seed --tokens: exit %d, %q, %q", code, out, errOut)
	}
	if code, _, errOut := c.run("dev", "seed", "--tokens", "5"); code != 2 || !strings.Contains(errOut, "need a count, a client") {
		t.Errorf("dev seed --tokens without a client: exit %d, %q", code, errOut)
	}
	code, out, errOut = c.run("cleanup", "--batch", "100", "--pause", "0s")
	if code != 0 || !strings.Contains(out, "deleted 300 expired tokens") {
		t.Fatalf("cleanup: exit %d, %q, %q", code, out, errOut)
	}
	ctx := context.Background()
	s, err := sqlstore.Open(ctx, c.env["FOYER_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n, err := s.DeleteExpiredTokens(ctx, time.Now(), 10000); err != nil || n != 0 {
		t.Errorf("%d expired tokens left after cleanup (%v)", n, err)
	}
	// The command held the lease for a run's interval; once it has run out,
	// a node takes it, and the command then leaves the work to that node.
	if ok, err := s.TryLease(ctx, "cleanup", "other-node", time.Now().Add(cliCleanupLease+time.Second), time.Hour); err != nil || !ok {
		t.Fatalf("TryLease = %v, %v", ok, err)
	}
	if code, _, errOut := c.run("cleanup"); code != 1 || !strings.Contains(errOut, "another node is cleaning up") {
		t.Errorf("cleanup beside a node's: exit %d, %q", code, errOut)
	}
}
