package selfservice

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"foyer/selfservice/mfa"
	"foyer/storage"
)

// mfaStep asks for a second factor: the customer picks one of the
// enrolled methods, then proves it.
type mfaStep struct {
	store    mfaStepStore
	sealer   *mfa.Sealer
	now      func() time.Time
	lock     mfaLock
	codes    signInCodes
	passkeys *passkeys
	send     func(r *http.Request, f *Flow, acct *storage.Account, method string) (string, error) // Handler.sendMFASecret
	event    eventFunc
}

// mfaStepStore is what the MFA step reads and writes: the account, its
// authenticators and its recovery codes.
type mfaStepStore interface {
	GetAccount(ctx context.Context, id string) (*storage.Account, error)
	ListAuthenticators(ctx context.Context, accountID string) ([]storage.Authenticator, error)
	UseAuthenticator(ctx context.Context, accountID, id string, counter int64, at time.Time) error
	UseOneTimeSecret(ctx context.Context, purpose string, hash []byte, now time.Time) (*storage.OneTimeSecret, error)
	CountUsableOneTimeSecrets(ctx context.Context, accountID, purpose string, now time.Time) (int64, error)
}

func (mfaStep) Name() string { return stepMFA }

// Show is only used by the engine when Page is not; Page always is.
func (mfaStep) Show(*Flow) View { return View{Template: "mfa"} }

// Page renders the chooser, or the form of the method picked. A customer
// with one way to prove a factor goes straight to it (its code is sent,
// its challenge made); the chooser then only follows "Try another method".
func (s mfaStep) Page(r *http.Request, f *Flow) (View, error) {
	ctx := r.Context()
	acct, err := s.store.GetAccount(ctx, f.State.AccountID)
	if err != nil {
		return View{}, fmt.Errorf("selfservice: load account: %w", err)
	}
	choices, err := s.choices(ctx, acct, f.App.MFA.WithDefaults(), f.State.MFA.Proofs)
	if err != nil {
		return View{}, err
	}
	notice := ""
	if only, ok := onlyFactor(choices); ok && f.State.MFA.Method == "" && !f.State.MFA.Chooser {
		if notice, err = s.start(r, f, acct, only); errors.Is(err, errNoAuthenticator) {
			f.State.MFA.Method, f.State.MFA.Authenticator = "", "" // removed meanwhile: the chooser
		} else if err != nil {
			return View{}, err
		}
	}
	data := &mfaData{Step: stepMFA, Method: f.State.MFA.Method, Others: len(choices) > 1}
	if f.State.MFA.Method == "" {
		data.Choices = choices
		return View{Template: "mfa", Data: data}, nil
	}
	switch f.State.MFA.Method {
	case storage.MethodPasskey:
		data.Options = string(f.State.MFA.PasskeyOptions)
	case storage.MethodEmailCode, storage.MethodSMSCode, storage.MethodVoiceCode, storage.MethodEmailLink, storage.MethodSMSLink:
		data.Resend = s.resendChannels(ctx, acct, f)
	}
	return View{Template: "mfa", Data: data, Notice: notice}, nil
}

// onlyFactor is the one choice besides recovery codes, if there is just
// one. A phone that takes both SMS and calls (or a mailbox codes and
// links) keeps the chooser: which way suits is the customer's to say.
func onlyFactor(choices []mfaChoice) (mfaChoice, bool) {
	var only []mfaChoice
	for _, c := range choices {
		if c.Method != methodRecovery {
			only = append(only, c)
		}
	}
	if len(only) != 1 {
		return mfaChoice{}, false
	}
	return only[0], true
}

