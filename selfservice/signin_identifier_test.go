package selfservice

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"foyer/storage"
)

// The identifier step on its own collaborators, without a database: what
// it keeps, what it queues, and the answers to a bad identifier, a failed
// queue and a passkey answer without a challenge.
func TestIdentifierStepSubmit(t *testing.T) {
	t.Parallel()
	errQueue := errors.New("queue down")
	for _, c := range []struct {
		name         string
		form         url.Values
		passwordless bool
		queueErr     error
		wantDone     bool
		wantQueued   string // the typed identifier queued, if any
		wantField    string // the field error, if any
		wantError    string // the page error, if any
		wantStatus   int
	}{
		{name: "identifier kept", form: url.Values{"identifier": {"  ada@example.com "}}, wantDone: true},
		{name: "empty", form: url.Values{"identifier": {"  "}}, wantField: "login.identifier_required", wantStatus: http.StatusBadRequest},
		{name: "control character", form: url.Values{"identifier": {"ada\x00"}}, wantField: "login.identifier_required", wantStatus: http.StatusBadRequest},
		{name: "passwordless queues the code", form: url.Values{"identifier": {"ada@example.com"}}, passwordless: true,
			wantDone: true, wantQueued: "ada@example.com"},
		{name: "queue fails", form: url.Values{"identifier": {"ada@example.com"}}, passwordless: true, queueErr: errQueue,
			wantQueued: "ada@example.com"},
		{name: "passkey without a challenge", form: url.Values{"credential": {"{}"}},
			wantError: "login.passkey_failed", wantStatus: http.StatusBadRequest},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			queued := ""
			s := identifierStep{
				passkeys: &passkeys{},
				queue: func(_ *http.Request, _ *Flow, kind string, p deferredPayload) error {
					if kind != deferredPasswordless {
						t.Errorf("queued %q", kind)
					}
					queued = p.Typed
					return c.queueErr
				},
				event: func(*http.Request, string, string, map[string]string) { t.Error("event written") },
			}
			f := &Flow{App: &storage.Application{MFA: storage.MFAPolicy{Passwordless: c.passwordless}}, Params: url.Values{},
				State: State{AccountID: "left over"}}
			r := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(c.form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			v, done, err := s.Submit(r, f)
			if c.queueErr != nil {
				if !errors.Is(err, c.queueErr) {
					t.Fatalf("err = %v, want the queue's", err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if done != c.wantDone || queued != c.wantQueued || v.Status != c.wantStatus ||
				v.FieldErrors["identifier"] != c.wantField || v.Error != c.wantError {
				t.Errorf("done %v, queued %q, view %+v", done, queued, v)
			}
			if c.wantDone && (f.State.Identifier != "ada@example.com" || f.State.AccountID != "") {
				t.Errorf("state %+v: want the trimmed identifier and no account", f.State)
			}
			if c.wantStatus != 0 && v.Template != "login" {
				t.Errorf("template %q", v.Template)
			}
		})
	}
}
