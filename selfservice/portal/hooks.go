package portal

import (
	"net/http"
	"net/url"
	"time"

	"foyer/storage"
	"foyer/themes"
)

// passwordChangeHidden: in passwordless mode (of the portal's own
// application, whichever look the portal wears) there is no password to
// change, so the security page offers none (and the post is refused).
func passwordChangeHidden(app *storage.Application) bool {
	return app != nil && app.MFA.Passwordless
}

// ActionParam is the authorization request parameter that asks the sign-in
// to end with an account action; it is selfservice.ActionParam (the portal
// may not import selfservice; a test keeps the two equal).
const ActionParam = "foyer_action"

// purposeRecoveryCode is selfservice's purpose of recovery-code secrets.
const purposeRecoveryCode = "recovery_code"

// factorView is one enrolled authenticator on the security page.
type factorView struct {
	Kind, Name, Address string
	Created             themes.Moment
	LastUsed            *themes.Moment // nil: never used
	RemoveURL           string
}

// mfaSecurityData is the security page's MFA section: the account's
// factors with a remove link each, links to enroll every kind the portal
// application's policy allows, and the recovery codes left with a link to
// replace them. Every link signs in afresh (prompt=login, an existing
// factor included) and runs the change inside that sign-in, so a session
// alone, or a password alone, changes no factor.
func (h *Handler) mfaSecurityData(r *http.Request, v *viewer) (mfaSection, error) {
	auths, err := h.store.ListAuthenticators(r.Context(), v.Account.ID)
	if err != nil {
		return mfaSection{}, err
	}
	factors, c := make([]factorView, 0, len(auths)), clockFor(r, v)
	for _, a := range auths {
		factors = append(factors, factorView{Kind: a.Kind, Name: a.Name, Address: a.Address, Created: c.at(a.CreatedAt),
			LastUsed: c.maybe(a.LastUsedAt), RemoveURL: h.actionURL("remove:" + a.ID)})
	}
	// The actions run in a sign-in of the portal's own client, under its
	// application's policy (whichever application's look the portal wears).
	app, err := h.portalApp(r, v)
	if err != nil {
		return mfaSection{}, err
	}
	pol := app.MFA.WithDefaults()
	var enroll []enrollLink
	for _, k := range []struct{ kind, method string }{
		{storage.AuthenticatorPasskey, storage.MethodPasskey}, {storage.AuthenticatorTOTP, storage.MethodTOTP},
		{storage.AuthenticatorEmail, storage.MethodEmailCode}, {storage.AuthenticatorPhone, storage.MethodSMSCode},
	} {
		if pol.Allows(k.method) || (k.kind == storage.AuthenticatorPhone && pol.Allows(storage.MethodVoiceCode)) {
			enroll = append(enroll, enrollLink{Kind: k.kind, URL: h.actionURL("enroll:" + k.kind)})
		}
	}
	left, err := h.store.CountUsableOneTimeSecrets(r.Context(), v.Account.ID, purposeRecoveryCode, time.Now())
	if err != nil {
		return mfaSection{}, err
	}
	return mfaSection{Factors: factors, Enroll: enroll, RecoveryCodesLeft: left,
		RecoveryCodesURL: h.actionURL("recovery_codes")}, nil
}

// actionURL signs in afresh and runs the action, then comes back to the
// security page.
func (h *Handler) actionURL(action string) string {
	return h.path(signInRoute, url.Values{"fresh": {"1"}, "action": {action}, "next": {h.path(securityRoute, nil)}})
}

// portalApp is the application of the portal client of the account's
// identity store (storeApplication): its policies (MFA, passwords) rule
// what the portal does, whichever application's look it wears (?app=
// only changes the branding).
func (h *Handler) portalApp(r *http.Request, v *viewer) (*storage.Application, error) {
	if v.Account.StoreID != h.cfg.DefaultStoreID {
		return h.storeApplication(r.Context(), v.Account.StoreID)
	}
	c, err := h.store.GetClient(r.Context(), h.cfg.ClientID)
	if err != nil {
		return nil, err
	}
	return h.store.GetApplication(r.Context(), c.ApplicationID)
}
