package selfservice

import "foyer/storage"

// The amr values Foyer sets, all registered by RFC 8176 section 2
// (relying parties match them by name, so nothing of our own invention,
// such as "email", may reach the claim). Passkeys add "hwk" or "swk"
// (mfa.AMR).
const (
	amrPassword = "pwd" // a password
	amrOTP      = "otp" // a one-time code or link: TOTP, e-mail, recovery code
	amrSMS      = "sms" // a code or link by SMS
	amrTel      = "tel" // a code read out by a voice call
	amrMFA      = "mfa" // two factors were used
)

// amrOf is the RFC 8176 method reference a method adds to the amr. Any
// secret sent by e-mail (a code, a magic link, a reset or activation link)
// proves the mailbox like a one-time code: "otp".
func amrOf(method string) string {
	switch method {
	case storage.MethodSMSCode, storage.MethodSMSLink:
		return amrSMS
	case storage.MethodVoiceCode:
		return amrTel
	}
	return amrOTP
}
