package selfservice

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"foyer/selfservice/notify"
	"foyer/storage"
)

// ActionParam is the authorization request parameter by which the account
// portal (and only it) asks the sign-in to end with an account action:
// "enroll:KIND" (totp, email, phone, passkey), "recovery_codes" (replace
// them) or "remove:ID" (remove an authenticator). The portal sends it with
// prompt=login, so every action follows a fresh sign-in, and the gate asks
// for one of the account's factors first.
const ActionParam = "foyer_action"

// isPortal reports whether the flow is the account portal's sign-in: its
// client is the portal's client of the flow's identity store.
func (c Config) isPortal(f *Flow) bool {
	if f.Client == nil {
		return false
	}
	portal := c.PortalClientID
	if c.PortalClientFor != nil {
		if f.App == nil {
			return false
		}
		portal = c.PortalClientFor(f.App.StoreID)
	}
	return portal != "" && f.Client.ID == portal
}

// Account actions.
const (
	actionEnroll        = "enroll"
	actionRecoveryCodes = "recovery_codes"
	actionRemove        = "remove"
)

// accountAction is the flow's action verb and argument, or "" when it has
// none or its client is not the portal's (isPortal).
func accountAction(isPortal bool, f *Flow) (string, string) {
	if !isPortal {
		return "", ""
	}
	verb, arg, _ := strings.Cut(f.Params.Get(ActionParam), ":")
	switch verb {
	case actionEnroll, actionRemove:
		if arg != "" {
			return verb, arg
		}
	case actionRecoveryCodes:
		return verb, ""
	}
	return "", ""
}

// actionPage renders the confirmation of a recovery-code or removal
// action; ok is false for an enrollment, which the enrollment pages show.
func (s enrollStep) actionPage(r *http.Request, f *Flow, acct *storage.Account) (View, bool, error) {
	verb, arg := accountAction(s.isPortal(f), f)
	data := &mfaData{Step: stepAction, Verb: verb}
	switch verb {
	case actionRecoveryCodes:
		n, err := s.countFactors(r.Context(), acct.ID)
		if err != nil {
			return View{}, true, err
		}
		if n == 0 {
			data.Error = "mfa.recovery_codes_need_factor"
		}
	case actionRemove:
		a, err := findAuthenticator(r.Context(), s.store, acct.ID, arg)
		if err != nil {
			return View{}, true, err
		}
		if a == nil {
			return View{Template: "error", Status: http.StatusBadRequest, Data: &errorData{Message: "mfa.no_such_factor"}}, true, nil
		}
		data.Factor = factorLabel(*a)
	default:
		return View{}, false, nil
	}
	return View{Template: "mfa", Data: data}, true, nil
}

// runAction carries out a confirmed recovery-code or removal action.
func (s enrollStep) runAction(r *http.Request, f *Flow, acct *storage.Account) (View, bool, error) {
	ctx := r.Context()
	verb, arg := accountAction(s.isPortal(f), f)
	fail := func(key string) (View, bool, error) {
		v, ok, err := s.actionPage(r, f, acct)
		if !ok {
			v = View{Template: "error", Data: &errorData{Message: key}}
		}
		v.Error, v.Status = key, http.StatusBadRequest
		return v, false, err
	}
	switch verb {
	case actionRecoveryCodes:
		n, err := s.countFactors(ctx, acct.ID)
		if err != nil {
			return View{}, false, err
		}
		if n == 0 {
			return fail("mfa.recovery_codes_need_factor")
		}
		codes, err := s.replaceRecoveryCodes(ctx, acct.ID)
		if err != nil {
			return View{}, false, err
		}
		s.event(r, acct.ID, "mfa.recovery_codes_regenerated", nil)
		f.State.MFA.ActionDone = true
		return s.showRecoveryCodes(f, codes), false, nil
	case actionRemove:
		a, err := findAuthenticator(r.Context(), s.store, acct.ID, arg)
		if err != nil {
			return View{}, false, err
		}
		if a == nil { // removed meanwhile (a double submit, another tab)
			return View{Template: "error", Status: http.StatusBadRequest, Data: &errorData{Message: "mfa.no_such_factor"}}, false, nil
		}
		last, err := s.lastRequiredFactor(ctx, acct)
		if err != nil {
			return View{}, false, err
		}
		if last {
			return fail("mfa.last_factor_required")
		}
		if err := s.store.DeleteAuthenticator(ctx, acct.ID, a.ID); err != nil {
			return View{}, false, fmt.Errorf("selfservice: remove authenticator: %w", err)
		}
		s.event(r, acct.ID, "mfa.removed", map[string]string{"kind": a.Kind})
		if err := s.tellFactorChange(ctx, f, acct, false); err != nil {
			return View{}, false, err
		}
		if n, err := s.countFactors(ctx, acct.ID); err == nil && n == 0 {
			// Recovery codes stand in for a factor; with none left they go.
			_, _ = s.store.DeleteOneTimeSecrets(ctx, acct.ID, purposeRecoveryCode)
		}
		f.State.MFA.ActionDone = true
		return View{}, true, nil
	}
	return fail("mfa.choose_method")
}

// countFactors counts the account's enrolled authenticators.
func (s enrollStep) countFactors(ctx context.Context, accountID string) (int, error) {
	auths, err := s.store.ListAuthenticators(ctx, accountID)
	if err != nil {
		return 0, fmt.Errorf("selfservice: list authenticators: %w", err)
	}
	return len(auths), nil
}

// lastRequiredFactor reports whether the account has one authenticator
// left while an application of its identity store requires MFA: removing
// it would lock the customer out of that application's sign-in until they
// enroll again, so it is refused.
func (s enrollStep) lastRequiredFactor(ctx context.Context, acct *storage.Account) (bool, error) {
	n, err := s.countFactors(ctx, acct.ID)
	if err != nil || n > 1 {
		return false, err
	}
	apps, err := s.store.ListApplications(ctx)
	if err != nil {
		return false, fmt.Errorf("selfservice: list applications: %w", err)
	}
	for _, app := range apps {
		if app.StoreID == acct.StoreID && app.MFA.WithDefaults().Mode == storage.MFARequired {
			return true, nil
		}
	}
	return false, nil
}

// factorLabel names an authenticator on the removal page.
func factorLabel(a storage.Authenticator) string {
	switch a.Kind {
	case storage.AuthenticatorEmail, storage.AuthenticatorPhone:
		return hintOf(a)
	}
	if a.Name != "" {
		return a.Name
	}
	return a.Kind
}

// tellFactorChange tells the owner that a sign-in method was added to or
// removed from the account (OWASP ASVS 2.2.3: a change of authentication
// details is announced), by e-mail, or by SMS when the account has no
// address. Whoever did not make the change learns of it at once.
func (s enrollStep) tellFactorChange(ctx context.Context, f *Flow, acct *storage.Account, added bool) error {
	what := "factor_removed"
	if added {
		what = "factor_added"
	}
	var err error
	switch {
	case acct.Email != "":
		_, err = s.notify.Email(ctx, acct.Email, acct.ID, "notice", f.Lang, branding(f.App), notify.NoticeEmail{
			Title: "email." + what + ".title", Paragraphs: []string{"email." + what + ".body", "email.factor_changed.not_you"},
			Template: what,
		})
	case acct.Phone != "":
		_, err = s.notify.SMSFor(ctx, acct.Phone, acct.ID, what, f.Lang, branding(f.App), nil, s.t(f.Lang, "sms."+what, branding(f.App).AppName))
	}
	if err != nil {
		return fmt.Errorf("selfservice: queue %s notice: %w", what, err)
	}
	return nil
}
