package selfservice

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"foyer/storage"
	"foyer/themes"
)

// activateSig is the signature purpose of the interaction an activation
// link names: the confirmation page uses it only to pick its branding and
// the Content-Security-Policy its form's redirects need; what the link
// activates and resumes comes from the stored secret alone.
const activateSig = "activate"

// showActivate answers opening an activation link with a page whose
// button posts the token: e-mail security scanners prefetch links, and a
// GET that spent the token would leave the customer a used link.
func (h *Handler) showActivate(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	usable, err := h.secretUsable(r, purposeActivation, q.Get("token"))
	if err != nil {
		return err
	}
	if !usable {
		h.errorPage(w, r, http.StatusBadRequest, "activation.invalid_link")
		return nil
	}
	v := View{Template: "recover", Data: &recoverData{
		Mode: "confirm", Title: "activation.confirm_title", Intro: "activation.confirm_intro", Submit: "activation.confirm_submit",
		pageForm: pageForm{Action: h.path(activateRoute, nil), Hidden: map[string]string{"token": q.Get("token")}},
	}}
	f, target := h.activationTarget(w, r, q.Get("interaction"), q.Get("sig"))
	if f != nil {
		h.renderStep(w, r, f, v)
		return nil
	}
	// The post may end at the client's brand portal: browsers apply
	// form-action to every redirect after a form post.
	w.Header().Set("Content-Security-Policy", themes.CSPWithFormTarget(target))
	return h.renderOptionalFlow(w, r, nil, nil, v)
}

// activationTarget is the waiting sign-in request a signed activation link
// names, or else the brand portal its client would be sent to.
func (h *Handler) activationTarget(w http.ResponseWriter, r *http.Request, id, sig string) (*Flow, string) {
	if id == "" || !h.signer.Verify(id, activateSig, sig) {
		return nil, ""
	}
	if f := h.waitingFlow(w, r, id); f != nil {
		return f, ""
	}
	in, _, err := h.sessions.LoadInteraction(r, h.store, id)
	if err != nil {
		return nil, ""
	}
	c, err := h.store.GetClient(r.Context(), in.ClientID)
	if err != nil {
		return nil, ""
	}
	return nil, brandPortal(c)
}

// activate spends the posted activation secret, enables the account, then
// continues the authorization request that started the registration when
// it is still waiting, or sends the browser on to sign in.
func (h *Handler) activate(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	token := r.PostFormValue("token")
	sum := sha256.Sum256([]byte(token))
	secret, err := h.store.UseOneTimeSecret(ctx, purposeActivation, sum[:], h.cfg.Now().UTC())
	if errors.Is(err, storage.ErrNotFound) || token == "" {
		h.errorPage(w, r, http.StatusBadRequest, "activation.invalid_link")
		return nil
	}
	if err != nil {
		return fmt.Errorf("selfservice: use activation secret: %w", err)
	}
	// Only a pending account is enabled: a link must never re-enable an
	// account an administrator disabled since.
	if err := h.store.ActivateAccount(ctx, secret.AccountID); errors.Is(err, storage.ErrNotFound) {
		h.errorPage(w, r, http.StatusBadRequest, "activation.invalid_link")
		return nil
	} else if err != nil {
		return fmt.Errorf("selfservice: activate account: %w", err)
	}
	h.event(r, secret.AccountID, "account.activated")
	if f := h.waitingFlow(w, r, secret.Data); f != nil {
		acct, err := h.store.GetAccount(ctx, secret.AccountID)
		if err != nil {
			return fmt.Errorf("selfservice: load account: %w", err)
		}
		if err := h.codes.spend(ctx, secret.AccountID); err != nil {
			return err
		}
		firstFactor(&f.State, secret.AccountID, amrOf(storage.MethodEmailLink), mailboxProof(acct, false))
		f.State.Current = len(f.State.Steps)
		return h.complete(w, r, f)
	}
	return h.activatedElsewhere(w, r, secret)
}

// waitingFlow is the interaction a link names when it still waits for a
// sign-in and this browser started it, or nil.
func (h *Handler) waitingFlow(w http.ResponseWriter, r *http.Request, id string) *Flow {
	if id == "" {
		return nil
	}
	f, err := h.loadFlow(w, r, id, h.signer.Sign(id, "login"), "login") // errOtherBrowser elsewhere
	if err != nil || f.Interaction.SessionID != "" {
		return nil
	}
	return f
}

// activatedElsewhere sends the browser to the brand portal of the client
// that started the registration (OIDC third-party initiated login, built
// as authz.InitiateLoginURL does; selfservice does not import authz), or
// shows that the account is active.
func (h *Handler) activatedElsewhere(w http.ResponseWriter, r *http.Request, secret *storage.OneTimeSecret) error {
	ctx := r.Context()
	var app *storage.Application
	if in, _, err := h.sessions.LoadInteraction(r, h.store, secret.Data); err == nil {
		c, cerr := h.store.GetClient(ctx, in.ClientID)
		if cerr == nil {
			app, _ = h.store.GetApplication(ctx, c.ApplicationID)
		}
		acct, aerr := h.store.GetAccount(ctx, secret.AccountID)
		if cerr == nil && aerr == nil && brandPortal(c) != "" {
			if u, perr := url.Parse(brandPortal(c)); perr == nil {
				q := u.Query()
				q.Set("iss", h.cfg.Issuer)
				q.Set("login_hint", acct.Email)
				u.RawQuery = q.Encode()
				http.Redirect(w, r, u.String(), http.StatusSeeOther) //nolint:gosec // G710: the client's registered initiate_login_uri
				return nil
			}
		}
	}
	lang := h.render.NegotiateRequest(r, "", "")
	// "Open your account" leads to the portal of the account's store.
	link := ""
	if acct, err := h.store.GetAccount(ctx, secret.AccountID); err == nil {
		link = h.accountPortalLink(acct.StoreID)
	}
	err := h.render.Render(w, r, themes.Page{Template: "message", Lang: lang, Branding: branding(app), Data: &messageData{
		Title: "activation.done_title", Message: "activation.done", LinkURL: link, LinkText: "account.open"}})
	if err != nil {
		h.log.ErrorContext(ctx, "render message", "err", err)
	}
	return nil
}
