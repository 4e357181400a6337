package manage

// TEMPORARY: the lead's foundation (admin/manage/accounts.go) defines
// Labels; this copy of its contract lets the account search build until
// the foundation lands on main. Delete this file when merging it.

import "foyer/storage"

// Label is a status label of an account.
type Label string

// The labels of the account list and profile.
const (
	LabelEnabled         Label = "enabled"
	LabelDisabled        Label = "disabled"
	LabelPending         Label = "pending"
	LabelEmailVerified   Label = "email_verified"
	LabelEmailUnverified Label = "email_unverified"
	LabelExternal        Label = "external_identity"
)

// Labels are the account's status labels.
func Labels(acct *storage.Account, external bool) []Label {
	var out []Label
	switch acct.Status {
	case storage.AccountEnabled:
		out = append(out, LabelEnabled)
	case storage.AccountDisabled:
		out = append(out, LabelDisabled)
	case storage.AccountPending:
		out = append(out, LabelPending)
	}
	if acct.Email != "" {
		if acct.EmailConfirmed {
			out = append(out, LabelEmailVerified)
		} else {
			out = append(out, LabelEmailUnverified)
		}
	}
	if external {
		out = append(out, LabelExternal)
	}
	return out
}
