package selfservice

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"foyer/selfservice/notify"
	"foyer/selfservice/route"
	"foyer/selfservice/session"
	"foyer/selfservice/upstream"
	"foyer/storage"
	"foyer/themes"
)

// Outcomes of a link round trip, told to the portal page in
// ?external= (portal.ExternalParam), which shows them in words.
const (
	linkLinked      = "linked"
	linkFailed      = "failed"
	linkUnavailable = "unavailable"
	linkTaken       = "taken"
	linkAlready     = "already" // the account has another identity of the provider
)

// finishLink completes a round trip the account portal started to link an
// upstream identity to the signed-in account (an attempt of purpose
// storage.UpstreamLink, already taken by the callback, so its state is
// spent). id is the identity when the callback already finished the
// exchange; nil: finishLink finishes it with the callback's parameters,
// after checking the browser, so a code is not redeemed for another
// browser and the upstream's refusals go back to the portal page.
//
// The browser must still be in the SSO session that started the attempt,
// signed in to the same account: an attempt finished elsewhere (a link
// sent to someone, a session that ended or changed) links nothing. The
// upstream e-mail need not match the account's, nor be verified: the
// customer is signed in here and has just proved the upstream account.
// An identity another account holds is refused without a word about that
// account. Everything ends on the attempt's ReturnTo, which the portal
// stored server side and which must be a path of the portal.
func (h *Handler) finishLink(w http.ResponseWriter, r *http.Request, a *storage.UpstreamAttempt, p *storage.UpstreamProvider, id *upstream.Identity) error {
	ctx := r.Context()
	back, ok := h.portalReturn(a.ReturnTo)
	if !ok {
		h.log.WarnContext(ctx, "external link: return path outside the portal refused", "provider", p.ID)
		h.errorPage(w, r, http.StatusBadRequest, "error.bad_request")
		return nil
	}
	acct, err := h.linkingAccount(r, a, p)
	if err != nil {
		return err
	}
	if acct == nil {
		h.signInAgainPage(w, r, p.StoreID)
		return nil
	}
	if id == nil {
		if id, err = h.finishUpstream(r, a, p); err != nil {
			outcome, known := upstreamOutcome(err)
			if !known {
				return err
			}
			h.log.WarnContext(ctx, "external link: upstream answer refused", "provider", p.ID, "err", err)
			return h.linkDone(w, r, back, outcome)
		}
	}
	outcome, err := h.link(r, acct, p, id)
	if err != nil {
		return err
	}
	return h.linkDone(w, r, back, outcome)
}

// linkingAccount is the account of the attempt when this browser's SSO
// session is the one that started it, for an enabled account of the
// provider's store; nil otherwise.
func (h *Handler) linkingAccount(r *http.Request, a *storage.UpstreamAttempt, p *storage.UpstreamProvider) (*storage.Account, error) {
	sess, err := h.sessions.Current(r)
	if errors.Is(err, session.ErrNoSession) || errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("selfservice: external link session: %w", err)
	}
	if a.SessionID == "" || sess.ID != a.SessionID || sess.AccountID != a.AccountID {
		return nil, nil
	}
	acct, err := h.store.GetAccount(r.Context(), a.AccountID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("selfservice: external link account: %w", err)
	}
	if acct.Status != storage.AccountEnabled || acct.StoreID != p.StoreID {
		return nil, nil
	}
	return acct, nil
}

// finishUpstream exchanges the callback's code with the attempt's nonce
// and verifier (a disabled provider refuses callbacks: ErrDenied).
func (h *Handler) finishUpstream(r *http.Request, a *storage.UpstreamAttempt, p *storage.UpstreamProvider) (*upstream.Identity, error) {
	if !p.Enabled {
		return nil, fmt.Errorf("provider %s is disabled: %w", p.ID, upstream.ErrDenied)
	}
	if h.upstream == nil {
		return nil, fmt.Errorf("selfservice: no upstream client: %w", upstream.ErrUnavailable)
	}
	if err := r.ParseForm(); err != nil {
		return nil, fmt.Errorf("callback parameters: %w: %w", upstream.ErrDenied, err)
	}
	return h.upstream.Finish(r.Context(), p, h.externalRedirectURI(p.ID), upstream.ParseCallback(r.Form), a.Nonce, a.CodeVerifier)
}

// upstreamOutcome is the portal's word for an upstream failure; known is
// false for any other error.
func upstreamOutcome(err error) (outcome string, known bool) {
	switch {
	case errors.Is(err, upstream.ErrUnavailable):
		return linkUnavailable, true
	case errors.Is(err, upstream.ErrDenied):
		return linkFailed, true
	}
	return "", false
}

