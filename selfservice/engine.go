package selfservice

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"foyer/selfservice/route"
	"foyer/selfservice/session"
	"foyer/storage"
	"foyer/themes"
)

// Step is one page of a flow. Show renders it; Submit checks what was
// posted and either completes the step or returns errors to show.
type Step interface {
	Name() string
	Show(f *Flow) View
	Submit(r *http.Request, f *Flow) (View, bool, error)
}

// View is what a step wants rendered.
type View struct {
	Template string
	// Data is the template's data struct (pagedata.go), a pointer for a
	// form page, whose pageForm renderStep fills.
	Data        any
	Error       string            // page-level message key
	Notice      string            // page-level message key
	FieldErrors map[string]string // field name → message key
	Status      int
	// RetryAfter, when set, is sent as Retry-After (a 429's hold).
	RetryAfter time.Duration
}

// State is the engine's state, kept in the interaction between requests.
type State struct {
	Steps      []string `json:"steps"`
	Current    int      `json:"current"`
	Identifier string   `json:"identifier,omitempty"`
	// AccountID is the account the identifier named, or empty. It is kept
	// server-side only: pages never depend on it before the password step,
	// so they cannot reveal whether an account exists.
	AccountID string   `json:"account_id,omitempty"`
	AMR       []string `json:"amr,omitempty"`
	Failures  int      `json:"failures,omitempty"`
	// Recover is the identifier a password-reset request was typed with,
	// kept server-side for the phone switch and the code page, which look
	// the account up from it; pages never depend on it.
	Recover string `json:"recover,omitempty"`
	// Pending is the account waiting for activation whose password this
	// interaction proved: only it may be sent a new activation link.
	Pending string `json:"pending,omitempty"`
	// Registered is the address a registration with activation was
	// submitted with: its check-your-email page may send to it again.
	Registered string `json:"registered,omitempty"`
	// FirstFactorDone makes the engine skip the remaining first-factor
	// steps (a passkey sign-in from the identifier page).
	FirstFactorDone bool `json:"first_factor_done,omitempty"`
	// MFA is the second-factor part of the sign-in.
	MFA mfaState `json:"mfa"`
	// Invitation is the invitation the request's login hint carries
	// (invitation.go).
	Invitation *invitationState `json:"invitation,omitempty"`
	// External is an upstream identity waiting for its account's sign-in
	// or its registration (external_signin.go).
	External *externalState `json:"external,omitempty"`
}

// Flow is one request's view of an interaction.
type Flow struct {
	Interaction *storage.Interaction
	State       State
	Client      *storage.Client
	App         *storage.Application
	Params      url.Values // the authorization request's parameters
	Lang        string
	// URL links to this flow's sign-in page with extra parameters.
	URL func(extra url.Values) string
	// RegisterURL links to the registration page; the page itself checks
	// the application offers registration.
	RegisterURL string
	// RecoverURL links to the password-reset page.
	RecoverURL string
	// pending: the interaction is still only in the browser's cookie
	// (session.Park); materialise stores it. w clears that cookie then.
	pending bool
	w       http.ResponseWriter
	// account is the account a step of this request read for
	// State.AccountID (the password step's), so the MFA gate does not
	// read it again; nil when none did.
	account *storage.Account
}

// defaultSteps is the sign-in sequence when the application names none.
var defaultSteps = []string{"identifier", "password"}

// baseSteps is the application's first-factor sequence; the MFA gate adds
// its steps after it. In passwordless mode a code or magic link replaces
// the password.
func baseSteps(app *storage.Application) []string {
	steps := slices.Clone(defaultSteps)
	if len(app.LoginSteps) > 0 {
		steps = slices.Clone(app.LoginSteps)
	}
	if app.MFA.Passwordless {
		for i, s := range steps {
			if s == "password" {
				steps[i] = stepPasswordless
			}
		}
	}
	return steps
}

// maxFailures ends an interaction after this many wrong answers; the
// per-account limit in the password step covers restarts.
const maxFailures = 10

var errBadLink = errors.New("selfservice: bad interaction link")

