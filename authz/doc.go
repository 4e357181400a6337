// Package authz owns Foyer's OAuth 2.0 and OpenID Connect endpoints on
// fosite: authorize (and its resumption after sign-in), token, UserInfo,
// discovery, JWKS and RP-initiated logout. When a request needs the user it
// is parked as an interaction in the database and the browser is sent to
// selfservice's sign-in page, whose URL authz builds from the named route
// (selfservice/route) rather than knowing its path; any node can resume it.
package authz
