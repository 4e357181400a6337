package main

import (
	"flag"
	"strings"

	"foyer/storage"
)

// externalFlags adds "app policy set"'s flags of the policy's external
// sign-in part (issue 16): which upstream providers the pages offer (ids,
// in button order), whose MFA is trusted, and invitations. The service
// checks the ids belong to the application's identity store.
func externalFlags(fs *flag.FlagSet, edits *[]policyEdit, onOff func(name, usage string, field func(*storage.SelfServicePolicy) *bool)) {
	type P = storage.SelfServicePolicy
	ids := func(name, usage string, field func(*P) *[]string) {
		fs.Func(name, usage+" (comma-separated provider ids, see \"foyer idp list\"; \"\" for none)", func(v string) error {
			list := splitIDs(v)
			*edits = append(*edits, func(p *P) { *field(p) = list })
			return nil
		})
	}
	ids("external-providers", "upstream providers the sign-in and registration pages offer, in button order",
		func(p *P) *[]string { return &p.External.Providers })
	ids("external-trust-mfa", "offered providers whose multi-factor sign-in counts as the second factor",
		func(p *P) *[]string { return &p.External.TrustMFA })
	onOff("external-invitations", "invitees may accept with an external identity", func(p *P) *bool { return &p.External.Invitations })
}

// splitIDs reads "a, b" as [a b]; "" is an empty list.
func splitIDs(v string) []string {
	out := []string{}
	for id := range strings.SplitSeq(v, ",") {
		if id = strings.TrimSpace(id); id != "" {
			out = append(out, id)
		}
	}
	return out
}

// externalRows are printPolicy's rows of the external part.
func externalRows(e storage.ExternalSignIn, word func(bool) string) [][2]string {
	list := func(ids []string) string {
		if len(ids) == 0 {
			return "none"
		}
		return strings.Join(ids, ", ")
	}
	return [][2]string{
		{"external providers", list(e.Providers)},
		{"trusted for MFA", list(e.TrustMFA)},
		{"invitees with external identity", word(e.Invitations)},
	}
}
