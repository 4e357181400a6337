// Package session is the only code that reads or writes Foyer's SSO session
// cookie. Manager reads and writes it through a gorilla/sessions Store over
// Foyer's storage (ssoStore): the cookie holds a random value signed by
// gorilla/securecookie with the time it was set (Config.Key, derived from
// FOYER_SECRET), and the database row is keyed by the value's SHA-256, so a
// leaked table yields no usable cookie. The browser binding (BindBrowser) is
// signed the same way, and NewStateCodec gives other packages' short-lived
// state cookies (the portal's sign-in state) a codec that checks their age
// inside the signature. securecookie checks ages against the wall clock,
// not Config.Now: row expiry and idle time stay on the injected clock, and
// tests of a cookie's age stamp it in the past (sessiontest.SignedAt). A
// bare unsigned value, as Foyer set before signing, is still read (readToken)
// so a rolling upgrade signs nobody out. StepSigner.SealUntil/OpenAt remain
// for state that must expire on the injected clock. The package also signs
// the redirects between flow steps (an HMAC over the interaction and the step
// it is for), because both authz and selfservice issue and check them (the
// purposes they share are named in selfservice/route). Every way a session ends (logout, the account
// portal, an admin) goes through Manager.End, EndByID or EndByAccount, which
// queue the back-channel logout notices in the transaction that deletes it,
// or through EndInTx and EndAccountInTx inside a transaction the caller
// began (an administrator's change, which commits with its audit entry).
// Cookies decides the name and attributes of every cookie Foyer sets (the
// session's, selfservice's flow binding, the portal's): "__Host-" names on
// an https issuer, for the same reason it is shared. For that reason too it
// owns the acr values ("1", "2") and MFADemand, the one rule for whether a
// sign-in satisfies an application's MFA policy, which the authorization
// endpoint, the sign-in's MFA gate and the account portal all apply.
// And it keeps pending interactions (pending.go): the sign-in requests no
// page has been submitted for yet live in a sealed cookie each, not in the
// database, and LoadInteraction is the one loader of an interaction for a
// page, the row or else that cookie; authz parks them, selfservice stores
// them.
package session
