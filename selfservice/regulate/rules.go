package regulate

import "time"

// The rules. Each key prefix separates its rule's counters in the shared
// table; the prefixes and the digests are those the flows used before
// this package existed, so counts in flight at an upgrade carry over.
var (
	// SignIn counts wrong passwords per identifier typed within an identity
	// store (subject: store ID, identifier), from anywhere, whether or not
	// it names an account, so a hold never tells an existing account from
	// a missing one. It does not refuse the owner: once it is full the
	// identifier is *guarded* — only a source (an IP address) without a
	// failure of its own for it within the window has its password
	// checked, and tries made while guarded are not counted, so guessers
	// cannot keep it full for ever (see the password step). Cleared by a
	// right password.
	SignIn = Rule{Name: "sign-in", prefix: "", foldLast: true,
		Tiers: []Tier{{Max: 10, Window: 15 * time.Minute}}}

	// SignInSource locks one identifier for one client address (subject:
	// store ID, IP, identifier): the guesser is held back, the owner
	// elsewhere is not. Cleared by a right password.
	SignInSource = Rule{Name: "sign-in-source", prefix: "sign-in-source", foldLast: true,
		Tiers: []Tier{{Max: 10, Window: 15 * time.Minute}}}

	// SignInAddress bounds wrong passwords from one client address across
	// every identifier (subject: IP): credential stuffing tries many
	// accounts once each. Checked before the password is hashed.
	SignInAddress = Rule{Name: "sign-in-address", prefix: "sign-in-address",
		Tiers: []Tier{{Max: 30, Window: 5 * time.Minute}, {Max: 100, Window: time.Hour}}}

	// SignInGlobal is the guess budget of the whole installation (no
	// subject): wrong passwords from everywhere. A spread-out attack
	// costs argon2id work on every node; past the budget tries are
	// refused before hashing.
	SignInGlobal = Rule{Name: "sign-in-global", prefix: "sign-in-global",
		Tiers: []Tier{{Max: 600, Window: time.Minute}}}

	// FailureBurst counts wrong passwords for an account (subject: account
	// ID); reaching the limit is a burst its owner is told of.
	FailureBurst = Rule{Name: "failure-burst", prefix: "failure-burst",
		Tiers: []Tier{{Max: 10, Window: time.Hour}}}

	// BurstNotice allows one burst e-mail per account (subject: account
	// ID) a day: a sustained attack is one message, not one an hour.
	BurstNotice = Rule{Name: "burst-notice", prefix: "failure-burst-notice",
		Tiers: []Tier{{Max: 1, Window: 24 * time.Hour}}}

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

	// OrganizationInvitation limits the invitation e-mails one
	// organization administrator has the account portal send, new and
	// resent (subject: the administrator's account ID): anyone who
	// registers a company administers one and chooses its name and the
	// addresses. As many as the send caps let one client address have
	// sent (20 an hour, 100 a day).
	OrganizationInvitation = Rule{Name: "organization-invitation", prefix: "organization-invitation",
		Tiers: []Tier{{Max: 20, Window: time.Hour}, {Max: 100, Window: 24 * time.Hour}}}
)

// Rules lists every rule, for tests and documentation.
func Rules() []Rule {
	return []Rule{SignIn, SignInSource, SignInAddress, SignInGlobal, FailureBurst, BurstNotice, SecondFactor, OneTimeCode,
		AccountResetCodes, SignupNotice, ContactCode, PortalPassword, PartnerCodeFlow, PartnerCodeAddress, OrganizationSignupLink,
		OrganizationInvitation}
}