// loadFlow loads and checks the interaction named by the request: the
// stored row or, before the sign-in page was first submitted, the
// browser's pending cookie. The signature binds the link to its page
// (purpose "login" or "register"). Any request but a GET or HEAD stores a
// pending interaction first (materialise): whatever it goes on to store
// (a code, an upstream attempt, a deferred request) may name the
// interaction, and must find it stored.
func (h *Handler) loadFlow(w http.ResponseWriter, r *http.Request, id, sig, purpose string) (*Flow, error) {
	if id == "" || !h.signer.Verify(id, purpose, sig) {
		return nil, errBadLink
	}
	ctx := r.Context()
	in, pending, err := h.sessions.LoadInteraction(r, h.store, id)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && !h.cfg.Now().Before(in.ExpiresAt)) {
		return nil, storage.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("selfservice: load interaction: %w", err)
	}
	f := &Flow{Interaction: in, pending: pending, w: w, URL: func(extra url.Values) string { return h.loginURL(in.ID, extra) }}
	f.RegisterURL = h.registerURL(in.ID)
	f.RecoverURL = h.recoverURL(in.ID)
	// A reset link opened in another browser still resets (its pages use
	// the recover purpose); everything else of a flow is this browser's.
	if purpose != recoverSig && !h.sessions.StartedHere(r, in.Browser) {
		return nil, errOtherBrowser
	}
	if pending && r.Method != http.MethodGet && r.Method != http.MethodHead {
		if _, err := h.materialise(r, f); err != nil {
			return nil, err
		}
	}
	if err := h.decodeFlow(ctx, r, f); err != nil {
		return nil, err
	}
	return f, nil
}

// decodeFlow fills in the flow's state, request, client and application
// from its interaction.
func (h *Handler) decodeFlow(ctx context.Context, r *http.Request, f *Flow) error {
	in := f.Interaction
	var err error
	if len(in.State) > 0 {
		if err := json.Unmarshal(in.State, &f.State); err != nil {
			return fmt.Errorf("selfservice: decode state: %w", err)
		}
	}
	if f.Params, err = url.ParseQuery(in.Request); err != nil {
		return fmt.Errorf("selfservice: decode request: %w", err)
	}
	if f.Client, f.App, err = h.store.GetClientApplication(ctx, in.ClientID); err != nil {
		return fmt.Errorf("selfservice: load client and application: %w", err)
	}
	if len(f.State.Steps) == 0 {
		f.State.Steps = baseSteps(f.App)
	}
	// The account's language is not used before sign-in completes: a page
	// that switched language after the identifier would reveal the account.
	f.Lang = h.render.NegotiateRequest(r, f.Params.Get("ui_locales"), "")
	return nil
}

// materialise stores a pending interaction as it is now, within the
// budgets on new interactions (an *interactionHeld when they refuse),
// and clears its cookie. stored is false when another request (the
// other click of a double submit) stored it first: f then holds that row,
// and the caller's update goes through UpdateInteraction's stale-update
// rule like any other.
func (h *Handler) materialise(r *http.Request, f *Flow) (stored bool, _ error) {
	ctx := r.Context()
	wait, err := h.admitInteraction(ctx, r)
	if err != nil {
		return false, fmt.Errorf("selfservice: interaction budget: %w", err)
	}
	if wait > 0 {
		return false, &interactionHeld{wait: wait}
	}
	err = h.store.CreateInteraction(ctx, f.Interaction)
	switch {
	case err == nil:
		stored = true
	case errors.Is(err, storage.ErrConflict):
		if f.Interaction, err = h.store.GetInteraction(ctx, f.Interaction.ID); err != nil {
			return false, fmt.Errorf("selfservice: reload interaction: %w", err)
		}
	default:
		return false, fmt.Errorf("selfservice: store interaction: %w", err)
	}
	f.pending = false
	h.sessions.Unpark(f.w, f.Interaction.ID)
	return stored, nil
}

