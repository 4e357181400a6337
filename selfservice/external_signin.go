package selfservice

import (
	"errors"
	"fmt"
	"net/http"
	"slices"

	"foyer/selfservice/upstream"
	"foyer/storage"
)

// amrExternal is the amr of a first factor proved by an upstream
// provider. RFC 8176 registers no value for a federated sign-in, and
// passing the upstream's own values on would tell relying parties that
// Foyer checked a password it never saw; "ext" says what happened inside
// Foyer (the session, the portal), and authz leaves it out of tokens,
// which carry only registered values (amr.go).
const amrExternal = "ext"

// externalState is an upstream identity waiting in the flow: to be linked
// to the account that must sign in first (AccountID, a takeover attempt
// refused until proof), or to be registered (AccountID empty).
type externalState struct {
	Provider     string   `json:"provider"`
	ProviderName string   `json:"provider_name"`
	Subject      string   `json:"subject"`
	Email        string   `json:"email,omitempty"`
	Verified     bool     `json:"verified,omitempty"`
	AMR          []string `json:"amr,omitempty"`
	ACR          string   `json:"acr,omitempty"`
	AccountID    string   `json:"account_id,omitempty"`
	// Identity is the rest of what the upstream said, for registration.
	Username   string            `json:"username,omitempty"`
	Phone      string            `json:"phone,omitempty"`
	Attributes map[string]string `json:"attributes,omitempty"`
}

func newExternalState(p *storage.UpstreamProvider, id *upstream.Identity) *externalState {
	return &externalState{Provider: p.ID, ProviderName: p.Name, Subject: id.Subject, Email: id.Email,
		Verified: id.EmailVerified && id.Email != "", AMR: id.AMR, ACR: id.ACR,
		Username: id.Username, Phone: id.Phone, Attributes: id.Attributes}
}

// externalData is external.html's: Kind "failed", "unavailable",
// "no_account" or "invitation" (the identity's address is not the one
// invited).
type externalData struct {
	Kind      string
	Provider  string
	Email     string
	AppName   string
	RetryURL  string // back to the sign-in page
	RefuseURL string // the relying party hears the error
}

// externalSignIn goes on with the identity the upstream vouched for. A
// returning one is found by (provider, subject), never by e-mail.
func (h *Handler) externalSignIn(w http.ResponseWriter, r *http.Request, f *Flow, p *storage.UpstreamProvider, id *upstream.Identity) error {
	// Whatever the flow was doing (a half-typed identifier, another
	// provider's pending link) starts over with this identity.
	f.State = State{Steps: baseSteps(f.App), Failures: f.State.Failures, Invitation: f.State.Invitation}
	x, err := h.store.GetExternalIdentity(r.Context(), p.ID, id.Subject)
	switch {
	case err == nil:
		return h.externalReturning(w, r, f, p, id, x)
	case !errors.Is(err, storage.ErrNotFound):
		return fmt.Errorf("selfservice: find external identity: %w", err)
	}
	return h.externalFirst(w, r, f, newExternalState(p, id))
}

// externalReturning signs in the account the identity is linked to; its
// first factor is done, the MFA gate decides the rest.
func (h *Handler) externalReturning(w http.ResponseWriter, r *http.Request, f *Flow, p *storage.UpstreamProvider, id *upstream.Identity, x *storage.ExternalIdentity) error {
	ctx := r.Context()
	acct, err := h.store.GetAccount(ctx, x.AccountID)
	if err != nil {
		return fmt.Errorf("selfservice: load linked account: %w", err)
	}
	if acct.StoreID != f.App.StoreID || acct.Status != storage.AccountEnabled {
		return h.externalRefused(w, r, f, acct)
	}
	now := h.cfg.Now().UTC()
	if err := h.store.RecordExternalSignIn(ctx, p.ID, id.Subject, id.AMR, id.ACR, now); err != nil {
		return fmt.Errorf("selfservice: record external sign-in: %w", err)
	}
	h.eventData(r, acct.ID, "external.signin", externalEventData(p))
	f.State.Identifier = accountName(acct)
	externalFirstFactor(&f.State, acct.ID, f.App.SelfService.External, p.ID, id.AMR)
	f.State.Current = len(f.State.Steps)
	return h.complete(w, r, f)
}

