// Package session is the only code that reads or writes Foyer's SSO session
// cookie. The cookie holds a random value; the database row is keyed by its
// SHA-256, so a leaked table yields no usable cookie. The package also signs
// the redirects between flow steps (an HMAC over the interaction and the step
// it is for), because both authz and selfservice issue and check them (the
// purposes they share are named in selfservice/route). Every way a session ends (logout, the account
// portal, an admin) goes through Manager.End, EndByID or EndByAccount, which
// queue the back-channel logout notices in the transaction that deletes it.
// Cookies decides the name and attributes of every cookie Foyer sets (the
// session's, selfservice's flow binding, the portal's): "__Host-" names on
// an https issuer, for the same reason it is shared. For that reason too it
// owns the acr values ("1", "2") and MFADemand, the one rule for whether a
// sign-in satisfies an application's MFA policy, which the authorization
// endpoint, the sign-in's MFA gate and the account portal all apply.
package session
