package storage

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
)

// ErrInvalidPolicy wraps every problem Validate finds in a policy.
var ErrInvalidPolicy = errors.New("invalid self-service policy")

// Bounds of a self-service policy, checked by Validate.
const (
	// MinPolicyLifetime keeps links and codes alive long enough to arrive:
	// mail and SMS delivery routinely take tens of seconds.
	MinPolicyLifetime = time.Minute
	// MaxResetLinkLifetime bounds a password-reset link: it is a bearer
	// credential for the account, so it must not outlive a day.
	MaxResetLinkLifetime = 24 * time.Hour
	// MaxActivationLinkLifetime bounds an activation link. It only proves
	// the address of an account nobody can sign in to yet, so it may live
	// longer than a reset link, but a week is as long as anyone waits.
	MaxActivationLinkLifetime = 7 * 24 * time.Hour
	// MaxInvitationLifetime bounds an invitation: it lets its holder
	// create an account with roles decided by someone else.
	MaxInvitationLifetime = 30 * 24 * time.Hour
	// MaxOneTimeCodeLifetime bounds codes: a short code (six digits) can be
	// guessed given time, so it must not live long.
	MaxOneTimeCodeLifetime = time.Hour
	// MinReRequestInterval and MaxReRequestInterval bound the throttle on
	// new links and codes: below a second it throttles nothing, above an
	// hour it locks out a customer whose message got lost.
	MinReRequestInterval = time.Second
	MaxReRequestInterval = time.Hour
	// MinPasswordLength is NIST SP 800-63B's floor for chosen passwords.
	MinPasswordLength = 8
	// MaxPasswordLengthLimit is the largest maximum an operator may set:
	// argon2id hashes every byte it is given, so an unbounded input is a
	// cheap way to burn the server's CPU.
	MaxPasswordLengthLimit = 1024
)

// RecoveryMethods says which account-recovery flows an application offers.
type RecoveryMethods struct {
	ResetByEmailLink bool `json:"reset_by_email_link"`
	ResetByPhoneCode bool `json:"reset_by_phone_code"`
	UsernameReminder bool `json:"username_reminder"`
}

// PasswordPolicy is what a chosen password (registration, reset) must meet.
type PasswordPolicy struct {
	MinLength             int  `json:"min_length"`
	MaxLength             int  `json:"max_length"` // in bytes, bounding argon2id's input
	RejectCommonPasswords bool `json:"reject_common_passwords"`
}

// SelfServicePolicy is an application's self-service policy: what its
// customers may do on their own, and how long links and codes live.
//
// The zero value means "not set": stores keep it as such and read it back
// as DefaultSelfServicePolicy, so applications created without a policy
// get the defaults. In JSON, lifetimes are whole seconds and absent fields
// take their default.
type SelfServicePolicy struct {
	RegistrationEnabled bool
	// ActivationEnabled makes self-registered accounts confirm their e-mail
	// address by a link before they can sign in. Effective turns it off for
	// identity stores without e-mail identifiers.
	ActivationEnabled      bool
	RecoveryMethods        RecoveryMethods
	ResetLinkLifetime      time.Duration
	ActivationLinkLifetime time.Duration
	OneTimeCodeLifetime    time.Duration
	// ReRequestInterval is the least time between two links or codes sent
	// to one account over one channel.
	ReRequestInterval time.Duration
	// AllowUnconfirmedContacts lets recovery messages go to e-mail
	// addresses and phone numbers no one has proven to own.
	AllowUnconfirmedContacts bool
	PasswordPolicy           PasswordPolicy
	// Onboarding is how people join organizations and accept invitations.
	Onboarding Onboarding
	// External is which upstream identity providers its pages offer.
	External ExternalSignIn
}

