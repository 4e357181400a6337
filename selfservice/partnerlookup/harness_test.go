package partnerlookup_test

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"foyer/selfservice/partnerlookup"
	"foyer/storage"
	"foyer/storage/seal"
)

// fixture is one application with a webhook in a real store, its secret
// sealed as cmd/foyer seals it, and the log the client writes.
type fixture struct {
	store  storage.Store
	sealer *sealer
	secret []byte
	appID  string
	log    *syncBuffer
}

func newFixture(t *testing.T, store storage.Store) *fixture {
	t.Helper()
	key := make([]byte, seal.KeySize)
	_, _ = rand.Read(key)
	s, err := seal.New(key)
	if err != nil {
		t.Fatal(err)
	}
	app := &storage.Application{Name: "Partner portal " + rand.Text()}
	if err := store.CreateApplication(t.Context(), app); err != nil {
		t.Fatalf("CreateApplication: %v", err)
	}
	return &fixture{store: store, sealer: &sealer{s}, secret: []byte("plk_" + rand.Text()), appID: app.ID, log: &syncBuffer{}}
}

// configure points the application's webhook at url.
func (f *fixture) configure(t *testing.T, url string, timeout time.Duration) {
	t.Helper()
	sealed, err := f.sealer.seal(f.appID, f.secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.SetPartnerLookup(t.Context(), &storage.PartnerLookup{ApplicationID: f.appID, URL: url,
		SecretSealed: sealed, Timeout: timeout}); err != nil {
		t.Fatalf("SetPartnerLookup: %v", err)
	}
}

// client is what tests talk to: the fixture's store and sealer, logging
// into f.log, trusting ts's certificate when there is one.
func (f *fixture) client(ts *httptest.Server, opts ...partnerlookup.Option) *partnerlookup.Client {
	base := []partnerlookup.Option{partnerlookup.WithLogger(slog.New(slog.NewTextHandler(f.log, nil)))}
	if ts != nil && ts.TLS != nil {
		pool := x509.NewCertPool()
		pool.AddCert(ts.Certificate())
		base = append(base, partnerlookup.WithRootCAs(pool))
	}
	return partnerlookup.New(f.store, f.sealer, append(base, opts...)...)
}

// tlsServer serves h over TLS on loopback and counts the requests that
// reached it.
func tlsServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	hits := &atomic.Int32{}
	ts := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		h(w, r)
	}))
	t.Cleanup(ts.Close)
	return ts, hits
}

// sealer binds a secret to its application as cmd/foyer's partner lookup
// sealer does: storage/seal with the application in the associated data.
type sealer struct{ s *seal.Sealer }

func (s *sealer) seal(applicationID string, secret []byte) ([]byte, error) {
	return s.s.Seal(secret, []byte("test/partner-lookup\x00"+applicationID))
}

func (s *sealer) OpenPartnerLookupSecret(applicationID string, sealed []byte) ([]byte, error) {
	return s.s.Open(sealed, []byte("test/partner-lookup\x00"+applicationID))
}

// syncBuffer is a bytes.Buffer the client's logger and the test may share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
