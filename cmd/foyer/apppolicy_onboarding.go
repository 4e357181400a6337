package main

import (
	"flag"
	"strings"
	"time"

	"foyer/storage"
)

// onboardingFlags adds "app policy set"'s flags of the policy's onboarding
// part (organizations and invitations); onOff and duration are
// policyFlags' own helpers.
func onboardingFlags(fs *flag.FlagSet, edits *[]policyEdit,
	onOff func(name, usage string, field func(*storage.SelfServicePolicy) *bool),
	duration func(name, usage string, field func(*storage.SelfServicePolicy) *time.Duration)) {
	type P = storage.SelfServicePolicy
	role := func(name, usage string, field func(*P) *string) {
		fs.Func(name, usage+" (a role id of the application's identity store; \"\" for none)", func(v string) error {
			*edits = append(*edits, func(p *P) { *field(p) = strings.TrimSpace(v) })
			return nil
		})
	}
	onOff("customer-registration", "organizational applications: registration creates a new organization",
		func(p *P) *bool { return &p.Onboarding.CustomerRegistration })
	role("new-organization-role", "the role a new organization's first member gets", func(p *P) *string { return &p.Onboarding.NewOrganizationRoleID })
	onOff("partner-registration", "organizational applications: registration with a partner code joins that partner",
		func(p *P) *bool { return &p.Onboarding.PartnerRegistration })
	role("partner-role", "the role people joining a partner get", func(p *P) *string { return &p.Onboarding.PartnerRoleID })
	duration("invitation-lifetime", "how long invitation links work", func(p *P) *time.Duration { return &p.Onboarding.InvitationLifetime })
	onOff("invitee-may-change-email", "invitees may sign up with another address than the one invited",
		func(p *P) *bool { return &p.Onboarding.InviteeMayChangeEmail })
}

// withRole adds the role id to an on/off word.
func withRole(word, roleID string) string {
	if roleID == "" {
		return word
	}
	return word + " (role " + roleID + ")"
}