// ExternalSignIn is the part of the self-service policy about signing in
// with upstream identity providers (storage/upstream.go).
type ExternalSignIn struct {
	// Providers are the IDs of the upstream providers (of the
	// application's identity store) whose buttons the sign-in and
	// registration pages show, in this order.
	Providers []string `json:"providers"`
	// TrustMFA are the providers among them whose multi-factor sign-in
	// counts as Foyer's second factor: when the upstream's amr says it
	// did MFA, the MFA policy asks for no other factor.
	TrustMFA []string `json:"trust_mfa"`
	// Invitations lets invitees accept an invitation by signing in with
	// one of the providers.
	Invitations bool `json:"invitations"`
}

// Onboarding is the part of the self-service policy about organizations
// (seed 003) and invitations (seed 004).
type Onboarding struct {
	// CustomerRegistration (organizational applications): "Create new
	// account" registers a new organization with its first member, who gets
	// NewOrganizationRoleID there (an organization administrator role).
	CustomerRegistration  bool
	NewOrganizationRoleID string
	// PartnerRegistration (organizational applications): registration
	// with a partner code joins that partner with PartnerRoleID.
	PartnerRegistration bool
	PartnerRoleID       string
	// InvitationLifetime is how long an invitation link works.
	InvitationLifetime time.Duration
	// InviteeMayChangeEmail lets an invitee sign up with another address
	// than the one invited; when false the invited address is read-only.
	InviteeMayChangeEmail bool
}

// onboardingJSON is Onboarding's JSON form, the lifetime in seconds.
type onboardingJSON struct {
	CustomerRegistration  bool   `json:"customer_registration"`
	NewOrganizationRoleID string `json:"new_organization_role_id"`
	PartnerRegistration   bool   `json:"partner_registration"`
	PartnerRoleID         string `json:"partner_role_id"`
	InvitationLifetime    int64  `json:"invitation_lifetime_seconds"`
	InviteeMayChangeEmail bool   `json:"invitee_may_change_email"`
}

// DefaultSelfServicePolicy is the policy of an application that set none.
func DefaultSelfServicePolicy() SelfServicePolicy {
	return SelfServicePolicy{
		RegistrationEnabled: true,
		// The product documents require activation of every self-registered
		// account.
		ActivationEnabled: true,
		RecoveryMethods:   RecoveryMethods{ResetByEmailLink: true, ResetByPhoneCode: true, UsernameReminder: true},
		ResetLinkLifetime: 60 * time.Minute,
		// A day: a customer who registers in the evening may open the mail
		// next morning, and the link proves only the address of an account
		// that cannot sign in yet, so a longer life risks little.
		ActivationLinkLifetime: 24 * time.Hour,
		// Ten minutes covers a slow SMS without giving a guesser much time.
		OneTimeCodeLifetime: 10 * time.Minute,
		ReRequestInterval:   20 * time.Second,
		PasswordPolicy:      PasswordPolicy{MinLength: MinPasswordLength, MaxLength: 128, RejectCommonPasswords: true},
		// A week: invitees read mail at their own pace.
		Onboarding: Onboarding{InvitationLifetime: 7 * 24 * time.Hour},
	}
}

// IsZero reports whether the policy is unset.
func (p SelfServicePolicy) IsZero() bool { return reflect.ValueOf(p).IsZero() }

// WithDefaults returns the policy with unset parts taken from the
// defaults: the whole default policy for the zero value, otherwise the
// default for each zero lifetime or length (zero is never valid for them,
// and booleans cannot be told apart from an explicit false).
func (p SelfServicePolicy) WithDefaults() SelfServicePolicy {
	d := DefaultSelfServicePolicy()
	if p.IsZero() {
		return d
	}
	for _, f := range []struct{ got, def *time.Duration }{
		{&p.ResetLinkLifetime, &d.ResetLinkLifetime},
		{&p.ActivationLinkLifetime, &d.ActivationLinkLifetime},
		{&p.OneTimeCodeLifetime, &d.OneTimeCodeLifetime},
		{&p.ReRequestInterval, &d.ReRequestInterval},
		{&p.Onboarding.InvitationLifetime, &d.Onboarding.InvitationLifetime},
	} {
		if *f.got == 0 {
			*f.got = *f.def
		}
	}
	if p.PasswordPolicy.MinLength == 0 {
		p.PasswordPolicy.MinLength = d.PasswordPolicy.MinLength
	}
	if p.PasswordPolicy.MaxLength == 0 {
		p.PasswordPolicy.MaxLength = d.PasswordPolicy.MaxLength
	}
	return p
}

