// Package authz owns Foyer's OAuth 2.0 and OpenID Connect endpoints on
// fosite: authorize (and its resumption after sign-in), token, UserInfo,
// discovery, JWKS and RP-initiated logout. When a request needs the user it
// is parked as an interaction, pending in a sealed cookie of the browser's
// (session.Park; stored by selfservice at the first submit) or, pushed, in
// the database, and the browser is sent to selfservice's sign-in page,
// whose URL authz builds from the named route (selfservice/route) rather
// than knowing its path; any node can resume it.
//
// The endpoints that show pages to the browser are handlerFuncs: they
// write every answer they mean to give (error pages for bad links, OAuth
// error redirects through authorizeError) and return the failures they
// cannot answer. Mount wraps them with serve, the package's one rendering
// path for those: it logs the error with the request's context and shows
// the themed error page without internals.
//
// Each page's template data is a struct (pages.go); New trial-renders
// every template with samples of them (one per branch), so a theme whose
// template reads a field the struct lacks fails start-up.
//
// VerifiedClaims (verifiedclaims.go) is the ClaimSource of identity
// assurance: for the verified_claims scope it releases the account's
// current manual identity verification as OpenID Connect for Identity
// Assurance's verified_claims (trust framework foyer_manual, the policy
// and method as the assurance process, no personal data as verified
// claims); discovery advertises it.
//
// Organizational sign-in (orgsignin.go, orgpicker.go): a client of an
// organizational application signs the account in to one organization in
// which it holds a role (named by the client's organization parameter,
// the only one, or chosen on the picker, an interaction step like
// consent). The organization's id is kept in the grant's Session, and its
// claims (org_id, org_name, roles as an array) are read again on refresh
// and at UserInfo; no ClaimSource may replace them.
package authz
