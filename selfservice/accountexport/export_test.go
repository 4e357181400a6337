package accountexport_test

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"foyer/selfservice/accountexport"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// TestBuildAndWrite: the document holds the account's data but no secret
// and no expired session, and both downloads are attachments; the page
// shows the caller's extra sections.
func TestBuildAndWrite(t *testing.T) {
	s := sqltest.SQLite(t)
	ctx := t.Context()
	if err := s.CreateIdentityStore(ctx, &storage.IdentityStore{ID: "eu", Name: "EU", IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail}}); err != nil {
		t.Fatal(err)
	}
	a := &storage.Account{StoreID: "eu", Email: "ann@example.com", Attributes: map[string]string{"nickname": "Annie"}}
	must(t, s.CreateAccount(ctx, a))
	must(t, s.SetPassword(ctx, a.ID, "$argon2id$v=19$secret-hash"))
	now := time.Now().UTC()
	must(t, s.CreateSession(ctx, &storage.Session{ID: "sess-live", AccountID: a.ID, AuthTime: now, UserAgent: "UA", IP: "192.0.2.1", ExpiresAt: now.Add(time.Hour)}))
	must(t, s.CreateSession(ctx, &storage.Session{ID: "sess-old", AccountID: a.ID, AuthTime: now.Add(-3 * time.Hour), ExpiresAt: now.Add(-time.Hour)}))
	x, err := accountexport.Build(ctx, s, a, accountexport.Options{Now: now, CurrentSession: "sess-live",
		Device: func(string) (string, string) { return "Firefox 130", "Linux" }, Locate: func(string) string { return "Berlin, Germany" }})
	must(t, err)
	if len(x.Sessions) != 1 || !x.Sessions[0].IsCurrent || x.Sessions[0].Browser != "Firefox 130" || x.Sessions[0].Location != "Berlin, Germany" {
		t.Errorf("sessions = %+v", x.Sessions)
	}
	if !x.Password.Set || x.Profile.Attributes["nickname"] != "Annie" {
		t.Errorf("profile %+v, password %+v", x.Profile, x.Password)
	}
	rec := httptest.NewRecorder()
	must(t, accountexport.WriteJSON(rec, x, "data.json"))
	raw := rec.Body.String()
	for _, secret := range []string{"argon2id", "secret-hash", "sess-live", "sess-old"} {
		if strings.Contains(raw, secret) {
			t.Errorf("the JSON export holds %q", secret)
		}
	}
	var parsed map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &parsed); err != nil || !strings.Contains(rec.Header().Get("Content-Disposition"), `filename="data.json"`) {
		t.Errorf("JSON download: %v %v", err, rec.Header())
	}
	page := httptest.NewRecorder()
	t9n := func(key string, _ ...any) string { return key }
	must(t, accountexport.WriteHTML(page, accountexport.Page{Lang: "en", Export: x,
		Extra: []accountexport.Section{{Title: "Admin side", Items: []string{"labelled"}}}}, t9n, "data.html"))
	body := page.Body.String()
	if !strings.Contains(body, "<h2>Admin side</h2>") || !strings.Contains(body, "labelled") || page.Header().Get("Content-Security-Policy") != accountexport.CSP ||
		strings.Contains(body, "secret-hash") {
		t.Errorf("HTML download: %v\n%s", page.Header(), body)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