// ActivationPossible reports whether accounts of the store can be
// activated: activation links go by e-mail, and a store whose identifier
// types lack email (a username-only store) collects no address. A store
// that names no types is an e-mail store, as sign-in treats it.
func ActivationPossible(store *IdentityStore) bool {
	return store == nil || len(store.IdentifierTypes) == 0 || slices.Contains(store.IdentifierTypes, IdentifierEmail)
}

// Effective is the policy the flows apply to an application whose users
// live in store: activation is never offered where it is not possible,
// whatever the stored policy says.
func (p SelfServicePolicy) Effective(store *IdentityStore) SelfServicePolicy {
	p = p.WithDefaults()
	if !ActivationPossible(store) {
		p.ActivationEnabled = false
	}
	return p
}

// Validate reports every problem of the policy at once, wrapped in
// ErrInvalidPolicy. With a non-nil store it also checks the policy fits
// the application's identity store.
func (p SelfServicePolicy) Validate(store *IdentityStore) error {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	for _, l := range []struct {
		name     string
		got, max time.Duration
	}{
		{"reset link lifetime", p.ResetLinkLifetime, MaxResetLinkLifetime},
		{"activation link lifetime", p.ActivationLinkLifetime, MaxActivationLinkLifetime},
		{"one-time code lifetime", p.OneTimeCodeLifetime, MaxOneTimeCodeLifetime},
		{"invitation lifetime", p.Onboarding.InvitationLifetime, MaxInvitationLifetime},
	} {
		if l.got < MinPolicyLifetime || l.got > l.max {
			bad("%s must be between %v and %v, not %v", l.name, MinPolicyLifetime, l.max, l.got)
		}
	}
	if p.ReRequestInterval < MinReRequestInterval || p.ReRequestInterval > MaxReRequestInterval {
		bad("re-request interval must be between %v and %v, not %v", MinReRequestInterval, MaxReRequestInterval, p.ReRequestInterval)
	}
	// Lifetimes are stored in whole seconds.
	for _, d := range []time.Duration{p.ResetLinkLifetime, p.ActivationLinkLifetime, p.OneTimeCodeLifetime, p.ReRequestInterval, p.Onboarding.InvitationLifetime} {
		if d%time.Second != 0 {
			bad("%v is not a whole number of seconds", d)
		}
	}
	pw := p.PasswordPolicy
	if pw.MinLength < MinPasswordLength {
		bad("password minimum length must be at least %d, not %d", MinPasswordLength, pw.MinLength)
	}
	if pw.MaxLength < pw.MinLength || pw.MaxLength > MaxPasswordLengthLimit {
		bad("password maximum length must be between the minimum (%d) and %d, not %d", pw.MinLength, MaxPasswordLengthLimit, pw.MaxLength)
	}
	for _, id := range p.External.TrustMFA {
		if !slices.Contains(p.External.Providers, id) {
			bad("external sign-in: provider %q is trusted for MFA but not offered", id)
		}
	}
	if p.External.Invitations && len(p.External.Providers) == 0 {
		bad("external sign-in: invitations need at least one provider")
	}
	if p.ActivationEnabled && !ActivationPossible(store) {
		bad("activation cannot be enabled: identity store %q has no email identifier to send activation links to", store.ID)
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", ErrInvalidPolicy, strings.Join(problems, "; "))
	}
	return nil
}

