// Package route is the contract between authz and selfservice (and the
// account portal) about URLs: the names of the routes one domain sends the
// browser to in another, the step purposes their signed redirects carry,
// and URLs, which builds a path from a named route of the server's router.
// A path is written once, where its domain mounts it; every link and
// redirect is built from the route's name, so the sign-in page's address
// lives in selfservice alone even though authz redirects to it.
//
// It is a leaf (it imports nothing of ours) so that authz, which shares
// only selfservice/session and this package with selfservice, may import
// it.
package route
