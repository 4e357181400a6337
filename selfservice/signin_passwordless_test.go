package selfservice

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"foyer/selfservice/regulate"
	"foyer/storage"
)

// fakeAttempts is a regulate.Store whose every key has tries recorded
// tries in the window.
type fakeAttempts struct{ tries int }

func (a fakeAttempts) RecordLoginAttempt(context.Context, string, time.Time, time.Time) (int64, error) {
	return int64(a.tries), nil
}
func (a fakeAttempts) RecordAttempts(_ context.Context, _, _ time.Time, keys ...string) ([]int64, error) {
	out := make([]int64, len(keys))
	for i := range out {
		out[i] = int64(a.tries)
	}
	return out, nil
}
func (fakeAttempts) ClearLoginAttempts(context.Context, ...string) error { return nil }
func (a fakeAttempts) ListLoginAttempts(_ context.Context, _ string, since time.Time) ([]time.Time, error) {
	out := make([]time.Time, a.tries)
	for i := range out {
		out[i] = since.Add(time.Hour)
	}
	return out, nil
}
func (a fakeAttempts) TallyAttemptWindows(_ context.Context, windows ...storage.AttemptLimit) ([]storage.AttemptTally, error) {
	out := make([]storage.AttemptTally, len(windows))
	for i, w := range windows {
		out[i].Count = int64(a.tries)
		if a.tries >= w.Max {
			out[i].HeldBy = w.Since.Add(time.Hour)
		}
	}
	return out, nil
}

// noCodes is a signInCodeStore without any code: every code is wrong.
type noCodes struct{}

func (noCodes) LatestOneTimeSecret(context.Context, string, string) (*storage.OneTimeSecret, error) {
	return nil, storage.ErrNotFound
}
func (noCodes) UseOneTimeSecret(context.Context, string, []byte, time.Time) (*storage.OneTimeSecret, error) {
	return nil, storage.ErrNotFound
}
func (noCodes) SpendOneTimeSecrets(context.Context, string, string, time.Time) (int64, error) {
	return 0, nil
}

// The passwordless step on fakes of its collaborators: "send a new code"
// queues one, a locked identifier is told so before any lookup, a wrong
// code queues the login.failed check whether or not the identifier names
// an account, and failures of the queue and the lookup are returned.
func TestPasswordlessStepSubmit(t *testing.T) {
	t.Parallel()
	errDown := errors.New("down")
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, c := range []struct {
		name       string
		form       url.Values
		tries      int // recorded for the identifier
		account    *storage.Account
		queueErr   error
		findErr    error
		wantErr    error
		wantQueued []string // kinds queued, in order
		wantFound  bool     // the identifier was looked up
		wantField  string
		wantNotice string
		wantStatus int
	}{
		{name: "resend", form: url.Values{"resend": {"1"}}, wantQueued: []string{deferredPasswordless}, wantNotice: "mfa.passwordless_sent"},
		{name: "resend, queue down", form: url.Values{"resend": {"1"}}, queueErr: errDown, wantErr: errDown, wantQueued: []string{deferredPasswordless}},
		{name: "locked", form: url.Values{"code": {"123456"}}, tries: 100,
			wantField: "login.too_many_attempts", wantStatus: http.StatusTooManyRequests},
		{name: "wrong code, no account", form: url.Values{"code": {"123456"}}, wantFound: true,
			wantQueued: []string{deferredLoginFailed}, wantField: "mfa.code_wrong", wantStatus: http.StatusBadRequest},
		{name: "wrong code, an account", form: url.Values{"code": {"123456"}}, wantFound: true,
			account:    &storage.Account{ID: "acct-1", Status: storage.AccountEnabled},
			wantQueued: []string{deferredLoginFailed}, wantField: "mfa.code_wrong", wantStatus: http.StatusBadRequest},
		{name: "wrong code, queue down", form: url.Values{"code": {"123456"}}, queueErr: errDown, wantErr: errDown, wantFound: true,
			wantQueued: []string{deferredLoginFailed}},
		{name: "lookup fails", form: url.Values{"code": {"123456"}}, findErr: errDown, wantErr: errDown, wantFound: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var queued []string
			found := false
			limits := regulate.New(fakeAttempts{tries: c.tries})
			clock := func() time.Time { return now }
			s := passwordlessStep{
				queue: func(_ *http.Request, _ *Flow, kind string, p deferredPayload) error {
					if p.Typed != "ada@example.com" {
						t.Errorf("queued %q for %q", kind, p.Typed)
					}
					queued = append(queued, kind)
					return c.queueErr
				},
				find: func(_ context.Context, storeID, typed string) (*storage.Account, error) {
					found = true
					if storeID != "store-1" || typed != "ada@example.com" {
						t.Errorf("looked up %q in %q", typed, storeID)
					}
					return c.account, c.findErr
				},
				lock:  mfaLock{limits: limits, now: clock},
				codes: signInCodes{store: noCodes{}, limits: limits, now: clock},
				event: func(*http.Request, string, string, map[string]string) { t.Error("event written") },
			}
			f := &Flow{Interaction: &storage.Interaction{ID: "int-1"}, App: &storage.Application{StoreID: "store-1"},
				State: State{Identifier: "ada@example.com"}}
			r := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(c.form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			v, done, err := s.Submit(r, f)
			if !errors.Is(err, c.wantErr) || (c.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, c.wantErr)
			}
			if done || found != c.wantFound || strings.Join(queued, ",") != strings.Join(c.wantQueued, ",") {
				t.Errorf("done %v, looked up %v, queued %v", done, found, queued)
			}
			if c.wantErr == nil && (v.FieldErrors["code"] != c.wantField || v.Notice != c.wantNotice || v.Status != c.wantStatus || v.Template != "mfa") {
				t.Errorf("view %+v", v)
			}
		})
	}
}
