package storagetest

import (
	"testing"
	"time"

	"foyer/storage"
)

// verificationAreas are identity verification's cases
// (storage.Verifications); Run includes them.
var verificationAreas = []struct {
	name string
	fn   func(t *testing.T, s storage.Store)
}{
	{"VerificationPolicies", testVerificationPolicies},
	{"IdentityVerifications", testIdentityVerifications},
	{"RevokeIdentityVerificationRace", testRevokeIdentityVerificationRace},
	{"IdentityVerificationsGoWithAccount", testIdentityVerificationsGoWithAccount},
}

func testVerificationPolicies(t *testing.T, s storage.Store) {
	ctx := t.Context()
	is, other := newIdentityStore(t, s), newIdentityStore(t, s)
	branch := &storage.VerificationPolicy{StoreID: is.ID, Name: "Branch", Methods: []string{"in person", "document check"}}
	must(t, "CreateVerificationPolicy", s.CreateVerificationPolicy(ctx, branch))
	if branch.ID == "" || branch.Version != 1 || branch.CreatedAt.IsZero() || !branch.UpdatedAt.Equal(branch.CreatedAt) {
		t.Errorf("CreateVerificationPolicy left %+v", branch)
	}
	wantErr(t, "CreateVerificationPolicy same name in another case",
		s.CreateVerificationPolicy(ctx, &storage.VerificationPolicy{StoreID: is.ID, Name: "BRANCH"}), storage.ErrConflict)
	must(t, "CreateVerificationPolicy same name in another store",
		s.CreateVerificationPolicy(ctx, &storage.VerificationPolicy{StoreID: other.ID, Name: "Branch"}))
	wantErr(t, "CreateVerificationPolicy in an unknown store",
		s.CreateVerificationPolicy(ctx, &storage.VerificationPolicy{StoreID: "missing", Name: "x"}), storage.ErrNotFound)
	for _, n := range []string{"video", "Agency"} {
		must(t, "CreateVerificationPolicy", s.CreateVerificationPolicy(ctx, &storage.VerificationPolicy{StoreID: is.ID, Name: n}))
	}
	first, err := s.ListVerificationPolicies(ctx, is.ID, "", 2)
	must(t, "ListVerificationPolicies", err)
	rest, err := s.ListVerificationPolicies(ctx, is.ID, "branch", 2)
	must(t, "ListVerificationPolicies after", err)
	if len(first) != 2 || first[0].Name != "Agency" || first[1].Name != "Branch" || len(rest) != 1 || rest[0].Name != "video" {
		t.Errorf("pages = %+v then %+v", first, rest)
	}
	got, err := s.GetVerificationPolicy(ctx, is.ID, branch.ID)
	must(t, "GetVerificationPolicy", err)
	if got.Name != "Branch" || !equalStrings(got.Methods, []string{"in person", "document check"}) || got.Version != 1 {
		t.Errorf("GetVerificationPolicy = %+v", got)
	}
	_, err = s.GetVerificationPolicy(ctx, other.ID, branch.ID)
	wantErr(t, "GetVerificationPolicy through another store", err, storage.ErrNotFound)

	branch.Name, branch.Methods = "Counter", []string{"in person"}
	must(t, "UpdateVerificationPolicy", s.UpdateVerificationPolicy(ctx, branch, 1))
	if branch.Version != 2 {
		t.Errorf("updated Version = %d, want 2", branch.Version)
	}
	if got, _ := s.GetVerificationPolicy(ctx, is.ID, branch.ID); got.Name != "Counter" || !equalStrings(got.Methods, []string{"in person"}) || got.Version != 2 {
		t.Errorf("after update = %+v", got)
	}
	wantErr(t, "UpdateVerificationPolicy at an old version", s.UpdateVerificationPolicy(ctx, branch, 1), storage.ErrStale)
	branch.Name = "VIDEO"
	wantErr(t, "UpdateVerificationPolicy to a taken name", s.UpdateVerificationPolicy(ctx, branch, 2), storage.ErrConflict)
	wantErr(t, "UpdateVerificationPolicy in another store",
		s.UpdateVerificationPolicy(ctx, &storage.VerificationPolicy{ID: branch.ID, StoreID: other.ID, Name: "x"}, 0), storage.ErrNotFound)
	wantErr(t, "DeleteVerificationPolicy at an old version", s.DeleteVerificationPolicy(ctx, is.ID, branch.ID, 1), storage.ErrStale)
	wantErr(t, "DeleteVerificationPolicy in another store", s.DeleteVerificationPolicy(ctx, other.ID, branch.ID, 0), storage.ErrNotFound)
	must(t, "DeleteVerificationPolicy", s.DeleteVerificationPolicy(ctx, is.ID, branch.ID, 2))
	wantErr(t, "DeleteVerificationPolicy again", s.DeleteVerificationPolicy(ctx, is.ID, branch.ID, 0), storage.ErrNotFound)

	// An empty store goes with its policies.
	empty := newIdentityStore(t, s)
	gone := &storage.VerificationPolicy{StoreID: empty.ID, Name: "Gone", Methods: []string{"x"}}
	must(t, "CreateVerificationPolicy", s.CreateVerificationPolicy(ctx, gone))
	must(t, "DeleteIdentityStore", s.DeleteIdentityStore(ctx, empty.ID, 0))
	_, err = s.GetVerificationPolicy(ctx, empty.ID, gone.ID)
	wantErr(t, "GetVerificationPolicy of a deleted store", err, storage.ErrNotFound)
}

