package regulate

import "time"

// The rules. Each key prefix separates its rule's counters in the shared
// table; the prefixes and the digests are those the flows used before
// this package existed, so counts in flight at an upgrade carry over.
var (
	// SignIn limits password tries per identifier typed within an identity
	// store (subject: store ID, identifier), whether or not it names an
	// account, so a lockout never tells an existing account from a missing
	// one. Cleared by a right password.
	SignIn = Rule{Name: "sign-in", prefix: "", foldLast: true,
		Tiers: []Tier{{Max: 10, Window: 15 * time.Minute}}}

	// SecondFactor is the growing MFA lockout per account and method
	// (subject: account ID or "identifier:"+SignIn key, method): five
	// quick misses cost minutes, twenty cost a day. Cleared by a success.
	SecondFactor = Rule{Name: "second-factor", prefix: "mfa",
		Tiers: []Tier{{Max: 5, Window: 5 * time.Minute}, {Max: 10, Window: time.Hour}, {Max: 20, Window: 24 * time.Hour}}}

	// OneTimeCode limits tries at one sign-in, MFA or reset code over its
	// life (subject: the secret's ID; AttemptSince its creation): six
	// digits give a guesser five chances in a million, and the fifth wrong
	// try spends the code. (The prefix predates MFA codes.)
	OneTimeCode = Rule{Name: "one-time-code", prefix: "reset-code",
		Tiers: []Tier{{Max: 5}}}

	// AccountResetCodes bounds tries at an account's reset codes across
	// codes (subject: account ID): without it a guesser could request a
	// new code after every five misses and keep going. Two codes' worth an
	// hour leaves a customer who mistypes room.
	AccountResetCodes = Rule{Name: "account-reset-codes", prefix: "reset-code-account",
		Tiers: []Tier{{Max: 10, Window: time.Hour}}}

	// SignupNotice allows one "someone tried to sign up" notice per
	// address typed at registration (subject: the address) per ten
	// minutes: anyone can type any address again and again.
	SignupNotice = Rule{Name: "signup-notice", prefix: "signup-identifier-taken", foldLast: true,
		Tiers: []Tier{{Max: 1, Window: 10 * time.Minute}}}

	// ContactCode limits tries at one code confirming a new e-mail address
	// or phone number in the account portal over its life (subject: the
	// secret's ID).
	ContactCode = Rule{Name: "contact-code", prefix: "portal-contact-code",
		Tiers: []Tier{{Max: 5}}}

	// PortalPassword limits password changes per account in the portal
	// (subject: account ID): the current password is a secret a thief with
	// the session would like to test. Cleared by a change.
	PortalPassword = Rule{Name: "portal-password", prefix: "portal-password",
		Tiers: []Tier{{Max: 5, Window: 15 * time.Minute}}}

	// PartnerCodeFlow limits partner codes tried with one registration
	// link (subject: the link): codes are guessable only by volume.
	PartnerCodeFlow = Rule{Name: "partner-code-flow", prefix: "partner-code-flow",
		Tiers: []Tier{{Max: 5, Window: 15 * time.Minute}}}

	// PartnerCodeAddress limits partner codes tried from one client
	// address (subject: IP) across links.
	PartnerCodeAddress = Rule{Name: "partner-code-address", prefix: "partner-code-address",
		Tiers: []Tier{{Max: 20, Window: time.Hour}}}

	// OrganizationSignupLink limits registration links (or "someone tried
	// to sign up" notices) sent to one address typed at organization
	// registration (subject: the address): anyone can type any address.
	OrganizationSignupLink = Rule{Name: "organization-signup-link", prefix: "organization-signup-link", foldLast: true,
		Tiers: []Tier{{Max: 3, Window: 15 * time.Minute}}}
)

// Rules lists every rule, for tests and documentation.
func Rules() []Rule {
	return []Rule{SignIn, SecondFactor, OneTimeCode, AccountResetCodes, SignupNotice, ContactCode, PortalPassword,
		PartnerCodeFlow, PartnerCodeAddress, OrganizationSignupLink}
}
