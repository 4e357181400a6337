package selfservice

import (
	"context"
	"net/http"
	"strings"

	"foyer/selfservice/regulate"
	"foyer/storage"
)

// stepPasswordless replaces the password in passwordless mode: a code and
// a magic link go to the confirmed address the identifier names.
//
// Like the reset request, the page does the same work for every
// identifier: the identifier page and "send a new code" queue one
// deferred request, whose worker finds the account, applies the re-request
// throttle and sends; the code check counts its tries under the typed
// identifier, so the lockout is the same for an unknown one.
const stepPasswordless = "passwordless"

// deferredPasswordless is the deferred request that sends the code.
const deferredPasswordless = "passwordless"

type passwordlessStep struct {
	queue deferFunc
	find  findFunc
	lock  mfaLock
	codes signInCodes
	event eventFunc
}

func (passwordlessStep) Name() string { return stepPasswordless }

func (passwordlessStep) Show(f *Flow) View {
	return View{Template: "mfa", Data: &mfaData{Step: stepPasswordless, Identifier: f.State.Identifier}}
}

// Page is the same for every identifier, known or not.
func (s passwordlessStep) Page(_ *http.Request, f *Flow) (View, error) { return s.Show(f), nil }

// Submit checks the code. A wrong code, and any code for an identifier
// without an account, get the same answer.
func (s passwordlessStep) Submit(r *http.Request, f *Flow) (View, bool, error) {
	ctx := r.Context()
	wrong := func(key string, status int) (View, bool, error) {
		v := s.Show(f)
		v.FieldErrors, v.Status = map[string]string{"code": key}, status
		return v, false, nil
	}
	if r.PostFormValue("resend") != "" {
		if err := s.queue(r, f, deferredPasswordless, deferredPayload{Typed: f.State.Identifier}); err != nil {
			return View{}, false, err
		}
		v := s.Show(f)
		v.Notice = "mfa.passwordless_sent"
		return v, false, nil
	}
	key := passwordlessKey(f)
	locked, retry, err := s.lock.try(ctx, key, stepPasswordless)
	if err != nil {
		return View{}, false, err
	}
	if locked {
		v, done, err := wrong("login.too_many_attempts", http.StatusTooManyRequests) // there is no other method to offer
		v.RetryAfter = retry
		return v, done, err
	}
	acct, err := s.find(ctx, f.App.StoreID, f.State.Identifier)
	if err != nil {
		return View{}, false, err
	}
	accountID := "" // no account, or one that may not sign in: no code of its counts
	if acct != nil && acct.Status == storage.AccountEnabled {
		accountID = acct.ID
	}
	d, err := s.codes.check(r, f, accountID, loginPurposes.code, strings.TrimSpace(r.PostFormValue("code")))
	if err != nil {
		return View{}, false, err
	}
	if d == nil {
		// Queued for every wrong code, as for a wrong password: the worker
		// writes login.failed when the identifier names an account.
		if err := s.queue(r, f, deferredLoginFailed, deferredPayload{Typed: f.State.Identifier, Method: stepPasswordless}); err != nil {
			return View{}, false, err
		}
		return wrong("mfa.code_wrong", http.StatusBadRequest)
	}
	if err := s.lock.succeeded(ctx, key, stepPasswordless); err != nil {
		return View{}, false, err
	}
	if err := s.codes.spend(ctx, acct.ID); err != nil {
		return View{}, false, err
	}
	passwordlessProved(s.event, r, f, acct.ID, d.Method, d.Proof)
	return View{}, true, nil
}

// passwordlessKey counts code tries per typed identifier (as the password
// lockout does), so an unknown identifier locks exactly like a known one.
func passwordlessKey(f *Flow) string {
	return "identifier:" + regulate.SignIn.Key(f.App.StoreID, limitSubject(f.State.Identifier)).String()
}

// passwordlessProved makes the account the code or link went to the
// signed-in one.
func passwordlessProved(event eventFunc, r *http.Request, f *Flow, accountID, method, proof string) {
	event(r, accountID, "login.passwordless", map[string]string{"method": method})
	firstFactor(&f.State, accountID, amrOf(method), proof)
}

// runPasswordless (the deferred request's worker) sends a code, and a
// magic link where the policy allows links, to the confirmed e-mail
// address or phone number the typed identifier names, at most once per
// re-request interval; an unknown identifier gets nothing.
func (h *Handler) runPasswordless(ctx context.Context, j *deferredJob) error {
	acct, err := h.findByIdentifier(ctx, j.app.StoreID, j.p.Typed)
	if err != nil {
		return err
	}
	pol := j.app.MFA.WithDefaults()
	a, method, withLink := passwordlessChannel(pol, acct, j.p.Typed)
	if method == "" {
		return h.deferredDone(ctx, j)
	}
	m := signInMessage{Interaction: j.p.Interaction, App: j.app, Lang: j.p.Lang}
	_, err = h.sendOnce(ctx, j, j.pol, acct.ID, loginPurposes.written(method), method, func(tx context.Context) error {
		_, err := h.issueSignInSecret(tx, m, j.pol, loginPurposes, acct.ID, a, method, withLink)
		return err
	})
	return err
}

// passwordlessChannel picks where an account's passwordless code goes: to
// its confirmed phone when a phone number was typed and SMS is allowed,
// else to its confirmed e-mail address; method is "" when nothing fits.
func passwordlessChannel(pol storage.MFAPolicy, acct *storage.Account, typed string) (storage.Authenticator, string, bool) {
	if acct == nil || acct.Status != storage.AccountEnabled {
		return storage.Authenticator{}, "", false
	}
	pick := func(kind, address, code, link string) (storage.Authenticator, string, bool) {
		a := storage.Authenticator{AccountID: acct.ID, Kind: kind, Address: address}
		switch {
		case pol.Allows(code):
			return a, code, pol.Allows(link)
		case pol.Allows(link):
			return a, link, true
		}
		return a, "", false
	}
	if kind, _ := storage.ParseIdentifier(typed); kind == storage.IdentifierPhone && acct.PhoneConfirmed {
		if a, m, l := pick(storage.AuthenticatorPhone, acct.Phone, storage.MethodSMSCode, storage.MethodSMSLink); m != "" {
			return a, m, l
		}
	}
	if acct.Email != "" && acct.EmailConfirmed {
		return pick(storage.AuthenticatorEmail, acct.Email, storage.MethodEmailCode, storage.MethodEmailLink)
	}
	return storage.Authenticator{}, "", false
}
