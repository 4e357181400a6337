package selfservice

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"foyer/storage"
)

// mfaChoice is one way to prove a second factor, as the MFA step offers it.
type mfaChoice struct {
	Method        string // a storage.Method*, or methodRecovery
	Authenticator string // the enrolled authenticator it uses, if any
	Hint          string // masked address or the authenticator's name
}

// Value is the chooser button's value.
func (c mfaChoice) Value() string { return c.Method + "|" + c.Authenticator }

// methodRecovery is a recovery code: offered only next to a real factor.
const methodRecovery = "recovery"

// Purposes of the one-time secrets the MFA steps use.
// Codes and links of the MFA step and of passwordless sign-in are kept
// apart, so one can never stand in for the other, and each has its own
// re-request throttle.
const (
	purposeMFACode      = "mfa_code"
	purposeMFALink      = "mfa_link"
	purposeLoginCode    = "login_code"
	purposeLoginLink    = "login_link"
	purposeRecoveryCode = "recovery_code"
)

// signInPurposes names a code purpose and its link purpose.
type signInPurposes struct{ code, link string }

var (
	mfaPurposes   = signInPurposes{purposeMFACode, purposeMFALink}
	loginPurposes = signInPurposes{purposeLoginCode, purposeLoginLink}
)

// written is the purpose a send for the method stores its secret under
// (a link method stores no code): the re-request throttle follows the
// newest secret of that purpose, so it must be the one written.
func (p signInPurposes) written(method string) string {
	if method == storage.MethodEmailLink || method == storage.MethodSMSLink {
		return p.link
	}
	return p.code
}

// methodsOf lists the methods an authenticator kind serves.
func methodsOf(kind string) []string {
	switch kind {
	case storage.AuthenticatorTOTP:
		return []string{storage.MethodTOTP}
	case storage.AuthenticatorEmail:
		return []string{storage.MethodEmailCode, storage.MethodEmailLink}
	case storage.AuthenticatorPhone:
		return []string{storage.MethodSMSCode, storage.MethodVoiceCode, storage.MethodSMSLink}
	case storage.AuthenticatorPasskey:
		return []string{storage.MethodPasskey}
	}
	return nil
}

// proofOf names the factor an authenticator proves, so a mailbox used for
// the first factor (a reset link, a passwordless code) cannot count again
// as the second.
func proofOf(a storage.Authenticator) string {
	switch a.Kind {
	case storage.AuthenticatorEmail:
		return "email:" + strings.ToLower(a.Address)
	case storage.AuthenticatorPhone:
		return "phone:" + a.Address
	}
	return a.Kind + ":" + a.ID
}

// choices lists what the account can prove at the MFA step, leaving out
// factors this sign-in already used. Every enrolled factor is offered: the
// policy's methods pick among the ways to use one (a code or a link by
// e-mail, say), but a factor none of whose methods the policy lists is
// still offered by its first one, since refusing it would leave the
// account without a way to prove what it enrolled elsewhere. Recovery
// codes are offered to an account with a factor.
func (s mfaStep) choices(ctx context.Context, acct *storage.Account, pol storage.MFAPolicy, proofs []string) ([]mfaChoice, error) {
	auths, err := s.store.ListAuthenticators(ctx, acct.ID)
	if err != nil {
		return nil, fmt.Errorf("selfservice: list authenticators: %w", err)
	}
	var out []mfaChoice
	passkey := false
	for _, a := range auths {
		if slices.Contains(proofs, proofOf(a)) {
			continue
		}
		methods := methodsOf(a.Kind)
		if allowed := slices.DeleteFunc(slices.Clone(methods), func(m string) bool { return !pol.Allows(m) }); len(allowed) > 0 {
			methods = allowed
		} else {
			methods = methods[:1]
		}
		for _, m := range methods {
			if m == storage.MethodPasskey {
				// One button for every passkey: the browser lets the
				// customer pick.
				if !passkey {
					out = append(out, mfaChoice{Method: m})
				}
				passkey = true
				continue
			}
			out = append(out, mfaChoice{Method: m, Authenticator: a.ID, Hint: hintOf(a)})
		}
	}
	if len(auths) == 0 {
		return nil, nil
	}
	n, err := s.store.CountUsableOneTimeSecrets(ctx, acct.ID, purposeRecoveryCode, s.now().UTC())
	if err != nil {
		return nil, fmt.Errorf("selfservice: count recovery codes: %w", err)
	}
	if n > 0 {
		out = append(out, mfaChoice{Method: methodRecovery})
	}
	return out, nil
}

// hintOf shows which authenticator a choice uses without spelling out the
// whole address on a page anyone at the screen can read.
func hintOf(a storage.Authenticator) string {
	switch a.Kind {
	case storage.AuthenticatorEmail:
		return maskEmail(a.Address)
	case storage.AuthenticatorPhone:
		return maskPhone(a.Address)
	}
	return a.Name
}

func maskEmail(s string) string {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" {
		return "***"
	}
	return local[:1] + "***@" + domain
}

func maskPhone(s string) string {
	if len(s) <= 4 {
		return "***"
	}
	return strings.Repeat("•", len(s)-4) + s[len(s)-4:]
}

// Seal purposes: a sealed value opens only for its account and purpose.
const (
	sealTOTP        = "totp"
	sealTOTPPending = "totp-pending"
	sealPasskey     = "passkey"
)

// accountName is how authenticator apps and passkey pickers name the
// account.
func accountName(a *storage.Account) string {
	switch {
	case a.Email != "":
		return a.Email
	case a.Username != "":
		return a.Username
	}
	return a.Phone
}
