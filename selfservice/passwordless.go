package selfservice

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"foyer/storage"
)

// stepPasswordless replaces the password in passwordless mode: a code and
// a magic link go to the confirmed address the identifier names.
const stepPasswordless = "passwordless"

type passwordlessStep struct{ h *Handler }

func (passwordlessStep) Name() string { return stepPasswordless }

func (passwordlessStep) Show(f *Flow) View {
	return View{Template: "mfa", Data: map[string]any{"Step": stepPasswordless, "Identifier": f.State.Identifier}}
}

// Page is the same for every identifier, known or not.
func (s passwordlessStep) Page(_ *http.Request, f *Flow) (View, error) { return s.Show(f), nil }

// Submit checks the code. A wrong code, and any code for an identifier
// without an account, get the same answer.
func (s passwordlessStep) Submit(r *http.Request, f *Flow) (View, bool, error) {
	wrong := func(key string, status int) (View, bool, error) {
		v := s.Show(f)
		v.FieldErrors, v.Status = map[string]string{"code": key}, status
		return v, false, nil
	}
	if r.PostFormValue("resend") != "" {
		if err := s.h.sendPasswordless(r, f); err != nil {
			return View{}, false, err
		}
		v := s.Show(f)
		v.Data["Notice"] = "mfa.passwordless_sent"
		return v, false, nil
	}
	if f.State.MFA.Candidate == "" {
		return wrong("mfa.code_wrong", http.StatusBadRequest)
	}
	acct, err := s.h.store.GetAccount(r.Context(), f.State.MFA.Candidate)
	if err != nil {
		return View{}, false, fmt.Errorf("selfservice: load account: %w", err)
	}
	if locked, err := s.h.mfaTry(r.Context(), acct.ID, stepPasswordless); err != nil || locked {
		if err != nil {
			return View{}, false, err
		}
		return wrong("mfa.locked", http.StatusTooManyRequests)
	}
	proof, err := s.h.checkMFACode(r, f, acct, strings.TrimSpace(r.PostFormValue("code")))
	if err != nil {
		return View{}, false, err
	}
	if proof == "" || acct.Status != storage.AccountEnabled {
		s.h.eventData(r, acct.ID, "login.failed", map[string]string{"method": stepPasswordless})
		return wrong("mfa.code_wrong", http.StatusBadRequest)
	}
	if err := s.h.mfaSucceeded(r.Context(), acct.ID, stepPasswordless); err != nil {
		return View{}, false, err
	}
	if err := s.h.spendSignInSecrets(r.Context(), acct.ID); err != nil {
		return View{}, false, err
	}
	s.h.passwordlessProved(r, f, acct.ID, f.State.MFA.Method, proof)
	return View{}, true, nil
}

// passwordlessProved makes the candidate the signed-in account.
func (h *Handler) passwordlessProved(r *http.Request, f *Flow, accountID, method, proof string) {
	h.eventData(r, accountID, "login.passwordless", map[string]string{"method": method})
	firstFactor(&f.State, accountID, amrOf(method), proof)
}

// sendPasswordless sends a code and link to the confirmed e-mail address
// or phone number the typed identifier names, and nothing for an unknown
// identifier; the page that follows is the same either way.
func (h *Handler) sendPasswordless(r *http.Request, f *Flow) error {
	acct, err := h.findByIdentifier(r.Context(), f.App.StoreID, f.State.Identifier)
	if err != nil || acct == nil {
		return err
	}
	kind, _ := classify(f.State.Identifier)
	a := storage.Authenticator{AccountID: acct.ID, Kind: storage.AuthenticatorEmail, Address: acct.Email}
	method := storage.MethodEmailCode
	switch {
	case kind == storage.IdentifierPhone && acct.PhoneConfirmed:
		a.Kind, a.Address, method = storage.AuthenticatorPhone, acct.Phone, storage.MethodSMSCode
	case acct.Email != "" && acct.EmailConfirmed:
	default:
		return nil
	}
	if !f.App.MFA.Allows(method) {
		return nil
	}
	f.State.MFA.Candidate, f.State.MFA.Method = acct.ID, method
	return h.sendSignInSecret(r, f, acct, a, method, f.App.MFA.Allows(storage.MethodEmailLink) || f.App.MFA.Allows(storage.MethodSMSLink))
}

var errNoAuthenticator = errors.New("selfservice: no such authenticator")
