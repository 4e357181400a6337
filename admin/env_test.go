package admin

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/notify"
	"foyer/selfservice/session"
	"foyer/storage"
	"foyer/themes"
)

// apiEnv is the admin API over a real store: two identity stores with an
// application each, an administrator per role (and one limited to the
// other store), a client holding the admin role, a customer. Tokens are
// looked up in a table (the real token endpoint is cmd/foyer's to test).
type apiEnv struct {
	t      *testing.T
	store  storage.Store
	srv    *httptest.Server
	ids    map[string]string // token name → account or client id
	mailer *recordingMailer
}

// Identity stores, applications and the token names of the environment.
const (
	storeA = "store-a"
	storeB = "store-b"
	appA   = "app-a"
	appB   = "app-b"
)

// roleTokens are the console tokens of administrators: name → grant.
var roleTokens = map[string]storage.AdminGrant{
	"owner":   {Role: storage.RoleOwner},
	"admin":   {Role: storage.RoleAdmin},
	"support": {Role: storage.RoleSupport},
	"auditor": {Role: storage.RoleAuditor},
	"admin-b": {Role: storage.RoleAdmin, StoreIDs: []string{storeB}}, // an admin of store B only
}

func newAPIEnv(t *testing.T, store storage.Store) *apiEnv {
	t.Helper()
	ctx := context.Background()
	e := &apiEnv{t: t, store: store, ids: map[string]string{}, mailer: &recordingMailer{}}
	for _, id := range []string{storage.AdministratorsStoreID, storeA, storeB} {
		err := store.CreateIdentityStore(ctx, &storage.IdentityStore{ID: id, Name: id, IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail}})
		if err != nil && id != storage.AdministratorsStoreID { // the migration may have made it
			t.Fatal(err)
		}
	}
	for app, st := range map[string]string{appA: storeA, appB: storeB} {
		e.must(store.CreateApplication(ctx, &storage.Application{ID: app, StoreID: st, Name: app}))
	}
	tokens := fakeTokens{}
	for name, g := range roleTokens {
		acct := &storage.Account{StoreID: storage.AdministratorsStoreID, Status: storage.AccountEnabled, Email: name + "@admins.example"}
		e.must(store.CreateAccount(ctx, acct))
		g.PrincipalKind, g.PrincipalID = storage.PrincipalAdministrator, acct.ID
		e.must(store.CreateAdminGrant(ctx, &g))
		e.ids[name] = acct.ID
		tokens[name] = Principal{Subject: acct.ID, ClientID: manage.ConsoleClientID, Scopes: []string{"openid"}}
	}
	customer := &storage.Account{StoreID: storeA, Status: storage.AccountEnabled, Email: "customer@example.com"}
	e.must(store.CreateAccount(ctx, customer))
	tokens["customer"] = Principal{Subject: customer.ID, ClientID: manage.ConsoleClientID}
	tokens["customer-of-app"] = Principal{Subject: customer.ID, ClientID: "shop", Scopes: []string{Scope}}
	e.must(store.CreateClient(ctx, &storage.Client{ID: "robot", ApplicationID: appA, Name: "Robot", SecretHash: []byte{1}}))
	e.must(store.CreateAdminGrant(ctx, &storage.AdminGrant{PrincipalKind: storage.PrincipalClient, PrincipalID: "robot", Role: storage.RoleAdmin}))
	e.ids["robot"] = "robot"
	tokens["robot"] = Principal{ClientID: "robot", Scopes: []string{Scope}}
	tokens["robot-no-scope"] = Principal{ClientID: "robot"}

	core := manage.NewCore(store, nil)
	h, err := New(Deps{Tokens: tokens, Core: core, Clients: manage.NewClients(core, store, testRegistry{}),
		Administrators: manage.NewAdministrators(core, store, e.mailer, "https://id.example"), Audit: manage.NewAudit(store),
		Applications: manage.NewApplications(core, store), Policies: manage.NewPolicies(core, store),
		AccountActivity:  manage.NewAccountActivity(core, store, session.NewManager(store, session.Config{}), nil),
		MessageTemplates: manage.NewMessageTemplates(core, store, notify.NewService(store, nil, nil)),
	})
	e.must(err)
	router := mux.NewRouter()
	h.Mount(router)
	e.srv = httptest.NewServer(router)
	t.Cleanup(e.srv.Close)
	return e
}

func (e *apiEnv) must(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

// response is one answer of the API.
type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    []byte
}

