// Package admin owns the admin REST API under /admin/api/v1 and its
// OpenAPI 3.1 document. It parses requests and renders answers; every
// operation runs through the service layer in admin/manage, which the
// admin console and the CLI use too (one validation path, one set of role
// and store checks, one audit log).
//
// Authentication (auth.go): a bearer access token, checked by a
// TokenValidator (which authz implements, so this package never imports
// the OAuth server), becomes a manage.Actor: a console token (client
// manage.ConsoleClientID, an administrator's subject) through
// manage.Core.Administrator, a client-credentials token with the
// foyer:admin scope through manage.Core.Client. Anything else is 403, a
// missing or invalid token 401 with a Bearer challenge.
//
// Conventions every resource file follows:
//   - problem.go: errors are RFC 9457 problem documents. Endpoints return
//     writeServiceError(w, r, err), which answers manage's sentinels
//     (*ValidationError 422 with an errors array, ErrForbidden 403,
//     ErrNotFound 404, ErrConflict 409, ErrStale 412) and the request's
//     own errors (errBadRequest 400, errIfMatchRequired 428), and returns
//     anything else for serve, the one rendering path for failures, to log
//     and answer 500 without its cause.
//   - paging.go: lists answer {"items", "next_cursor"}; pageParams reads
//     limit and the opaque cursor (base64url of the last item's sort key).
//     The configuration lists (stores, groups, roles, organizations,
//     applications, policies) also take q and sort (listing.go) and pass
//     them to the services' ListBy; their cursor wraps the service's
//     position, and one of another q or sort is a 400.
//   - etag.go: a resource's version is its strong ETag; updates read
//     If-Match with ifMatch. Administrators and a client's roles have a
//     computed version (manage.Administrator.Version, ClientRoles.Version)
//     and take If-Match the same way.
//   - Each resource registers its routes in mountX (called from Mount)
//     and describes them in openapi/<resource>.json; openapi.go merges
//     the fragments into openapi/base.json at start, refusing duplicates
//     and dangling $refs, and a test compares the document with the
//     router both ways.
//
// Applications (applications.go) and named policies (policies.go) are
// manage.Applications and manage.Policies over HTTP; a PUT may send back
// what a GET returned (read-only fields ignored).
//
// Identity stores (stores.go) are manage.Stores over HTTP; the groups,
// roles and organizations each store defines (groups.go, roles.go,
// organizations.go) share one generic set of five endpoints under
// /stores/{store}/<plural> (storeparts.go), given the resource's service
// methods and version.
//
// A store's customer invitations (invitations.go) are
// manage.Invitations over HTTP: list, send, read, resend, revoke, and the
// clients an invitation may name.
// Partner codes (partner_codes.go, under an organization) and partner
// lookup webhooks (partner_lookup.go, under an application) show their
// secret only in the answer that made it, with Cache-Control: no-store.
//
// Requests no route takes are problems too: 405 with Allow where the path
// exists, else 404 (unrouted, the API subrouter's NotFoundHandler).
package admin
