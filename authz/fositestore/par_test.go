package fositestore

import (
	"context"
	"errors"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/openid"

	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// pushedRequest is an authorization request as fosite's PAR handler hands
// it to the store: with a session carrying the record's expiry.
func pushedRequest(t *testing.T, s *Store, expires time.Time) *fosite.AuthorizeRequest {
	t.Helper()
	client, err := s.GetClient(context.Background(), "shop")
	if err != nil {
		t.Fatal(err)
	}
	ar := fosite.NewAuthorizeRequest()
	ar.Client = client
	ar.RedirectURI, _ = url.Parse("https://shop.example/cb")
	ar.ResponseTypes = fosite.Arguments{"code"}
	ar.State = "state-0001"
	ar.ResponseMode = fosite.ResponseModeFormPost
	ar.RequestedScope = fosite.Arguments{"openid"}
	ar.Form = url.Values{"client_id": {"shop"}, "nonce": {"n-0001"}}
	sess := openid.NewDefaultSession()
	sess.SetExpiresAt(fosite.PushedAuthorizeRequestContext, expires)
	ar.Session = sess
	return ar
}

// TestPARSessions: a pushed request comes back whole, once; an expired one
// is refused; of concurrent takers exactly one gets it.
func TestPARSessions(t *testing.T) {
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		ctx := context.Background()
		db := newStore(t)
		if err := db.CreateClient(ctx, &storage.Client{ID: "shop", Name: "Shop", RedirectURIs: []string{"https://shop.example/cb"}}); err != nil {
			t.Fatal(err)
		}
		c := &clock{t: time.Now()}
		s := New(db, c.now, nil)
		const uri = "urn:ietf:params:oauth:request_uri:abc"
		if err := s.CreatePARSession(ctx, uri, pushedRequest(t, s, c.t.Add(time.Minute))); err != nil {
			t.Fatal(err)
		}
		if _, err := db.GetToken(ctx, storage.TokenPAR, uri); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("the request_uri must not be stored in the clear: %v", err)
		}
		got, err := s.GetPARSession(ctx, uri)
		if err != nil {
			t.Fatal(err)
		}
		if got.GetClient().GetID() != "shop" || got.GetRedirectURI().String() != "https://shop.example/cb" ||
			got.GetState() != "state-0001" || got.GetResponseMode() != fosite.ResponseModeFormPost ||
			!got.GetResponseTypes().ExactOne("code") || got.GetRequestForm().Get("nonce") != "n-0001" ||
			!got.GetRequestedScopes().Has("openid") {
			t.Fatalf("pushed request came back as %+v", got)
		}
		if err := s.DeletePARSession(ctx, uri); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetPARSession(ctx, uri); !errors.Is(err, fosite.ErrNotFound) {
			t.Fatalf("second use: %v, want fosite.ErrNotFound", err)
		}

		if err := s.CreatePARSession(ctx, uri+"2", pushedRequest(t, s, c.t.Add(time.Minute))); err != nil {
			t.Fatal(err)
		}
		c.t = c.t.Add(time.Minute)
		if _, err := s.GetPARSession(ctx, uri+"2"); !errors.Is(err, ErrPARExpired) {
			t.Fatalf("expired: %v, want ErrPARExpired", err)
		}

		if err := s.CreatePARSession(ctx, uri+"3", pushedRequest(t, s, c.t.Add(time.Minute))); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		results := make(chan error, 4)
		for range 4 {
			wg.Go(func() {
				_, err := s.GetPARSession(ctx, uri+"3")
				results <- err
			})
		}
		wg.Wait()
		close(results)
		won := 0
		for err := range results {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, fosite.ErrNotFound):
				t.Errorf("a losing taker got %v, want fosite.ErrNotFound", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d takers got the pushed request, want exactly 1", won)
		}
	})
}