// newVerification records a verification of acct under p's first method.
func newVerification(t *testing.T, s storage.Store, acct *storage.Account, p *storage.VerificationPolicy, at time.Time) *storage.IdentityVerification {
	t.Helper()
	v := &storage.IdentityVerification{AccountID: acct.ID, StoreID: acct.StoreID, PolicyID: p.ID, Method: p.Methods[0],
		AdminID: "adm-1", AdminName: "ada@example.com", Note: "passport seen", CreatedAt: at}
	must(t, "RecordIdentityVerification", s.RecordIdentityVerification(t.Context(), v))
	return v
}

func testIdentityVerifications(t *testing.T, s storage.Store) {
	ctx := t.Context()
	is, other := newIdentityStore(t, s), newIdentityStore(t, s)
	acct, stranger := newAccount(t, s, is.ID), newAccount(t, s, other.ID)
	p := &storage.VerificationPolicy{StoreID: is.ID, Name: "Branch", Methods: []string{"in person", "video call"}}
	must(t, "CreateVerificationPolicy", s.CreateVerificationPolicy(ctx, p))
	_, err := s.CurrentIdentityVerification(ctx, acct.ID)
	wantErr(t, "CurrentIdentityVerification of an unverified account", err, storage.ErrNotFound)

	old := newVerification(t, s, acct, p, at(time.Second+3*time.Millisecond))
	if old.ID == "" || old.PolicyName != "Branch" || !old.Active() {
		t.Errorf("RecordIdentityVerification left %+v", old)
	}
	newer := newVerification(t, s, acct, p, at(time.Minute))
	for _, c := range []struct {
		what string
		v    storage.IdentityVerification
		want error
	}{
		{"a method the policy lacks", storage.IdentityVerification{AccountID: acct.ID, StoreID: is.ID, PolicyID: p.ID, Method: "telepathy"}, storage.ErrConflict},
		{"an unknown policy", storage.IdentityVerification{AccountID: acct.ID, StoreID: is.ID, PolicyID: "missing", Method: "in person"}, storage.ErrNotFound},
		{"another store's policy", storage.IdentityVerification{AccountID: stranger.ID, StoreID: other.ID, PolicyID: p.ID, Method: "in person"}, storage.ErrNotFound},
		{"another store's account", storage.IdentityVerification{AccountID: stranger.ID, StoreID: is.ID, PolicyID: p.ID, Method: "in person"}, storage.ErrNotFound},
		{"an unknown account", storage.IdentityVerification{AccountID: "missing", StoreID: is.ID, PolicyID: p.ID, Method: "in person"}, storage.ErrNotFound},
	} {
		wantErr(t, "RecordIdentityVerification with "+c.what, s.RecordIdentityVerification(ctx, &c.v), c.want)
	}
	list, err := s.ListIdentityVerifications(ctx, acct.ID)
	must(t, "ListIdentityVerifications", err)
	if len(list) != 2 || list[0].ID != newer.ID || list[1].ID != old.ID {
		t.Fatalf("ListIdentityVerifications = %+v, want newest first", list)
	}
	got := list[1]
	if got.StoreID != is.ID || got.PolicyID != p.ID || got.PolicyName != "Branch" || got.Method != "in person" ||
		got.AdminID != "adm-1" || got.AdminName != "ada@example.com" || got.Note != "passport seen" || got.RevokedAt != nil {
		t.Errorf("stored record = %+v", got)
	}
	sameTime(t, "CreatedAt", got.CreatedAt, old.CreatedAt)
	if cur, err := s.CurrentIdentityVerification(ctx, acct.ID); err != nil || cur.ID != newer.ID {
		t.Errorf("CurrentIdentityVerification = %+v, %v; want the newer record", cur, err)
	}

	revokedAt := at(2 * time.Minute)
	r, err := s.RevokeIdentityVerification(ctx, acct.ID, newer.ID, "bob@example.com", revokedAt)
	must(t, "RevokeIdentityVerification", err)
	if r.ID != newer.ID || r.RevokedAt == nil || r.RevokedBy != "bob@example.com" || r.Active() {
		t.Errorf("RevokeIdentityVerification = %+v", r)
	} else {
		sameTime(t, "RevokedAt", *r.RevokedAt, revokedAt)
	}
	_, err = s.RevokeIdentityVerification(ctx, acct.ID, newer.ID, "eve@example.com", at(3*time.Minute))
	wantErr(t, "RevokeIdentityVerification twice", err, storage.ErrConflict)
	_, err = s.RevokeIdentityVerification(ctx, stranger.ID, old.ID, "eve@example.com", revokedAt)
	wantErr(t, "RevokeIdentityVerification through another account", err, storage.ErrNotFound)
	_, err = s.RevokeIdentityVerification(ctx, acct.ID, "missing", "eve@example.com", revokedAt)
	wantErr(t, "RevokeIdentityVerification of an unknown record", err, storage.ErrNotFound)
	if cur, err := s.CurrentIdentityVerification(ctx, acct.ID); err != nil || cur.ID != old.ID {
		t.Errorf("CurrentIdentityVerification after revoking the newer = %+v, %v; want the older", cur, err)
	}
	if list, _ := s.ListIdentityVerifications(ctx, acct.ID); len(list) != 2 || list[0].RevokedBy != "bob@example.com" {
		t.Errorf("a revoked record must stay listed: %+v", list)
	}

	// Deleting the policy keeps the records with its name.
	must(t, "DeleteVerificationPolicy", s.DeleteVerificationPolicy(ctx, is.ID, p.ID, 0))
	if cur, err := s.CurrentIdentityVerification(ctx, acct.ID); err != nil || cur.PolicyName != "Branch" {
		t.Errorf("CurrentIdentityVerification after the policy went = %+v, %v", cur, err)
	}
	_, err = s.RevokeIdentityVerification(ctx, acct.ID, old.ID, "bob@example.com", revokedAt)
	must(t, "RevokeIdentityVerification of the last", err)
	_, err = s.CurrentIdentityVerification(ctx, acct.ID)
	wantErr(t, "CurrentIdentityVerification with every record revoked", err, storage.ErrNotFound)
}

