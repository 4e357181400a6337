package selfservice

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"foyer/selfservice/session"
	"foyer/storage"
)

// Step names the MFA gate appends after the first factor.
const (
	stepMFA    = "mfa"        // prove an enrolled second factor
	stepEnroll = "mfa_enroll" // enroll one (required, or offered)
	stepAction = "mfa_action" // the portal's account action
)

// mfaState is the MFA part of a flow's state.
type mfaState struct {
	// Done: a second factor was proved (or a passkey with user
	// verification was the first factor), so the gate lets the flow end.
	Done bool `json:"done,omitempty"`
	// Offered: the optional enrollment offer was shown and skipped.
	Offered bool `json:"offered,omitempty"`
	// Proofs are the factors this sign-in already used, as kind:address
	// (e.g. "email:a@b.c" after a reset link), which cannot count again.
	Proofs []string `json:"proofs,omitempty"`
	// Method is the method picked at the MFA step; Authenticator the
	// enrolled one it uses; CodeID the one-time code sent for it.
	Method        string `json:"method,omitempty"`
	Authenticator string `json:"authenticator,omitempty"`
	CodeID        string `json:"code_id,omitempty"`
	// Chooser: the customer asked for another method, so a single
	// factor no longer starts by itself.
	Chooser bool `json:"chooser,omitempty"`
	// Ceremony is go-webauthn's session data for a passkey challenge and
	// PasskeyOptions the options the page hands the browser.
	Ceremony       []byte `json:"ceremony,omitempty"`
	PasskeyOptions []byte `json:"passkey_options,omitempty"`
	// ActionDone: the portal's account action ran; CodesShown: the page
	// just showed new recovery codes, which "continue" moves past.
	ActionDone bool `json:"action_done,omitempty"`
	CodesShown bool `json:"codes_shown,omitempty"`
	// Enroll is an enrollment in progress.
	Enroll *enrollState `json:"enroll,omitempty"`
}

// mfaGate decides, once the first factor is proved, which step comes
// next: "" to finish the sign-in, stepMFA or stepEnroll.
//
// A factor the customer enrolled is asked for at every sign-in, whatever
// the application's policy: the policy only decides whether enrollment is
// offered or required (and which methods it offers). Otherwise a customer
// who added an authenticator app because a password alone is not enough
// would still get into every application whose policy is off with the
// password alone.
//
// An account action of the portal (enroll, new recovery codes, remove)
// runs last. Every portal sign-in first asks for a factor the account
// already has, whatever the policy says: a password alone must not change
// the second factors, the password or the account.
func (h *Handler) mfaGate(ctx context.Context, f *Flow) (string, error) {
	// The portal's sign-ins (a fresh one guards the password change, the
	// deletion, contact changes) ask for an enrolled factor whatever the
	// policy.
	portal := h.cfg.isPortal(f)
	verb, _ := accountAction(portal, f)
	action := verb != "" && !f.State.MFA.ActionDone
	pol := f.App.MFA.WithDefaults()
	required := session.MFADemand{Mode: pol.Mode, ACRValues: f.Params["acr_values"]}.Required()
	if !f.State.MFA.Done {
		acct, err := h.flowAccount(ctx, f)
		if err != nil {
			return "", err
		}
		auths, err := h.store.ListAuthenticators(ctx, acct.ID)
		if err != nil {
			return "", fmt.Errorf("selfservice: list authenticators: %w", err)
		}
		// Where the policy is off, a first step that already used an
		// enrolled factor (a passwordless code to the enrolled address, a
		// passkey) has asked for it; otherwise an account whose only
		// factor is that one could never finish. Anywhere else a second,
		// different factor is proved.
		strict := pol.Mode != storage.MFAOff || required || action || portal
		// An account with a factor proves one, whichever it is; only an
		// account without any enrolls, and that enrollment then counts as
		// the second factor. Otherwise a password alone could enroll the
		// attacker's phone past the owner's authenticator app.
		switch {
		case len(auths) > 0 && (strict || !usedEnrolledFactor(auths, f.State.MFA.Proofs)):
			return stepMFA, nil
		case required:
			return stepEnroll, nil
		case pol.Mode == storage.MFAOptional && !action && !f.State.MFA.Offered && len(enrollMethods(acct, pol)) > 0:
			return stepEnroll, nil
		}
	}
	if action {
		return stepAction, nil
	}
	return "", nil
}

// flowAccount is the flow's signed-in account: the one a step of this
// request already read, or else from the store.
func (h *Handler) flowAccount(ctx context.Context, f *Flow) (*storage.Account, error) {
	if f.account != nil && f.account.ID == f.State.AccountID {
		return f.account, nil
	}
	acct, err := h.store.GetAccount(ctx, f.State.AccountID)
	if err != nil {
		return nil, fmt.Errorf("selfservice: load account: %w", err)
	}
	return acct, nil
}

// usedEnrolledFactor reports whether the sign-in's proofs name one of the
// account's authenticators.
func usedEnrolledFactor(auths []storage.Authenticator, proofs []string) bool {
	return slices.ContainsFunc(auths, func(a storage.Authenticator) bool {
		return slices.Contains(proofs, proofOf(a))
	})
}

// complete ends a first factor: it runs the MFA gate and either sends the
// browser to the MFA or enrollment step or starts the SSO session. Every
// way of signing in (password, reset, activation, registration, passkey,
// passwordless) ends here, so none skips the second factor.
func (h *Handler) complete(w http.ResponseWriter, r *http.Request, f *Flow) error {
	next, err := h.mfaGate(r.Context(), f)
	if err != nil {
		return err
	}
	if next == "" {
		return h.startSession(w, r, f)
	}
	// Everything after the current step is dropped: the gate's step is
	// the last one, and on success the gate is asked again.
	f.State.Steps = append(f.State.Steps[:min(f.State.Current, len(f.State.Steps))], next)
	f.State.Current = len(f.State.Steps) - 1
	f.State.MFA.Method, f.State.MFA.Authenticator, f.State.MFA.CodeID = "", "", ""
	if err := h.saveFlow(r, f); err != nil {
		return h.saveFailed(w, r, f, err)
	}
	http.Redirect(w, r, h.loginURL(f.Interaction.ID, nil), http.StatusSeeOther)
	return nil
}

// acrFor maps the methods used to an authentication context class.
func acrFor(amr []string) string {
	if slices.Contains(amr, amrMFA) {
		return session.ACRMFA
	}
	return session.ACRSingle
}

// addProof records a factor this sign-in used, and adds "mfa" to the amr
// once two different factors are in.
func addProof(s *State, amr, proof string) {
	s.AMR = appendUnique(s.AMR, amr)
	if proof != "" {
		s.MFA.Proofs = appendUnique(s.MFA.Proofs, proof)
	}
}

// firstFactor records who proved a first factor and how: whatever MFA
// state an earlier attempt in the flow left is dropped, and proof (the
// mailbox or phone a reset or activation link went to; "" for a password)
// cannot count again as the second factor.
func firstFactor(s *State, accountID, amr, proof string) {
	s.AccountID, s.AMR, s.MFA = accountID, []string{amr}, mfaState{}
	if proof != "" {
		s.MFA.Proofs = []string{proof}
	}
}

// mailboxProof names the e-mail address or phone number a message went to
// as a proof (see proofOf).
func mailboxProof(acct *storage.Account, phone bool) string {
	if phone {
		return "phone:" + acct.Phone
	}
	return "email:" + strings.ToLower(acct.Email)
}
