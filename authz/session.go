package authz

import (
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/openid"
	"github.com/ory/fosite/token/jwt"

	"foyer/storage"
)

// Session is the fosite session Foyer stores with every grant: the OpenID
// Connect claims plus the SSO session the grant was made under.
type Session struct {
	*openid.DefaultSession
	SID string `json:"sid,omitempty"`
	// OrgID is the organization an organizational client's grant was
	// signed in to: a refresh reads the account's roles there again.
	OrgID string `json:"org_id,omitempty"`
}

func newSession() *Session {
	return &Session{DefaultSession: openid.NewDefaultSession()}
}

// SSOSessionID lets fositestore index tokens by SSO session.
func (s *Session) SSOSessionID() string { return s.SID }

// Clone keeps the SID, which openid.DefaultSession's Clone would drop.
func (s *Session) Clone() fosite.Session {
	if s == nil {
		return nil
	}
	c := *s
	if s.DefaultSession != nil {
		c.DefaultSession = s.DefaultSession.Clone().(*openid.DefaultSession)
	}
	return &c
}

// displayName is the account's human-readable identifier (introspection's
// "username"): the username if it has one, else the e-mail address.
func displayName(acct *storage.Account) string {
	if acct.Username != "" {
		return acct.Username
	}
	return acct.Email
}

// sessionFor builds the grant's session from the account and the SSO
// session. requestedAt is when the authorization request arrived: fosite
// checks prompt=login and max_age against it.
func sessionFor(issuer string, acct *storage.Account, sso *storage.Session, requestedAt time.Time) *Session {
	return &Session{
		SID: sso.ID,
		DefaultSession: &openid.DefaultSession{
			Subject:  acct.ID,
			Username: displayName(acct),
			Headers:  &jwt.Headers{},
			Claims: &jwt.IDTokenClaims{
				Issuer:                              issuer,
				Subject:                             acct.ID,
				AuthTime:                            sso.AuthTime.UTC(),
				RequestedAt:                         requestedAt.UTC(),
				AuthenticationContextClassReference: sso.ACR,
				AuthenticationMethodsReferences:     registeredAMR(sso.AMR),
				Extra:                               map[string]interface{}{"sid": sso.ID},
			},
		},
	}
}

// registeredAMR is amr without the values RFC 8176 section 2 does not
// register; nil when none is left (no amr claim). Relying parties match
// amr values by name, so tokens carry no others: a session's own "ext" (a
// first factor proved by an upstream provider) stays inside Foyer.
func registeredAMR(amr []string) []string {
	var out []string
	for _, v := range amr {
		switch v {
		case "face", "fpt", "geo", "hwk", "iris", "kba", "mca", "mfa", "otp", "pin", "pop", "pwd", "rba", "retina",
			"sc", "sms", "swk", "tel", "user", "vbm", "wia":
			out = append(out, v)
		}
	}
	return out
}
