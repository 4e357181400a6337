package session

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"foyer/storage/sqlstore/sqltest"
)

// A browser's User-Agent is stored as text, which PostgreSQL holds only
// as valid UTF-8: cutting a long one to 512 bytes must not split a
// character (nor keep bytes that are no UTF-8 at all), or the session
// row is refused and that browser can never sign in.
func TestStartStoresAnyUserAgent(t *testing.T) {
	m := NewManager(sqltest.Postgres(t), Config{})
	for name, ua := range map[string]string{
		"long, a character across the cut": strings.Repeat("a", 511) + "é (Macintosh)",
		"bytes that are no UTF-8":          "Mozilla/5.0 \xff\xfe",
	} {
		req := httptest.NewRequest(http.MethodPost, "/login", nil)
		req.Header.Set("User-Agent", ua)
		s, err := m.Start(context.Background(), httptest.NewRecorder(), req, Login{AccountID: "acct-1", AMR: []string{"pwd"}})
		if err != nil {
			t.Errorf("%s: Start = %v, want a session", name, err)
			continue
		}
		if !utf8.ValidString(s.UserAgent) || len(s.UserAgent) > 512 {
			t.Errorf("%s: stored user agent %q (%d bytes), want valid UTF-8 of at most 512 bytes", name, s.UserAgent, len(s.UserAgent))
		}
	}
}
