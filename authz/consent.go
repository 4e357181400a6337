package authz

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/ory/fosite"

	"foyer/authz/fositestore"
	"foyer/storage"
)

// ConsentPath is where the user of a third-party client allows or denies
// what the client asked for.
const ConsentPath = "/oauth2/consent"

// consentStep names the step in signed consent links, so a login or resume
// link for the same interaction cannot be used here, nor the reverse.
const consentStep = "consent"

// consentState is kept in a consent interaction's State. Purpose tells it
// apart from the sign-in engine's state; RequestedAt is when the original
// authorization request arrived, which fosite checks prompt=login and
// max_age against, so it must survive the detour.
type consentState struct {
	Purpose     string    `json:"purpose"`
	RequestedAt time.Time `json:"requested_at"`
}

// consentOrIssue refuses an account outside the application's groups
// (refuseOutsider), signs an organizational client's request in to one
// organization (organizationFor, which may show the picker first), issues
// at once when the client needs no consent (it is first-party, or the
// account already allowed every requested scope and prompt=consent was
// not asked); otherwise it asks, or with prompt=none answers
// consent_required.
func (h *Handler) consentOrIssue(w http.ResponseWriter, r *http.Request, ar fosite.AuthorizeRequester, login *signedIn, requestedAt time.Time) error {
	if refused, err := h.refuseOutsider(w, r, ar, login); refused || err != nil {
		return err
	}
	org, answered, err := h.organizationFor(w, r, ar, login, requestedAt)
	if answered || err != nil {
		return err
	}
	sso, acct := login.sso, login.acct
	need, err := h.needsConsent(r.Context(), ar, acct)
	if err != nil {
		return err
	}
	if !need {
		h.issue(w, r, ar, login, org, requestedAt)
		return nil
	}
	if has(prompts(ar), "none") {
		h.authorizeError(w, r, ar, fosite.ErrConsentRequired.WithHint("The client needs the user's consent and prompt=none was requested."))
		return nil
	}
	return h.startConsent(w, r, ar, sso, requestedAt)
}

// needsConsent: first-party clients never ask; third-party clients ask for
// prompt=consent, when the account never allowed the client anything (a
// request without scopes too: its token still names the account, and
// without a grant the user could neither see nor revoke it), or when a
// requested scope is not yet granted.
func (h *Handler) needsConsent(ctx context.Context, ar fosite.AuthorizeRequester, acct *storage.Account) (bool, error) {
	if c := storedClient(ar); c != nil && c.FirstParty {
		return false, nil
	}
	if has(prompts(ar), "consent") {
		return true, nil
	}
	g, err := h.store.GetGrant(ctx, acct.ID, ar.GetClient().GetID())
	if errors.Is(err, storage.ErrNotFound) {
		return true, nil
	}
	if err != nil {
		return false, errorf("load grant: %w", err)
	}
	return len(missingScopes(ar.GetRequestedScopes(), g.Scopes)) > 0, nil
}

// grantedScopes is what the account allowed the client; none without a grant.
func (h *Handler) grantedScopes(ctx context.Context, accountID, clientID string) ([]string, error) {
	g, err := h.store.GetGrant(ctx, accountID, clientID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, errorf("load grant: %w", err)
	}
	return g.Scopes, nil
}