// Of concurrent revocations of one record exactly one wins; the first
// revoker's name stays.
func testRevokeIdentityVerificationRace(t *testing.T, s storage.Store) {
	ctx := t.Context()
	is := newIdentityStore(t, s)
	acct := newAccount(t, s, is.ID)
	p := &storage.VerificationPolicy{StoreID: is.ID, Name: "Branch", Methods: []string{"in person"}}
	must(t, "CreateVerificationPolicy", s.CreateVerificationPolicy(ctx, p))
	v := newVerification(t, s, acct, p, time.Time{})
	names := []string{"a", "b", "c", "d"}
	errs := race(len(names), func(i int) error {
		_, err := s.RevokeIdentityVerification(ctx, acct.ID, v.ID, names[i], time.Now())
		return err
	})
	winner := ""
	for i, err := range errs {
		switch {
		case err == nil && winner == "":
			winner = names[i]
		case err == nil:
			t.Errorf("two revocations succeeded (%s and %s)", winner, names[i])
		case !isErr(err, storage.ErrConflict):
			t.Errorf("losing revocation: %v, want ErrConflict", err)
		}
	}
	if list, _ := s.ListIdentityVerifications(ctx, acct.ID); winner == "" || len(list) != 1 || list[0].RevokedBy != winner {
		t.Errorf("after the race: winner %q, records %+v", winner, list)
	}
}

func testIdentityVerificationsGoWithAccount(t *testing.T, s storage.Store) {
	ctx := t.Context()
	is := newIdentityStore(t, s)
	acct, keep := newAccount(t, s, is.ID), newAccount(t, s, is.ID)
	p := &storage.VerificationPolicy{StoreID: is.ID, Name: "Branch", Methods: []string{"in person"}}
	must(t, "CreateVerificationPolicy", s.CreateVerificationPolicy(ctx, p))
	newVerification(t, s, acct, p, time.Time{})
	newVerification(t, s, keep, p, time.Time{})
	must(t, "DeleteAccountData", s.DeleteAccountData(ctx, acct.ID))
	if list, err := s.ListIdentityVerifications(ctx, acct.ID); err != nil || len(list) != 0 {
		t.Errorf("records of a deleted account = %+v, %v", list, err)
	}
	if list, err := s.ListIdentityVerifications(ctx, keep.ID); err != nil || len(list) != 1 {
		t.Errorf("another account's records = %+v, %v", list, err)
	}
}