// do calls the API as token (a name of the environment's table; "" for
// none) with an optional JSON body and extra headers ("If-Match", v, ...).
func (e *apiEnv) do(token, method, path string, body any, headers ...string) response {
	e.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		e.must(err)
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.srv.URL+APIPrefix+path, r)
	e.must(err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("User-Agent", "apitest")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	e.must(err)
	defer resp.Body.Close()
	out := response{status: resp.StatusCode, header: resp.Header}
	out.raw, _ = io.ReadAll(resp.Body)
	if len(out.raw) > 0 && strings.Contains(resp.Header.Get("Content-Type"), "json") && !strings.Contains(resp.Header.Get("Content-Type"), "jsonl") {
		if err := json.Unmarshal(out.raw, &out.body); err != nil {
			e.t.Fatalf("%s %s: %d, not a JSON object: %q", method, path, resp.StatusCode, out.raw)
		}
	}
	return out
}

// expect fails unless the answer has the status; an error status must
// come as a problem document of that status.
func (r response) expect(t *testing.T, what string, status int) response {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: %d %s; want %d", what, r.status, r.raw, status)
	}
	if status >= 400 && (r.header.Get("Content-Type") != problemMediaType || r.body["status"] != float64(status) || r.body["title"] == "") {
		t.Fatalf("%s: %d is not a problem document: %s %s", what, status, r.header.Get("Content-Type"), r.raw)
	}
	return r
}

func (r response) str(key string) string { s, _ := r.body[key].(string); return s }

// lastAudit is the newest audit entry.
func (e *apiEnv) lastAudit() storage.AuditEntry {
	e.t.Helper()
	entries, err := e.store.ListAuditEntries(context.Background(), storage.AuditFilter{Limit: 1})
	e.must(err)
	if len(entries) == 0 {
		e.t.Fatal("the audit log is empty")
	}
	return entries[0]
}

// auditCount is how many entries the log holds.
func (e *apiEnv) auditCount() int {
	e.t.Helper()
	n := 0
	e.must(e.store.WalkAuditEntries(context.Background(), func(storage.AuditEntry) error { n++; return nil }))
	return n
}

// testRegistry stands in for authz's client validation (which cmd/foyer
// wires and tests): a name is required, confidential clients get a
// random secret.
type testRegistry struct{}

func (testRegistry) NewClient(in manage.ClientInput) (*storage.Client, string, error) {
	if in.ClientName == "" {
		return nil, "", manage.Problems{"client_name": "a name is required"}.Err()
	}
	c := &storage.Client{ID: "c-" + randomString(), ApplicationID: in.ApplicationID, Name: in.ClientName,
		RedirectURIs: in.RedirectURIs, Public: in.Public}
	if c.ApplicationID == "" {
		c.ApplicationID = appA
	}
	if in.Public {
		return c, "", nil
	}
	secret, digest, _ := testRegistry{}.NewSecret()
	c.SecretHash = digest
	return c, secret, nil
}

func (testRegistry) Replace(c *storage.Client, in manage.ClientInput) (*storage.Client, error) {
	if in.ClientName == "" {
		return nil, manage.Problems{"client_name": "a name is required"}.Err()
	}
	out := *c
	out.Name, out.RedirectURIs = in.ClientName, in.RedirectURIs
	if in.ApplicationID != "" {
		out.ApplicationID = in.ApplicationID
	}
	return &out, nil
}

func (testRegistry) NewSecret() (string, []byte, error) {
	s := randomString()
	sum := sha256.Sum256([]byte(s))
	return s, sum[:], nil
}

func (testRegistry) View(c *storage.Client) manage.Client {
	return manage.Client{ClientID: c.ID, ClientInput: manage.ClientInput{ApplicationID: c.ApplicationID, ClientName: c.Name,
		RedirectURIs: c.RedirectURIs, Public: c.Public}, PreviousSecretExpiresAt: c.PreviousSecretExpiresAt,
		Version: c.Version, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

func randomString() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// recordingMailer keeps the invitations the API sends.
type recordingMailer struct {
	mu   sync.Mutex
	sent []string // addresses
}

func (m *recordingMailer) Email(_ context.Context, to, _, _, _ string, _ themes.Branding, _ any) (notify.Message, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, to)
	return notify.Message{}, nil
}

// within reports whether t is within d of want.
func within(t, want time.Time, d time.Duration) bool { return t.Sub(want).Abs() <= d }
