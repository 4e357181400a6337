package devseed_test

import (
	"errors"
	"testing"
	"time"

	"foyer/cmd/internal/devseed"
)

func TestSeedTokens(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			d := open(t, dialect)
			now := time.Now()
			res, err := devseed.SeedTokens(t.Context(), d.s, devseed.TokenOptions{Count: 2500, ClientID: "bench", ExpiredShare: 0.2,
				BatchSize: 1000, Now: now})
			if err != nil {
				t.Fatal(err)
			}
			if res.Tokens != 2500 || res.Expired != 500 {
				t.Errorf("result %+v, want 2500 tokens, 500 expired", res)
			}
			if n := d.count(t, "SELECT count(*) FROM oauth2_tokens WHERE client_id = $1", "bench"); n != 2500 {
				t.Errorf("%d rows written, want 2500", n)
			}
			// The expired ones are what the cleanup deletes, and only they.
			if n, err := d.s.DeleteExpiredTokens(t.Context(), now.Add(-time.Hour), 10000); err != nil || n != 500 {
				t.Errorf("DeleteExpiredTokens = %d, %v; want the 500 expired", n, err)
			}
		})
	}
	d := open(t, "sqlite")
	for _, o := range []devseed.TokenOptions{{Count: 0, ClientID: "c"}, {Count: 1}, {Count: 1, ClientID: "c", ExpiredShare: 2}} {
		if _, err := devseed.SeedTokens(t.Context(), d.s, o); !errors.Is(err, devseed.ErrBadOptions) {
			t.Errorf("devseed.SeedTokens(%+v) = %v, want devseed.ErrBadOptions", o, err)
		}
	}
}