// Submit handles the chooser, re-requests and answers.
func (s mfaStep) Submit(r *http.Request, f *Flow) (View, bool, error) {
	ctx := r.Context()
	acct, err := s.store.GetAccount(ctx, f.State.AccountID)
	if err != nil {
		return View{}, false, fmt.Errorf("selfservice: load account: %w", err)
	}
	switch {
	case r.PostFormValue("other") != "":
		f.State.MFA.Method, f.State.MFA.Authenticator, f.State.MFA.CodeID = "", "", ""
		f.State.MFA.Chooser = true
		return s.again(r, f, View{})
	case r.PostFormValue("choose") != "":
		return s.choose(r, f, acct, r.PostFormValue("choose"))
	case r.PostFormValue("resend") != "":
		return s.resend(r, f, acct, r.PostFormValue("resend"))
	case f.State.MFA.Method == "":
		return s.again(r, f, View{Error: "mfa.choose_method", Status: http.StatusBadRequest})
	}
	method := f.State.MFA.Method
	locked, retry, err := s.lock.try(ctx, acct.ID, method)
	if err != nil {
		return View{}, false, err
	}
	if locked {
		s.event(r, acct.ID, "mfa.locked", map[string]string{"method": method})
		return s.again(r, f, View{Error: "mfa.locked", Status: http.StatusTooManyRequests, RetryAfter: retry})
	}
	proof, err := s.verify(r, f, acct)
	if err != nil {
		return View{}, false, err
	}
	// A factor this sign-in already used never counts twice, however it
	// came back (a passkey without user verification, say).
	if bare := strings.TrimPrefix(strings.TrimPrefix(proof, "hwk:"), "swk:"); slices.Contains(f.State.MFA.Proofs, bare) {
		proof = ""
	}
	if proof == "" {
		s.event(r, acct.ID, "mfa.failed", map[string]string{"method": method})
		msg := "mfa.code_wrong"
		if method == storage.MethodPasskey {
			msg = "mfa.passkey_wrong" // there was no code to get wrong
		}
		return s.again(r, f, View{FieldErrors: map[string]string{"code": msg}, Status: http.StatusBadRequest})
	}
	if err := s.lock.succeeded(ctx, acct.ID, method); err != nil {
		return View{}, false, err
	}
	if err := s.codes.spend(ctx, acct.ID); err != nil {
		return View{}, false, err
	}
	s.event(r, acct.ID, "mfa.succeeded", map[string]string{"method": method})
	proved(f, method, proof)
	return View{}, true, nil
}

// proved records a second factor: the amr gains its method and "mfa".
func proved(f *Flow, method, proof string) {
	amr := amrOf(method)
	if method == storage.MethodPasskey {
		amr = proof[:3] // "hwk" or "swk", see checkAssertion
		proof = proof[4:]
	}
	addProof(&f.State, amr, proof)
	f.State.AMR = appendUnique(f.State.AMR, amrMFA)
	f.State.MFA.Done = true
	f.State.MFA.Method, f.State.MFA.Authenticator, f.State.MFA.CodeID, f.State.MFA.Ceremony = "", "", "", nil
}

// again re-renders the step with v's errors.
func (s mfaStep) again(r *http.Request, f *Flow, v View) (View, bool, error) {
	page, err := s.Page(r, f)
	if err != nil {
		return View{}, false, err
	}
	page.Error, page.Notice, page.FieldErrors, page.Status = v.Error, v.Notice, v.FieldErrors, v.Status
	return page, false, nil
}

// choose starts the picked method: a code or link is sent, a passkey
// challenge made. Only a choice the chooser offers this account is taken.
func (s mfaStep) choose(r *http.Request, f *Flow, acct *storage.Account, value string) (View, bool, error) {
	choices, err := s.choices(r.Context(), acct, f.App.MFA.WithDefaults(), f.State.MFA.Proofs)
	if err != nil {
		return View{}, false, err
	}
	var picked *mfaChoice
	for i := range choices {
		if choices[i].Value() == value {
			picked = &choices[i]
		}
	}
	if picked == nil {
		return s.again(r, f, View{Error: "mfa.choose_method", Status: http.StatusBadRequest})
	}
	notice, err := s.start(r, f, acct, *picked)
	if errors.Is(err, errNoAuthenticator) {
		return s.again(r, f, View{Error: "mfa.choose_method", Status: http.StatusBadRequest}) // removed meanwhile
	} else if err != nil {
		return View{}, false, err
	}
	return s.again(r, f, View{Notice: notice})
}

// start begins the picked method: a code or link is sent, a passkey
// challenge made. The notice says where a code went.
func (s mfaStep) start(r *http.Request, f *Flow, acct *storage.Account, picked mfaChoice) (string, error) {
	f.State.MFA.Method, f.State.MFA.Authenticator, f.State.MFA.CodeID = picked.Method, picked.Authenticator, ""
	switch picked.Method {
	case storage.MethodPasskey:
		return "", s.passkeys.beginPasskey(r.Context(), f, acct)
	case storage.MethodEmailCode, storage.MethodSMSCode, storage.MethodVoiceCode, storage.MethodEmailLink, storage.MethodSMSLink:
		return s.send(r, f, acct, picked.Method)
	}
	return "", nil
}

