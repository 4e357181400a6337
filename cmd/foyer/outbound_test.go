package main

import (
	"context"
	"crypto/rand"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"foyer/authz"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// internalService stands for something on Foyer's own network that no
// registrant should reach: it counts requests by path and serves key sets
// and logout endpoints that would work if reached.
type internalService struct {
	*httptest.Server
	mu        sync.Mutex
	hits      map[string]int
	delivered chan string
}

func newInternalService(t *testing.T, jwks map[string][]byte) *internalService {
	t.Helper()
	s := &internalService{hits: map[string]int{}, delivered: make(chan string, 4)}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		s.mu.Unlock()
		if set, ok := jwks[r.URL.Path]; ok {
			w.Header().Set("Content-Type", "application/jwk-set+json")
			_, _ = w.Write(set)
			return
		}
		if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/bc/") {
			s.delivered <- r.URL.Path
			return
		}
		w.WriteHeader(http.StatusNotFound)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *internalService) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

// failureSpy reports each back-channel delivery failure the worker
// records, so the test waits on the event instead of the clock.
type failureSpy struct {
	storage.Store
	failed chan string
}

func (s failureSpy) FailLogoutNotice(ctx context.Context, id string, next time.Time, lastError string) error {
	err := s.Store.FailLogoutNotice(ctx, id, next, lastError)
	s.failed <- lastError
	return err
}

