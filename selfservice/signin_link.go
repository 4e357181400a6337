package selfservice

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"foyer/storage"
)

// Sign-in links from e-mail and SMS: the magic link of the MFA step or of
// passwordless sign-in.

// MagicLinkPath is where sign-in links from e-mail and SMS point.
const MagicLinkPath = "/login/link"

// showMagicLink asks for a click before the link is spent, so a mail
// scanner that prefetches links spends nothing.
func (h *Handler) showMagicLink(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	ok, err := h.secretUsable(r, purposeMFALink, q.Get("token"))
	if err == nil && !ok {
		ok, err = h.secretUsable(r, purposeLoginLink, q.Get("token"))
	}
	if err != nil {
		return err
	}
	if !ok {
		h.errorPage(w, r, http.StatusBadRequest, "mfa.link_invalid")
		return nil
	}
	f := h.waitingFlow(w, r, q.Get("interaction"))
	if f == nil {
		h.errorPage(w, r, http.StatusBadRequest, "mfa.link_other_browser")
		return nil
	}
	h.renderStep(w, r, f, View{Template: "recover", Data: &recoverData{
		Mode: "confirm", Title: "mfa.link_title", Intro: "mfa.link_intro", Submit: "mfa.link_submit",
		pageForm: pageForm{Action: h.path(magicLinkRoute, nil), Hidden: map[string]string{"token": q.Get("token")}},
	}})
	return nil
}

// useMagicLink spends the link and continues the sign-in it belongs to,
// only in the browser that started it.
func (h *Handler) useMagicLink(w http.ResponseWriter, r *http.Request) error {
	token := r.PostFormValue("token")
	sum := sha256.Sum256([]byte(token))
	sec, err := h.store.UseOneTimeSecret(r.Context(), purposeMFALink, sum[:], h.cfg.Now().UTC())
	if errors.Is(err, storage.ErrNotFound) {
		sec, err = h.store.UseOneTimeSecret(r.Context(), purposeLoginLink, sum[:], h.cfg.Now().UTC())
	}
	if errors.Is(err, storage.ErrNotFound) || token == "" {
		h.errorPage(w, r, http.StatusBadRequest, "mfa.link_invalid")
		return nil
	}
	if err != nil {
		return fmt.Errorf("selfservice: use sign-in link: %w", err)
	}
	var d mfaSecretData
	_ = json.Unmarshal([]byte(sec.Data), &d)
	f := h.waitingFlow(w, r, d.Interaction)
	if f == nil || f.State.Current >= len(f.State.Steps) {
		h.errorPage(w, r, http.StatusBadRequest, "mfa.link_other_browser")
		return nil
	}
	// A link proves the factor its message went to, once: at the MFA step
	// only when a link method was picked and that factor was not the first
	// one (the link of a passwordless message must not double as the
	// second factor), and for passwordless only an enabled account.
	switch step := f.State.Steps[f.State.Current]; {
	case step == stepMFA && sec.Purpose == purposeMFALink && f.State.AccountID == sec.AccountID &&
		d.Method == f.State.MFA.Method && d.Authenticator == f.State.MFA.Authenticator && !slices.Contains(f.State.MFA.Proofs, d.Proof):
		h.eventData(r, sec.AccountID, "mfa.succeeded", map[string]string{"method": d.Method})
		proved(f, d.Method, d.Proof)
	case step == stepPasswordless && sec.Purpose == purposeLoginLink && h.enabled(r, sec.AccountID):
		passwordlessProved(h.eventData, r, f, sec.AccountID, d.Method, d.Proof)
	default:
		h.errorPage(w, r, http.StatusBadRequest, "mfa.link_other_browser")
		return nil
	}
	if err := h.codes.spend(r.Context(), sec.AccountID); err != nil {
		return err
	}
	f.State.Current = len(f.State.Steps)
	return h.complete(w, r, f)
}

// enabled reports whether the account may sign in.
func (h *Handler) enabled(r *http.Request, accountID string) bool {
	acct, err := h.store.GetAccount(r.Context(), accountID)
	return err == nil && acct.Status == storage.AccountEnabled
}