// policyJSON is the policy's JSON form, lifetimes in seconds.
type policyJSON struct {
	RegistrationEnabled      bool            `json:"registration_enabled"`
	ActivationEnabled        bool            `json:"activation_enabled"`
	RecoveryMethods          RecoveryMethods `json:"recovery_methods"`
	ResetLinkLifetime        int64           `json:"reset_link_lifetime_seconds"`
	ActivationLinkLifetime   int64           `json:"activation_link_lifetime_seconds"`
	OneTimeCodeLifetime      int64           `json:"one_time_code_lifetime_seconds"`
	ReRequestInterval        int64           `json:"re_request_interval_seconds"`
	AllowUnconfirmedContacts bool            `json:"allow_unconfirmed_contacts"`
	PasswordPolicy           PasswordPolicy  `json:"password_policy"`
	Onboarding               onboardingJSON  `json:"onboarding"`
	External                 ExternalSignIn  `json:"external"`
}

func seconds(d time.Duration) int64 { return int64(d / time.Second) }

func (p SelfServicePolicy) wire() policyJSON {
	return policyJSON{
		RegistrationEnabled: p.RegistrationEnabled, ActivationEnabled: p.ActivationEnabled,
		RecoveryMethods: p.RecoveryMethods, ResetLinkLifetime: seconds(p.ResetLinkLifetime),
		ActivationLinkLifetime: seconds(p.ActivationLinkLifetime), OneTimeCodeLifetime: seconds(p.OneTimeCodeLifetime),
		ReRequestInterval: seconds(p.ReRequestInterval), AllowUnconfirmedContacts: p.AllowUnconfirmedContacts,
		PasswordPolicy: p.PasswordPolicy,
		Onboarding: onboardingJSON{
			CustomerRegistration: p.Onboarding.CustomerRegistration, NewOrganizationRoleID: p.Onboarding.NewOrganizationRoleID,
			PartnerRegistration: p.Onboarding.PartnerRegistration, PartnerRoleID: p.Onboarding.PartnerRoleID,
			InvitationLifetime: seconds(p.Onboarding.InvitationLifetime), InviteeMayChangeEmail: p.Onboarding.InviteeMayChangeEmail,
		},
		External: ExternalSignIn{Providers: orEmpty(p.External.Providers), TrustMFA: orEmpty(p.External.TrustMFA),
			Invitations: p.External.Invitations},
	}
}

// orEmpty writes a nil list as [], not null.
func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// MarshalJSON writes every field, lifetimes in whole seconds.
func (p SelfServicePolicy) MarshalJSON() ([]byte, error) { return json.Marshal(p.wire()) }

// UnmarshalJSON reads a policy; absent fields (nested ones included) take
// their default, so "{}" and policies written before a field existed read
// as the defaults.
func (p *SelfServicePolicy) UnmarshalJSON(b []byte) error {
	// Decoding into a filled struct keeps whatever the input lacks.
	w := DefaultSelfServicePolicy().wire()
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("decode self-service policy: %w", err)
	}
	*p = SelfServicePolicy{
		RegistrationEnabled: w.RegistrationEnabled, ActivationEnabled: w.ActivationEnabled,
		RecoveryMethods:          w.RecoveryMethods,
		ResetLinkLifetime:        time.Duration(w.ResetLinkLifetime) * time.Second,
		ActivationLinkLifetime:   time.Duration(w.ActivationLinkLifetime) * time.Second,
		OneTimeCodeLifetime:      time.Duration(w.OneTimeCodeLifetime) * time.Second,
		ReRequestInterval:        time.Duration(w.ReRequestInterval) * time.Second,
		AllowUnconfirmedContacts: w.AllowUnconfirmedContacts, PasswordPolicy: w.PasswordPolicy,
		Onboarding: Onboarding{
			CustomerRegistration: w.Onboarding.CustomerRegistration, NewOrganizationRoleID: w.Onboarding.NewOrganizationRoleID,
			PartnerRegistration: w.Onboarding.PartnerRegistration, PartnerRoleID: w.Onboarding.PartnerRoleID,
			InvitationLifetime:    time.Duration(w.Onboarding.InvitationLifetime) * time.Second,
			InviteeMayChangeEmail: w.Onboarding.InviteeMayChangeEmail,
		},
	}
	if len(w.External.Providers) > 0 || len(w.External.TrustMFA) > 0 || w.External.Invitations {
		p.External = w.External
	}
	return nil
}