// link links id to acct unless the provider is off or the identity is
// taken, then records the sign-in, the event and tells the owner.
func (h *Handler) link(r *http.Request, acct *storage.Account, p *storage.UpstreamProvider, id *upstream.Identity) (string, error) {
	ctx := r.Context()
	if !p.Enabled || id.Subject == "" {
		return linkFailed, nil
	}
	held, err := h.store.GetExternalIdentity(ctx, p.ID, id.Subject)
	switch {
	case err == nil && held.AccountID == acct.ID:
		return linkLinked, nil // linked already: nothing to do, nothing to tell
	case err == nil:
		return linkTaken, nil
	case !errors.Is(err, storage.ErrNotFound):
		return "", fmt.Errorf("selfservice: external identity: %w", err)
	}
	mine, err := h.store.ListExternalIdentities(ctx, acct.ID)
	if err != nil {
		return "", fmt.Errorf("selfservice: external identities: %w", err)
	}
	for _, x := range mine {
		if x.Provider == p.ID {
			// One identity per provider and account: the portal offers no
			// second; a stale page that tries gets the refusal.
			return linkAlready, nil
		}
	}
	now := h.cfg.Now().UTC()
	err = h.store.LinkExternalIdentity(ctx, &storage.ExternalIdentity{AccountID: acct.ID, Provider: p.ID, Subject: id.Subject,
		Email: id.Email, CreatedAt: now})
	if errors.Is(err, storage.ErrConflict) {
		return linkTaken, nil // linked by another account in the meantime
	}
	if err != nil {
		return "", fmt.Errorf("selfservice: link external identity: %w", err)
	}
	if err := h.store.RecordExternalSignIn(ctx, p.ID, id.Subject, id.AMR, id.ACR, now); err != nil {
		return "", fmt.Errorf("selfservice: record external sign-in: %w", err)
	}
	h.eventData(r, acct.ID, "external.linked", map[string]string{"provider": p.ID, "provider_name": p.Name})
	// An e-mail speaks the account's language first, then the browser's.
	lang := h.render.NegotiateRequest(r, acct.Language, "")
	if err := h.tellLinked(ctx, acct, lang, h.portalBranding(ctx, acct.StoreID)); err != nil {
		return "", err
	}
	return linkLinked, nil
}

// tellLinked tells the owner that an identity was linked (from the portal,
// or after the owner's sign-in proved a takeover attempt was theirs), by
// e-mail, or by SMS when the account has no address (the notice takes no
// arguments: the text does not name the provider). ASVS 2.2.3: a new way
// into the account is announced at once.
func (h *Handler) tellLinked(ctx context.Context, acct *storage.Account, lang string, brand themes.Branding) error {
	var err error
	switch {
	case acct.Email != "":
		_, err = h.notify.Email(ctx, acct.Email, acct.ID, "notice", lang, brand, notify.NoticeEmail{
			Title: "email.external_linked.title", Paragraphs: []string{"email.external_linked.body", "email.factor_changed.not_you"},
			Template: "external_linked",
		})
	case acct.Phone != "":
		// The factor's SMS says what is true here too.
		_, err = h.notify.SMSFor(ctx, acct.Phone, acct.ID, "external_linked", lang, brand, nil, h.render.T(lang, "sms.factor_added", brand.AppName))
	}
	if err != nil {
		return fmt.Errorf("selfservice: queue external link notice: %w", err)
	}
	return nil
}

// portalBranding is the look of the store's portal application, which
// the customer linked from; none when it cannot be found.
func (h *Handler) portalBranding(ctx context.Context, storeID string) themes.Branding {
	client := h.cfg.PortalClientID
	if h.cfg.PortalClientFor != nil {
		client = h.cfg.PortalClientFor(storeID)
	}
	c, err := h.store.GetClient(ctx, client)
	if err != nil {
		return themes.Branding{}
	}
	app, err := h.store.GetApplication(ctx, c.ApplicationID)
	if err != nil || app.StoreID != storeID {
		return themes.Branding{}
	}
	return branding(app)
}

// portalReturn is ReturnTo when it is a path of the account portal
// (never an absolute or scheme-relative URL, nor one that leaves it).
func (h *Handler) portalReturn(returnTo string) (*url.URL, bool) {
	base := h.routes.Path(route.AccountHome, nil)
	if returnTo != base && !strings.HasPrefix(returnTo, base+"/") || strings.ContainsAny(returnTo, "\\\r\n\t") ||
		strings.Contains(returnTo, "//") || strings.Contains(returnTo, "/../") || strings.HasSuffix(returnTo, "/..") {
		return nil, false
	}
	u, err := url.Parse(returnTo)
	if err != nil || u.IsAbs() || u.Host != "" || u.User != nil {
		return nil, false
	}
	return u, true
}

// linkDone returns to the portal page with the outcome.
func (h *Handler) linkDone(w http.ResponseWriter, r *http.Request, back *url.URL, outcome string) error {
	u := *back
	q := u.Query()
	q.Set("external", outcome)
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
	return nil
}

// signInAgainPage answers a link attempt finished outside the session
// that started it: nothing is linked, and the customer is asked to sign
// in to the portal again and connect from there.
func (h *Handler) signInAgainPage(w http.ResponseWriter, r *http.Request, storeID string) {
	lang := h.render.NegotiateRequest(r, "", "")
	// The attempt was the portal's: its store's portal look, as the
	// linked-account notice wears.
	err := h.render.Render(w, r, themes.Page{Template: "error", Lang: lang, Status: http.StatusForbidden,
		Branding: h.portalBranding(r.Context(), storeID),
		Data:     &errorData{Message: "error.external_link_session", LinkURL: h.accountPortalLink(storeID), LinkText: "account.sign_in_again"}})
	if err != nil {
		h.log.ErrorContext(r.Context(), "render error page", "err", err)
	}
}
