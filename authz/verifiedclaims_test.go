package authz

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/ory/fosite"

	"foyer/storage"
)

type fakeVerifications map[string]*storage.IdentityVerification

func (f fakeVerifications) CurrentIdentityVerification(_ context.Context, accountID string) (*storage.IdentityVerification, error) {
	if accountID == "broken" {
		return nil, errors.New("database down")
	}
	if v, ok := f[accountID]; ok {
		return v, nil
	}
	return nil, storage.ErrNotFound
}

func TestVerifiedClaimsSource(t *testing.T) {
	at := time.Date(2026, 12, 6, 22, 30, 15, 123, time.UTC)
	src := NewVerifiedClaims(fakeVerifications{
		"verified": {ID: "ver-1", AccountID: "verified", StoreID: "eu", PolicyName: "Branch", Method: "in person", CreatedAt: at},
		"moved":    {ID: "ver-2", AccountID: "moved", StoreID: "us", PolicyName: "Branch", Method: "in person", CreatedAt: at},
	})
	ctx := t.Context()
	with, without := fosite.Arguments{"openid", VerifiedClaimsScope}, fosite.Arguments{"openid", "profile"}
	acct := &storage.Account{ID: "verified", StoreID: "eu"}
	if c, err := src.Claims(ctx, acct, "client", without); err != nil || c != nil {
		t.Errorf("without the scope = %v, %v; want nothing", c, err)
	}
	for _, a := range []*storage.Account{{ID: "never", StoreID: "eu"}, {ID: "moved", StoreID: "eu"}} {
		if c, err := src.Claims(ctx, a, "client", with); err != nil || c != nil {
			t.Errorf("account %s = %v, %v; want nothing", a.ID, c, err)
		}
	}
	if _, err := src.Claims(ctx, &storage.Account{ID: "broken", StoreID: "eu"}, "client", with); err == nil {
		t.Error("a storage failure was swallowed")
	}
	c, err := src.Claims(ctx, acct, "client", with)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(c)
	want := `{"verified_claims":{"claims":{},"verification":{"assurance_process":{"policy":"Branch","procedure":"in person"},` +
		`"time":"2026-12-06T22:30:15Z","trust_framework":"foyer_manual","verification_process":"ver-1"}}}`
	if string(raw) != want {
		t.Errorf("claims = %s\nwant     %s", raw, want)
	}
}
