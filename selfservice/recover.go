package selfservice

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"foyer/storage"
)

// Account recovery paths. The request pages are bound to an authorization
// request's interaction like /register; the reset link and the new-password
// form carry their own one-time secrets, so they work in another browser.
const (
	RecoverPath       = "/recover"
	RecoverCodePath   = "/recover/code"
	RecoverPhonePath  = "/recover/phone"
	ResetPath         = "/recover/reset"
	ResetPasswordPath = "/recover/password"
	ReminderPath      = "/recover/username"
)

// One-time secret purposes. Each channel has its own purpose so the
// re-request throttle (throttled) holds per account and channel.
const (
	purposeResetLink     = storage.PurposeResetLink
	purposeResetCode     = storage.PurposeResetCode
	purposeResetForm     = storage.PurposeResetForm
	purposeReminderEmail = "username_reminder_email"
	purposeReminderSMS   = "username_reminder_sms"
)

// recoverSig is the signature purpose of recovery page links.
const recoverSig = "recover"

// recoveryData is what a recovery secret remembers: the interaction to
// continue, the application (branding, policy), the channel that proved
// the account, and for codes the salt of their hash.
type recoveryData struct {
	Interaction string `json:"i,omitempty"`
	App         string `json:"a,omitempty"`
	Method      string `json:"m,omitempty"`
	Salt        string `json:"s,omitempty"`
}

func (d recoveryData) encode() string {
	b, _ := json.Marshal(d) //nolint:errchkjson // a struct of strings always encodes
	return string(b)
}

func decodeRecoveryData(s string) recoveryData {
	var d recoveryData
	_ = json.Unmarshal([]byte(s), &d) // a damaged value only loses the interaction to resume
	return d
}

func (h *Handler) recoverURL(id string) string {
	return h.path(recoverRoute, url.Values{"interaction": {id}, "sig": {h.signer.Sign(id, recoverSig)}})
}

func (h *Handler) reminderURL(id string, extra url.Values) string {
	q := url.Values{"interaction": {id}, "sig": {h.signer.Sign(id, recoverSig)}}
	for k, v := range extra {
		q[k] = v
	}
	return h.path(reminderRoute, q)
}

func (h *Handler) recoverHidden(f *Flow) map[string]string {
	return map[string]string{"interaction": f.Interaction.ID, "sig": h.signer.Sign(f.Interaction.ID, recoverSig)}
}

// recoveryFlow loads the interaction and the policy and refuses the page
// when allowed says the application does not offer it. When ok is false
// the request was answered with a page, or the error is the caller's to
// return.
func (h *Handler) recoveryFlow(w http.ResponseWriter, r *http.Request, allowed func(storage.SelfServicePolicy, *storage.IdentityStore) bool) (_ *Flow, _ storage.SelfServicePolicy, ok bool, _ error) {
	id, sig := r.FormValue("interaction"), r.FormValue("sig")
	f, err := h.loadFlow(w, r, id, sig, recoverSig)
	switch {
	case errors.Is(err, errBadLink):
		h.errorPage(w, r, http.StatusBadRequest, "error.bad_request")
		return nil, storage.SelfServicePolicy{}, false, nil
	case errors.Is(err, storage.ErrNotFound):
		h.errorPage(w, r, http.StatusBadRequest, "error.interaction_expired")
		return nil, storage.SelfServicePolicy{}, false, nil
	case err != nil:
		return nil, storage.SelfServicePolicy{}, false, err
	}
	store, err := h.store.GetIdentityStore(r.Context(), f.App.StoreID)
	if err != nil {
		return nil, storage.SelfServicePolicy{}, false, fmt.Errorf("selfservice: load identity store: %w", err)
	}
	pol := f.App.SelfService.Effective(store)
	if !allowed(pol, store) {
		h.errorPage(w, r, http.StatusForbidden, "recover.disabled")
		return nil, pol, false, nil
	}
	return f, pol, true, nil
}

func resetAllowed(p storage.SelfServicePolicy, _ *storage.IdentityStore) bool {
	return p.RecoveryMethods.ResetByEmailLink || p.RecoveryMethods.ResetByPhoneCode
}

func reminderAllowed(p storage.SelfServicePolicy, s *storage.IdentityStore) bool {
	return p.RecoveryMethods.UsernameReminder && allows(s, storage.IdentifierUsername)
}

// recoveryContacts are the account's addresses recovery messages may go
// to under the policy: confirmed ones, or any when the policy allows.
func recoveryContacts(pol storage.SelfServicePolicy, a *storage.Account) (email, phone string) {
	if a != nil && a.Status == storage.AccountPending {
		// Only the address a pending account registered with: a link there
		// proves it as the activation link would.
		return a.Email, ""
	}
	if a == nil || a.Status != storage.AccountEnabled {
		return "", ""
	}
	if a.Email != "" && (a.EmailConfirmed || pol.AllowUnconfirmedContacts) {
		email = a.Email
	}
	if a.Phone != "" && (a.PhoneConfirmed || pol.AllowUnconfirmedContacts) {
		phone = a.Phone
	}
	return email, phone
}

// forgotPasswordURL is the sign-in page's "Forgot your password?" link,
// or "" when the application offers no reset. The login step has no store,
// so it reads the stored policy with defaults; the page itself applies the
// effective one.
func forgotPasswordURL(f *Flow) string {
	if f.RecoverURL == "" || !resetAllowed(f.App.SelfService.WithDefaults(), nil) {
		return ""
	}
	return f.RecoverURL
}