// resend sends the code or link again over the channel asked for (the
// MFA re-request), throttled by the self-service policy's interval.
func (s mfaStep) resend(r *http.Request, f *Flow, acct *storage.Account, method string) (View, bool, error) {
	for _, c := range s.resendChannels(r.Context(), acct, f) {
		if c.Method == method {
			f.State.MFA.Method, f.State.MFA.Authenticator = c.Method, c.Authenticator
			notice, err := s.send(r, f, acct, c.Method)
			if errors.Is(err, errNoAuthenticator) {
				break // removed meanwhile
			}
			if err != nil {
				return View{}, false, err
			}
			return s.again(r, f, View{Notice: notice})
		}
	}
	return s.again(r, f, View{Error: "mfa.choose_method", Status: http.StatusBadRequest})
}

// resendChannels are the code and link methods the customer can ask
// again by: every enrolled e-mail and phone method the policy allows.
func (s mfaStep) resendChannels(ctx context.Context, acct *storage.Account, f *Flow) []mfaChoice {
	choices, err := s.choices(ctx, acct, f.App.MFA.WithDefaults(), f.State.MFA.Proofs)
	if err != nil {
		return nil
	}
	var out []mfaChoice
	for _, c := range choices {
		switch c.Method {
		case storage.MethodEmailCode, storage.MethodSMSCode, storage.MethodVoiceCode, storage.MethodEmailLink, storage.MethodSMSLink:
			out = append(out, c)
		}
	}
	return out
}

// verify checks the answer to the picked method and returns the proof it
// gives, or "" when it is wrong.
func (s mfaStep) verify(r *http.Request, f *Flow, acct *storage.Account) (string, error) {
	ctx := r.Context()
	code := strings.TrimSpace(r.PostFormValue("code"))
	switch f.State.MFA.Method {
	case storage.MethodTOTP:
		return s.verifyTOTP(ctx, acct, f.State.MFA.Authenticator, code)
	case storage.MethodPasskey:
		proof, _, _, err := s.passkeys.checkAssertion(ctx, f, acct, []byte(r.PostFormValue("credential")))
		return proof, err
	case methodRecovery:
		return s.useRecoveryCode(r, acct, code)
	case storage.MethodEmailLink, storage.MethodSMSLink:
		return "", nil // proved by opening the link, not by a form
	default:
		// Only the code sent for the method and factor picked here counts
		// (none was, when the send was held back by the throttle).
		if f.State.MFA.CodeID == "" {
			return "", nil
		}
		d, err := s.codes.check(r, f, acct.ID, mfaPurposes.code, code)
		if d == nil || err != nil || d.Method != f.State.MFA.Method || d.Authenticator != f.State.MFA.Authenticator {
			return "", err
		}
		return d.Proof, nil
	}
}

// verifyTOTP checks an authenticator-app code; a step used before (a code
// replayed within its window) is refused.
func (s mfaStep) verifyTOTP(ctx context.Context, acct *storage.Account, id, code string) (string, error) {
	auths, err := s.store.ListAuthenticators(ctx, acct.ID)
	if err != nil {
		return "", fmt.Errorf("selfservice: list authenticators: %w", err)
	}
	for _, a := range auths {
		if a.ID != id || a.Kind != storage.AuthenticatorTOTP {
			continue
		}
		secret, err := s.sealer.Open(acct.ID, sealTOTP, a.Secret)
		if err != nil {
			return "", fmt.Errorf("selfservice: open TOTP secret: %w", err)
		}
		step, err := mfa.VerifyTOTP(string(secret), code, s.now(), a.Counter)
		if err != nil {
			return "", nil //nolint:nilerr // a wrong or replayed code is an answer, not a failure
		}
		err = s.store.UseAuthenticator(ctx, acct.ID, a.ID, step, s.now().UTC())
		if errors.Is(err, storage.ErrConflict) {
			return "", nil // a parallel request used this step first
		}
		if err != nil {
			return "", fmt.Errorf("selfservice: use TOTP: %w", err)
		}
		return proofOf(a), nil
	}
	return "", nil
}

// useRecoveryCode spends one of the account's recovery codes.
func (s mfaStep) useRecoveryCode(r *http.Request, acct *storage.Account, code string) (string, error) {
	if code == "" {
		return "", nil
	}
	_, err := s.store.UseOneTimeSecret(r.Context(), purposeRecoveryCode, mfa.RecoveryCodeHash(acct.ID, code), s.now().UTC())
	if errors.Is(err, storage.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("selfservice: use recovery code: %w", err)
	}
	s.event(r, acct.ID, "mfa.recovery_code_used", nil)
	return "recovery:" + acct.ID, nil
}

// sameHash compares digests in constant time.
func sameHash(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }
