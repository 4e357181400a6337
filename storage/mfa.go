package storage

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// MFA modes of an application.
const (
	MFAOff      = "off"      // no second factor asked for
	MFAOptional = "optional" // enrolled factors are used; enrollment is offered
	MFARequired = "required" // every sign-in ends with a second factor
)

// MFA methods an application may allow. The names are the ones customers
// pick between at the MFA step and operators list in the policy.
const (
	MethodTOTP      = "totp"       // authenticator app
	MethodEmailCode = "email"      // code by e-mail
	MethodEmailLink = "email_link" // magic link by e-mail
	MethodSMSCode   = "sms"        // code by SMS
	MethodSMSLink   = "sms_link"   // magic link by SMS
	MethodVoiceCode = "voice"      // code read out by a voice call
	MethodPasskey   = "passkey"    // WebAuthn credential
)

// AllMFAMethods lists every method, in the order pages offer them.
var AllMFAMethods = []string{MethodPasskey, MethodTOTP, MethodEmailCode, MethodEmailLink,
	MethodSMSCode, MethodSMSLink, MethodVoiceCode}

// ErrInvalidMFAPolicy wraps every problem MFAPolicy.Validate finds.
var ErrInvalidMFAPolicy = errors.New("invalid MFA policy")

// MFAPolicy is an application's multi-factor policy. The zero value reads
// back as DefaultMFAPolicy (off, every method allowed).
type MFAPolicy struct {
	Mode    string   `json:"mode"`
	Methods []string `json:"methods"`
	// Passwordless makes the first factor a passkey, or a code or magic
	// link sent to the account's confirmed address; no password is asked
	// for and the portal offers no password change.
	Passwordless bool `json:"passwordless"`
}

// DefaultMFAPolicy is what an application without a stored policy gets.
func DefaultMFAPolicy() MFAPolicy {
	return MFAPolicy{Mode: MFAOff, Methods: slices.Clone(AllMFAMethods)}
}

// WithDefaults fills in what is unset.
func (p MFAPolicy) WithDefaults() MFAPolicy {
	if p.Mode == "" {
		p.Mode = MFAOff
	}
	if len(p.Methods) == 0 {
		p.Methods = slices.Clone(AllMFAMethods)
	}
	return p
}

// Allows reports whether the method is allowed.
func (p MFAPolicy) Allows(method string) bool {
	return slices.Contains(p.WithDefaults().Methods, method)
}

// Validate reports every problem at once.
func (p MFAPolicy) Validate() error {
	var problems []string
	switch p.Mode {
	case MFAOff, MFAOptional, MFARequired:
	default:
		problems = append(problems, fmt.Sprintf("mode %q is not off, optional or required", p.Mode))
	}
	for _, m := range p.Methods {
		if !slices.Contains(AllMFAMethods, m) {
			problems = append(problems, fmt.Sprintf("unknown method %q (known: %s)", m, strings.Join(AllMFAMethods, ", ")))
		}
	}
	if len(p.Methods) == 0 {
		problems = append(problems, "at least one method must be allowed")
	}
	if p.Passwordless && !slices.ContainsFunc(p.Methods, func(m string) bool {
		return m == MethodPasskey || m == MethodEmailCode || m == MethodEmailLink || m == MethodSMSCode || m == MethodSMSLink
	}) {
		problems = append(problems, "passwordless needs passkey, email, email_link, sms or sms_link among the methods")
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", ErrInvalidMFAPolicy, strings.Join(problems, "; "))
	}
	return nil
}

// Authenticator kinds: what an account enrolled. One e-mail authenticator
// serves e-mail codes and links, one phone authenticator SMS and voice.
const (
	AuthenticatorTOTP    = "totp"
	AuthenticatorEmail   = "email"
	AuthenticatorPhone   = "phone"
	AuthenticatorPasskey = "passkey"
)

// Authenticator is one enrolled second factor (or passkey) of an account.
type Authenticator struct {
	ID        string
	AccountID string
	Kind      string
	Name      string // the customer's label, e.g. "YubiKey" or "Phone"
	// Address is the e-mail address or E.164 phone number codes go to.
	Address string
	// Secret is sealed (encrypted, bound to account and purpose): the TOTP
	// secret, or the WebAuthn credential as JSON.
	Secret []byte
	// CredentialID is a passkey's WebAuthn credential id (unique).
	CredentialID []byte
	// Counter is the last TOTP step used (replay refusal) or a passkey's
	// signature counter.
	Counter    int64
	CreatedAt  time.Time
	LastUsedAt *time.Time
}