// saveFlow stores the flow's state: an update of its interaction, or
// the interaction itself while it is pending (a GET that keeps a passkey
// challenge, say).
func (h *Handler) saveFlow(r *http.Request, f *Flow) error {
	raw, err := json.Marshal(f.State)
	if err != nil {
		return fmt.Errorf("selfservice: encode state: %w", err)
	}
	f.Interaction.State = raw
	if f.pending {
		sessionID := f.Interaction.SessionID
		stored, err := h.materialise(r, f)
		if err != nil || stored {
			return err
		}
		f.Interaction.State, f.Interaction.SessionID = raw, sessionID
	}
	if err := h.store.UpdateInteraction(r.Context(), f.Interaction); err != nil {
		return fmt.Errorf("selfservice: save interaction: %w", err)
	}
	return nil
}

// saveFailed answers a failed save: when another request finished the
// sign-in meanwhile (the first click of a double submit), the browser
// follows it to the client; otherwise it returns err.
func (h *Handler) saveFailed(w http.ResponseWriter, r *http.Request, f *Flow, err error) error {
	if errors.Is(err, storage.ErrConflict) {
		http.Redirect(w, r, h.loginURL(f.Interaction.ID, nil), http.StatusSeeOther)
		return nil
	}
	return err
}

func (h *Handler) currentStep(f *Flow) (Step, error) {
	if f.State.Current < 0 || f.State.Current >= len(f.State.Steps) {
		return nil, fmt.Errorf("selfservice: no step %d", f.State.Current)
	}
	s, ok := h.steps[f.State.Steps[f.State.Current]]
	if !ok {
		return nil, fmt.Errorf("selfservice: unknown step %q", f.State.Steps[f.State.Current])
	}
	return s, nil
}

// showLogin renders the current step; ?restart=1 goes back to the first.
func (h *Handler) showLogin(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f, ok, err := h.flowOrError(w, r, q.Get("interaction"), q.Get("sig"))
	if !ok {
		return err
	}
	if q.Get("restart") == "1" && f.State.Current != 0 {
		f.State = State{Steps: baseSteps(f.App), Identifier: f.State.Identifier, Failures: f.State.Failures,
			Invitation: f.State.Invitation}
		if err := h.saveFlow(r, f); err != nil {
			return err
		}
	}
	if f.State.Invitation == nil && f.State.Current == 0 && invitationHint(f) != "" {
		if answered, err := h.startInvitation(w, r, f); answered || err != nil {
			return err
		}
	}
	step, err := h.currentStep(f)
	if err != nil {
		return err
	}
	view := step.Show(f)
	if p, ok := step.(pager); ok {
		before, _ := json.Marshal(f.State)
		if view, err = p.Page(r, f); err != nil {
			return err
		}
		// A page may have made a challenge (a passkey's) to keep; the
		// sign-in page of an application without passkeys writes nothing.
		if after, _ := json.Marshal(f.State); string(after) != string(before) {
			if err := h.saveFlow(r, f); err != nil {
				return err
			}
		}
	}
	h.renderStep(w, r, f, view)
	return nil
}

// pager is a step whose page needs the request: it reads the account's
// authenticators or makes a passkey challenge.
type pager interface {
	Page(r *http.Request, f *Flow) (View, error)
}

// submitLogin runs the current step on the posted form and advances.
func (h *Handler) submitLogin(w http.ResponseWriter, r *http.Request) error {
	f, ok, err := h.flowOrError(w, r, r.PostFormValue("interaction"), r.PostFormValue("sig"))
	if !ok {
		return err
	}
	if f.State.Failures >= maxFailures {
		h.renderStep(w, r, f, View{Template: "error", Status: http.StatusTooManyRequests,
			Data: &errorData{Message: "login.too_many_attempts_request"}})
		return nil
	}
	if r.PostFormValue("use_code") != "" {
		if answered, err := h.externalUseCode(w, r, f); answered || err != nil {
			return err
		}
	}
	step, err := h.currentStep(f)
	if err != nil {
		return err
	}
	view, done, err := step.Submit(r, f)
	if err != nil {
		return err
	}
	if !done {
		if view.Error != "" || len(view.FieldErrors) > 0 {
			f.State.Failures++
		}
		if err := h.saveFlow(r, f); err != nil {
			return h.saveFailed(w, r, f, err)
		}
		h.renderStep(w, r, f, view)
		return nil
	}
	f.State.Current++
	if f.State.FirstFactorDone {
		// A passkey on the identifier page proved the account at once.
		f.State.Current, f.State.FirstFactorDone = len(f.State.Steps), false
	}
	if f.State.Current < len(f.State.Steps) {
		if err := h.saveFlow(r, f); err != nil {
			return h.saveFailed(w, r, f, err)
		}
		http.Redirect(w, r, h.loginURL(f.Interaction.ID, nil), http.StatusSeeOther)
		return nil
	}
	return h.complete(w, r, f)
}