// externalRefused answers as the password step does for an account that
// cannot sign in (disabled, pending activation, another store's).
func (h *Handler) externalRefused(w http.ResponseWriter, r *http.Request, f *Flow, acct *storage.Account) error {
	if err := h.saveFlow(r, f); err != nil {
		return err
	}
	v := h.steps["identifier"].Show(f)
	v.Error, v.Status = "login.account_disabled", http.StatusForbidden
	if acct.Status == storage.AccountPending && acct.StoreID == f.App.StoreID {
		v.Error = "login.account_pending"
	}
	h.renderStep(w, r, f, v)
	return nil
}

func externalEventData(p *storage.UpstreamProvider) map[string]string {
	return map[string]string{"provider": p.ID, "provider_name": p.Name}
}

// externalFirstFactor records an external first factor: amr "ext", and
// "mfa" (the second factor done) when the application trusts the
// provider's MFA and the upstream says it used it.
func externalFirstFactor(s *State, accountID string, pol storage.ExternalSignIn, providerID string, upstreamAMR []string) {
	firstFactor(s, accountID, amrExternal, "")
	if trustedMFA(pol, providerID, upstreamAMR) {
		s.AMR = appendUnique(s.AMR, amrMFA)
		s.MFA.Done = true
	}
}

// trustedMFA reports whether the upstream's amr counts as Foyer's second
// factor: the application trusts the provider's MFA, and the upstream
// says "mfa" or names factors of two kinds (RFC 8176: something known,
// held, or been), e.g. pwd and otp.
func trustedMFA(pol storage.ExternalSignIn, providerID string, amr []string) bool {
	if !slices.Contains(pol.TrustMFA, providerID) {
		return false
	}
	if slices.Contains(amr, amrMFA) {
		return true
	}
	kinds := map[string]bool{}
	for _, m := range amr {
		if k := factorKind(m); k != "" {
			kinds[k] = true
		}
	}
	return len(kinds) >= 2
}

// factorKind is the kind of factor an RFC 8176 amr value names, or "".
func factorKind(amr string) string {
	switch amr {
	case "pwd", "pin", "kba":
		return "know"
	case "otp", "hwk", "swk", "sms", "tel", "sc":
		return "have"
	case "fpt", "face", "iris", "retina", "vbm":
		return "are"
	}
	return ""
}

// externalFirst handles an identity no account is linked to yet. A
// verified address that an account has is a takeover attempt until that
// account's owner signs in (externalExisting); anything else registers,
// since an unverified address proves nothing and is matched to no one.
func (h *Handler) externalFirst(w http.ResponseWriter, r *http.Request, f *Flow, x *externalState) error {
	ctx := r.Context()
	if answered, err := h.externalInvitationCheck(w, r, f, x); answered || err != nil {
		return err
	}
	if x.Verified {
		owner, err := h.store.FindAccountByIdentifier(ctx, f.App.StoreID, storage.IdentifierEmail, x.Email)
		switch {
		case err == nil:
			return h.externalExisting(w, r, f, x, owner)
		case !errors.Is(err, storage.ErrNotFound):
			return fmt.Errorf("selfservice: find account by e-mail: %w", err)
		}
	}
	return h.externalRegister(w, r, f, x)
}

// externalExisting asks the owner of the verified address to sign in to
// the account as usual (password or a code to its address, with their
// limits, then MFA); the link is made when that very account's sign-in
// completes (linkPendingExternal).
func (h *Handler) externalExisting(w http.ResponseWriter, r *http.Request, f *Flow, x *externalState, owner *storage.Account) error {
	x.AccountID = owner.ID
	f.State.External = x
	f.State.Identifier = x.Email
	f.State.Current = min(1, len(f.State.Steps)-1)
	if f.State.Steps[f.State.Current] == stepPasswordless {
		if err := h.deferRequest(r, f, deferredPasswordless, deferredPayload{Typed: x.Email}); err != nil {
			return err
		}
	}
	if err := h.saveFlow(r, f); err != nil {
		return err
	}
	http.Redirect(w, r, h.loginURL(f.Interaction.ID, nil), http.StatusSeeOther)
	return nil
}