// registrantClient stores a client as dynamic registration would (it
// holds a registration access token), bypassing registration's own URI
// checks: it stands for a client registered while the switch was on, or
// under a name that later resolved to an internal address.
func registrantClient(t *testing.T, store storage.Store, spec authz.ClientSpec) string {
	t.Helper()
	spec.ApplicationID = defaultApplicationID
	c, _, err := authz.NewClient(spec)
	if err != nil {
		t.Fatal(err)
	}
	c.RegistrationTokenHash = []byte(rand.Text())
	if err := store.CreateClient(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return c.ID
}

// TestRegistrantURIsStayOffPrivateNetworks: with
// FOYER_ALLOW_PRIVATE_NETWORK_URIS off, a dynamically registered client
// can neither register a loopback jwks_uri or backchannel_logout_uri nor,
// with one in the store, make Foyer send a request there; clients an
// operator registered still reach internal hosts.
func TestRegistrantURIsStayOffPrivateNetworks(t *testing.T) {
	t.Parallel()
	key, wrongKey := newClientKey(t, jose.ES256, "k1"), newClientKey(t, jose.ES256, "k1")
	internal := newInternalService(t, map[string][]byte{"/registrant/jwks": key.jwks(t), "/operator/jwks": key.jwks(t)})
	spy := failureSpy{Store: sqltest.SQLite(t), failed: make(chan string, 4)}
	srv := startServer(t, spy, withPrivateNetworkGuard())
	tokenURL := srv.issuer + authz.TokenPath
	_, port, _ := net.SplitHostPort(internal.Listener.Addr().String())

	t.Run("registration refuses internal URIs", func(t *testing.T) {
		for _, field := range []string{"jwks_uri", "backchannel_logout_uri"} {
			for _, uri := range []string{
				internal.URL + "/registrant/jwks",
				"https://127.0.0.1:" + port + "/jwks",
				"https://localhost:" + port + "/jwks",
				"https://[::1]:" + port + "/jwks",
				"https://169.254.169.254/latest",
				"https://10.0.0.7/jwks",
			} {
				m := map[string]any{"client_name": "Probe", "grant_types": []string{"client_credentials"}, field: uri}
				if field == "jwks_uri" {
					m["token_endpoint_auth_method"], m["token_endpoint_auth_signing_alg"] = "private_key_jwt", "ES256"
				}
				r := call(t, http.MethodPost, srv.issuer+authz.RegistrationPath, srv.initialToken(t, 1, time.Hour), m)
				if r.status != http.StatusBadRequest || r.str("error") != "invalid_client_metadata" || !strings.Contains(r.str("error_description"), field) {
					t.Errorf("%s %s: got %d %v, want 400 invalid_client_metadata", field, uri, r.status, r.body)
				}
			}
		}
		if n := internal.count("/registrant/jwks"); n != 0 {
			t.Errorf("registration fetched the jwks_uri %d times", n)
		}
	})

	assertionSpec := authz.ClientSpec{Name: "Service", GrantTypes: []string{"client_credentials"},
		TokenEndpointAuthMethod: authz.AuthMethodPrivateKey, TokenEndpointAuthSigningAlg: "ES256"}

	var refusedDescription string
	t.Run("no fetch of a registrant's internal jwks_uri", func(t *testing.T) {
		spec := assertionSpec
		spec.JWKSURI = internal.URL + "/registrant/jwks"
		id := registrantClient(t, srv.store, spec)
		// A correctly signed assertion: only the guard stands between it
		// and a token.
		for range 5 {
			status, body := postForm(t, tokenURL, withGrant(id, key.sign(t, newAssertionClaims(id, tokenURL))), "", "")
			if status != http.StatusUnauthorized || body["error"] != "invalid_client" {
				t.Fatalf("got %d %v, want 401 invalid_client", status, body)
			}
			refusedDescription, _ = body["error_description"].(string)
		}
		if n := internal.count("/registrant/jwks"); n != 0 {
			t.Fatalf("the internal service was asked %d times for the registrant's jwks_uri", n)
		}
	})

	t.Run("operator clients reach internal hosts; errors do not tell fetch from signature", func(t *testing.T) {
		spec := assertionSpec
		spec.JWKSURI = internal.URL + "/operator/jwks"
		id, _ := srv.client(t, spec)
		status, body := postForm(t, tokenURL, withGrant(id, key.sign(t, newAssertionClaims(id, tokenURL))), "", "")
		if status != http.StatusOK {
			t.Fatalf("operator client: %d %v", status, body)
		}
		status, body = postForm(t, tokenURL, withGrant(id, wrongKey.sign(t, newAssertionClaims(id, tokenURL))), "", "")
		if status != http.StatusUnauthorized || body["error"] != "invalid_client" || body["error_description"] != refusedDescription {
			t.Fatalf("bad signature: %d %v, want invalid_client described as a refused fetch is (%q)", status, body, refusedDescription)
		}
	})

	t.Run("no back-channel logout to a registrant's internal URI", func(t *testing.T) {
		spec := authz.ClientSpec{Name: "RP", RedirectURIs: []string{rpCallback}, GrantTypes: []string{"authorization_code"}}
		spec.BackchannelLogoutURI = internal.URL + "/bc/registrant"
		registrant := registrantClient(t, srv.store, spec)
		spec.BackchannelLogoutURI = internal.URL + "/bc/operator"
		operator, _ := srv.client(t, spec)
		ctx := context.Background()
		for _, id := range []string{registrant, operator} {
			if err := srv.store.EnqueueLogoutNotice(ctx, &storage.LogoutNotice{SessionID: "s-" + id, AccountID: "a", ClientID: id}); err != nil {
				t.Fatal(err)
			}
		}
		if got := <-internal.delivered; got != "/bc/operator" {
			t.Fatalf("delivered to %s", got)
		}
		if lastError := <-spy.failed; !strings.Contains(lastError, "not a public address") {
			t.Fatalf("recorded failure %q, want the guard's refusal", lastError)
		}
		if n := internal.count("/bc/registrant"); n != 0 {
			t.Fatalf("the registrant's logout URI was reached %d times", n)
		}
	})
}

// TestConfigAllowPrivateNetworkURIs: the switch reads from the environment
// and a value that is not a boolean is a configuration error.
func TestConfigAllowPrivateNetworkURIs(t *testing.T) {
	t.Parallel()
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "FOYER_ALLOW_PRIVATE_NETWORK_URIS" {
				return v
			}
			return ""
		}
	}
	if cfg, err := loadConfig("", env("")); err != nil || cfg.AllowPrivateNetworkURIs {
		t.Fatalf("default: %v %v, want off", cfg.AllowPrivateNetworkURIs, err)
	}
	if cfg, err := loadConfig("", env("true")); err != nil || !cfg.AllowPrivateNetworkURIs {
		t.Fatalf("true: %v %v, want on", cfg.AllowPrivateNetworkURIs, err)
	}
	if _, err := loadConfig("", env("yes please")); err == nil || !strings.Contains(err.Error(), "FOYER_ALLOW_PRIVATE_NETWORK_URIS") {
		t.Fatalf("bad value: %v, want an error naming the variable", err)
	}
}