// startSession starts the SSO session and hands the interaction back to
// authz. Only complete calls it, after the MFA gate.
func (h *Handler) startSession(w http.ResponseWriter, r *http.Request, f *Flow) error {
	ctx := r.Context()
	if !h.startedHere(r, f) {
		h.errorPage(w, r, http.StatusBadRequest, "error.other_browser")
		return nil
	}
	if answered, err := h.acceptOnSignIn(w, r, f); answered || err != nil {
		return err
	}
	if err := h.linkPendingExternal(r, f); err != nil {
		return err
	}
	// A new sign-in replaces the browser's previous session (another
	// account, or prompt=login): the old one ends, its clients told.
	if _, err := h.sessions.End(w, r); err != nil {
		return err
	}
	sso, err := h.sessions.Start(ctx, w, r, session.Login{AccountID: f.State.AccountID, AMR: f.State.AMR, ACR: acrFor(f.State.AMR)})
	if err != nil {
		return err
	}
	f.Interaction.SessionID = sso.ID
	if err := h.saveFlow(r, f); err != nil {
		return err
	}
	now := h.cfg.Now().UTC()
	if err := h.store.TouchLastLogin(ctx, f.State.AccountID, now); err != nil {
		h.log.WarnContext(ctx, "touch last login", "err", err)
	}
	h.event(r, f.State.AccountID, "login.succeeded")
	http.Redirect(w, r, h.resumeURL(f.Interaction.ID), http.StatusSeeOther)
	return nil
}

func (h *Handler) loginURL(id string, extra url.Values) string {
	q := url.Values{"interaction": {id}, "sig": {h.signer.Sign(id, route.StepLogin)}}
	for k, v := range extra {
		q[k] = v
	}
	return h.routes.Path(route.Login, q)
}

// flowOrError loads the sign-in flow of the link, or answers the request
// (ok false): with a page when the link is bad, expired or already used,
// or by returning the error the caller returns.
func (h *Handler) flowOrError(w http.ResponseWriter, r *http.Request, id, sig string) (_ *Flow, ok bool, _ error) {
	f, err := h.loadFlow(w, r, id, sig, "login")
	switch {
	case err != nil:
		return nil, false, h.flowLoadFailed(w, r, err)
	case f.State.Current >= len(f.State.Steps) && f.Interaction.SessionID != "":
		// Signed in already (a reload, the back button, a double submit):
		// continue where the flow went.
		http.Redirect(w, r, h.resumeURL(f.Interaction.ID), http.StatusSeeOther)
	case f.State.Current >= len(f.State.Steps):
		h.errorPage(w, r, http.StatusBadRequest, "error.interaction_expired")
	default:
		return f, true, nil
	}
	return nil, false, nil
}

func (h *Handler) resumeURL(id string) string {
	return h.routes.Path(route.Resume, url.Values{"interaction": {id}, "sig": {h.signer.Sign(id, route.StepResume)}})
}

func (h *Handler) event(r *http.Request, accountID, kind string) {
	h.eventData(r, accountID, kind, nil)
}

// eventData appends an event with extra data (the method used, say).
func (h *Handler) eventData(r *http.Request, accountID, kind string, extra map[string]string) {
	data := map[string]string{"user_agent": r.UserAgent()}
	for k, v := range extra {
		data[k] = v
	}
	err := h.store.AppendEvent(r.Context(), &storage.Event{
		AccountID: accountID, Kind: kind, Actor: accountID, IP: session.ClientIP(r), CreatedAt: h.cfg.Now().UTC(),
		Data: data,
	})
	if err != nil {
		h.log.WarnContext(r.Context(), "append event", "kind", kind, "err", err)
	}
}

// branding is the application's look for its pages.
func branding(app *storage.Application) themes.Branding {
	return themes.Branding(storage.ApplicationBranding(app))
}
