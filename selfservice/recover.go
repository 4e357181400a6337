package selfservice

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/gorilla/mux"

	"foyer/selfservice/route"
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
	purposeResetLink     = "password_reset"
	purposeResetCode     = "password_reset_code"
	purposeResetForm     = "password_reset_form"
	purposeReminderEmail = "username_reminder_email"
	purposeReminderSMS   = "username_reminder_sms"
	// purposeThrottle marks a claimed send (throttled); a purpose of its
	// own, so the newest secret of the others stays the last one sent.
	purposeThrottle = "send_claim"
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

// mountRecovery installs the recovery pages.
func (h *Handler) mountRecovery(r *mux.Router) {
	route.Handle(r, recoverRoute, RecoverPath, route.Methods{http.MethodGet: h.showRecover, http.MethodPost: h.submitRecover})
	route.Handle(r, recoverPhoneRoute, RecoverPhonePath, route.Methods{http.MethodPost: h.submitRecoverPhone})
	route.Handle(r, recoverCodeRoute, RecoverCodePath, route.Methods{http.MethodPost: h.submitRecoverCode})
	route.Handle(r, resetRoute, ResetPath, route.Methods{http.MethodGet: h.showResetLink, http.MethodPost: h.openResetLink})
	route.Handle(r, resetPasswordRoute, ResetPasswordPath, route.Methods{http.MethodPost: h.submitNewPassword})
	route.Handle(r, reminderRoute, ReminderPath, route.Methods{http.MethodGet: h.showReminder, http.MethodPost: h.submitReminder})
}

// recoveryFlow loads the interaction and the policy and refuses the page
// when allowed says the application does not offer it.
func (h *Handler) recoveryFlow(w http.ResponseWriter, r *http.Request, allowed func(storage.SelfServicePolicy, *storage.IdentityStore) bool) (*Flow, storage.SelfServicePolicy, bool) {
	id, sig := r.FormValue("interaction"), r.FormValue("sig")
	f, err := h.loadFlow(r, id, sig, recoverSig)
	switch {
	case errors.Is(err, errBadLink):
		h.errorPage(w, r, http.StatusBadRequest, "error.bad_request")
		return nil, storage.SelfServicePolicy{}, false
	case errors.Is(err, storage.ErrNotFound):
		h.errorPage(w, r, http.StatusBadRequest, "error.interaction_expired")
		return nil, storage.SelfServicePolicy{}, false
	case err != nil:
		h.serverError(w, r, err)
		return nil, storage.SelfServicePolicy{}, false
	}
	store, err := h.store.GetIdentityStore(r.Context(), f.App.StoreID)
	if err != nil {
		h.serverError(w, r, fmt.Errorf("selfservice: load identity store: %w", err))
		return nil, storage.SelfServicePolicy{}, false
	}
	pol := f.App.SelfService.Effective(store)
	if !allowed(pol, store) {
		h.errorPage(w, r, http.StatusForbidden, "recover.disabled")
		return nil, pol, false
	}
	return f, pol, true
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

// throttled reports whether a message of the purpose must be held back:
// one went to the account within the re-request interval (the newest
// secret of the purpose says so), or a parallel request, perhaps on
// another node, claimed this send first. Reading the newest secret and
// then sending is not atomic, so a request that passes the read claims
// the right to follow that secret: a marker whose hash names the account,
// the channel and the secret it follows. The hash column is unique, so of
// all the requests that read the same newest secret exactly one inserts
// it. (Insert-then-count on the attempt table would not do: the n-th
// caller sees at least n, so all parallel callers may see more than one
// and none would send.) A claim whose send then failed holds the throttle
// until the marker expires and is purged.
func (h *Handler) throttled(ctx context.Context, pol storage.SelfServicePolicy, accountID, purpose, channel string) (bool, error) {
	now := h.cfg.Now().UTC()
	follows := ""
	last, err := h.store.LatestOneTimeSecret(ctx, accountID, purpose)
	switch {
	case errors.Is(err, storage.ErrNotFound):
	case err != nil:
		return false, fmt.Errorf("selfservice: latest %s secret: %w", purpose, err)
	case now.Sub(last.CreatedAt) < pol.ReRequestInterval:
		return true, nil
	default:
		follows = last.ID
	}
	sum := sha256.Sum256([]byte("throttle\x00" + purpose + "\x00" + accountID + "\x00" + channel + "\x00" + follows))
	claim := &storage.OneTimeSecret{Purpose: purposeThrottle, Hash: sum[:], AccountID: accountID,
		CreatedAt: now, ExpiresAt: now.Add(pol.ReRequestInterval), UsedAt: &now}
	err = h.store.CreateOneTimeSecret(ctx, claim)
	if errors.Is(err, storage.ErrConflict) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("selfservice: claim %s send: %w", purpose, err)
	}
	return false, nil
}

// findByIdentifier is the enabled account an identifier typed on a
// recovery page names, or nil.
func (h *Handler) findByIdentifier(ctx context.Context, storeID, typed string) (*storage.Account, error) {
	store, err := h.store.GetIdentityStore(ctx, storeID)
	if err != nil {
		return nil, fmt.Errorf("selfservice: load identity store: %w", err)
	}
	kind, value := storage.ParseIdentifier(typed)
	if !allows(store, kind) || !typedOK(typed) {
		return nil, nil
	}
	acct, err := h.store.FindAccountByIdentifier(ctx, storeID, kind, value)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("selfservice: find account: %w", err)
	}
	// A pending account can be recovered too: if someone registered the
	// address before its owner, a reset is how the owner takes it over.
	if acct.Status != storage.AccountEnabled && acct.Status != storage.AccountPending {
		return nil, nil
	}
	return acct, nil
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
