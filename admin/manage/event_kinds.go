package manage

// EventKinds are the kinds of account events Foyer writes (the activity
// log's "kind"), grouped by their prefix. The console names each by the
// catalog key admin.account.event.<kind> and shows any other kind (a
// newer or a custom one) as it is stored.
func EventKinds() []string {
	return []string{
		"login.succeeded", "login.failed", "login.passkey", "logout",
		"mfa.succeeded", "mfa.failed", "mfa.locked", "mfa.enrolled", "mfa.enroll_failed", "mfa.removed",
		"mfa.recovery_codes_created", "mfa.recovery_codes_regenerated", "mfa.recovery_code_used",
		"password_reset.requested", "password_reset.failed", "password_reset.completed",
		"username_reminder.requested",
		"account.registered", "account.activated", "account.activation_resent", "account.signup_attempt_existing",
		"account.profile_updated", "account.email_change_requested", "account.email_changed",
		"account.phone_change_requested", "account.phone_changed", "account.password_changed",
		"account.identity_unlinked", "account.session_ended", "account.other_sessions_ended",
		"account.grant_revoked", "account.consent_in", "account.consent_out",
		"consent.granted", "consent.denied", "authorize.denied_group",
		"external.signin", "external.registered", "external.linked", "external.unlinked",
	}
}

// EventKindGroups are the prefixes the activity filter offers ("login."
// matches every login.* kind).
func EventKindGroups() []string {
	return []string{"login.", "mfa.", "password_reset.", "account.", "consent.", "authorize.", "external."}
}