// missingScopes is requested minus granted, in request order.
func missingScopes(requested, granted []string) []string {
	var out []string
	for _, s := range requested {
		if !slices.Contains(granted, s) && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// storedClient is the request's client as stored, or nil for a client
// fosite did not load through fositestore (never, in practice; such a
// client is treated as third-party).
func storedClient(ar fosite.AuthorizeRequester) *storage.Client {
	if c, ok := ar.GetClient().(*fositestore.Client); ok {
		return c.Storage()
	}
	return nil
}

func prompts(ar fosite.AuthorizeRequester) []string {
	return strings.Fields(ar.GetRequestForm().Get("prompt"))
}

// startConsent parks the request as a consent interaction bound to the SSO
// session and sends the browser to the consent page.
func (h *Handler) startConsent(w http.ResponseWriter, r *http.Request, ar fosite.AuthorizeRequester, sso *storage.Session, requestedAt time.Time) error {
	return h.startStep(w, r, ar, sso, requestedAt, consentStep, consentRoute)
}

// startStep parks the request as an interaction for step (consent, the
// organization picker) bound to the SSO session, and sends the browser to
// the step's page (the named route) with a link signed for that step.
func (h *Handler) startStep(w http.ResponseWriter, r *http.Request, ar fosite.AuthorizeRequester, sso *storage.Session, requestedAt time.Time, step, routeName string) error {
	id, err := randomID(32)
	if err != nil {
		return err
	}
	state, err := json.Marshal(consentState{Purpose: step, RequestedAt: requestedAt.UTC()})
	if err != nil {
		return errorf("encode %s state: %w", step, err)
	}
	now := h.now()
	in := &storage.Interaction{
		ID:        id,
		ClientID:  ar.GetClient().GetID(),
		Request:   storedForm(ar),
		State:     state,
		SessionID: sso.ID,
		CreatedAt: now.UTC(),
		ExpiresAt: now.Add(h.cfg.InteractionLifespan).UTC(),
	}
	if err := h.store.CreateInteraction(r.Context(), in); err != nil {
		return errorf("create %s interaction: %w", step, err)
	}
	q := url.Values{"interaction": {id}, "sig": {h.steps.Sign(id, step)}}
	http.Redirect(w, r, h.routes.Path(routeName, q), http.StatusFound)
	return nil
}

// pendingConsent is a consent interaction checked against the browser: the
// link's signature, the interaction's expiry and purpose, and the SSO
// session it was started under.
type pendingConsent struct {
	in     *storage.Interaction
	state  consentState
	login  *signedIn
	ar     fosite.AuthorizeRequester
	client *storage.Client
}

// errConsentLink and errConsentGone select the error page consentRefused
// shows: a forged or mangled link, or one that can no longer be used
// (expired, used, or another browser's).
var (
	errConsentLink = errors.New("authz: bad consent link")
	errConsentGone = errors.New("authz: consent interaction expired or not this browser's")
)

// loadConsent loads and checks the consent interaction named by id and sig,
// and replays its authorization request through fosite, which re-validates
// the client, redirect URI and scopes as they are now.
func (h *Handler) loadConsent(r *http.Request, id, sig string) (*pendingConsent, error) {
	return h.loadStep(r, id, sig, consentStep)
}

// loadStep is loadConsent for the interaction of any step startStep
// parks: the link must be signed for that step and the state say it.
func (h *Handler) loadStep(r *http.Request, id, sig, step string) (*pendingConsent, error) {
	ctx := r.Context()
	if id == "" || !h.steps.Verify(id, step, sig) {
		return nil, errConsentLink
	}
	in, _, err := h.sessions.LoadInteraction(r, h.store, id) // a pending one has no session: gone, below
	if errors.Is(err, storage.ErrNotFound) || (err == nil && !h.now().Before(in.ExpiresAt)) {
		return nil, errConsentGone
	}
	if err != nil {
		return nil, errorf("load interaction: %w", err)
	}
	p := &pendingConsent{in: in}
	if err := json.Unmarshal(in.State, &p.state); err != nil || p.state.Purpose != step {
		return nil, errConsentLink
	}
	ar, replayErr := h.replay(r, in)
	if errors.Is(replayErr, errClientSwitched) {
		return nil, errConsentLink
	}
	login, err := h.currentLogin(r, h.interactionClient(ctx, ar, in))
	if err != nil {
		return nil, err
	}
	if login == nil || in.SessionID == "" || login.sso.ID != in.SessionID {
		return nil, errConsentGone
	}
	p.login, p.ar = login, ar
	if replayErr != nil {
		return p, replayErr
	}
	p.client = storedClient(p.ar)
	if p.client == nil {
		return nil, errorf("consent: client %q is not a stored client", in.ClientID)
	}
	return p, nil
}

// consentRefused writes the response that explains why the consent
// interaction loadConsent refused with err (and p) cannot be used, and
// returns the failures it does not explain, for serve to render.
func (h *Handler) consentRefused(w http.ResponseWriter, r *http.Request, p *pendingConsent, err error) error {
	switch {
	case errors.Is(err, errConsentLink):
		h.errorPage(w, r, http.StatusBadRequest, "error.bad_request")
	case errors.Is(err, errConsentGone):
		h.errorPage(w, r, http.StatusBadRequest, "error.interaction_expired")
	case p != nil:
		h.authorizeError(w, r, p.ar, err) // the replayed request is no longer valid
	default:
		return err
	}
	return nil
}
