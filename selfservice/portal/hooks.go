package portal

import (
	"net/http"

	"foyer/storage"
)

// passwordChangeHidden is the hook for passwordless sign-in: when the
// application's MFA policy makes sign-in passwordless, the security page
// offers no password change (and the post is refused). The MFA work fills
// it in (storage.MFAPolicy.Passwordless); until then it is always false.
func passwordChangeHidden(_ *storage.Application) bool {
	return false
}

// mfaSecurityData is the hook for the security page's MFA section: what it
// returns is the page's .Data.MFA, rendered where account_security.html
// has the comment "MFA methods: added by the MFA work". The MFA work fills
// it in (enrolled methods, enroll/remove, recovery codes); until then the
// section is empty.
func mfaSecurityData(_ *http.Request, _ *viewer) (map[string]any, error) {
	return nil, nil
}
