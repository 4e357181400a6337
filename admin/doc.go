// Package admin owns the admin REST API under /admin/api/v1 (with its
// OpenAPI document) and, later, the admin console pages; both run over the
// same service functions. Its routes live on a subrouter under the prefix;
// the Location of a created client is built from the named route.
//
// The package knows nothing of OAuth or of how clients are validated: it
// asks for a TokenValidator (which authz implements) and a ClientService
// (which cmd/foyer implements over the same code as the CLI), so the import
// rules of ARCHITECTURE.md hold. It owns authorization (the foyer:admin
// scope), the JSON shapes, the error mapping and the audit log entries.
//
// Its endpoints return the failures they cannot answer; serve is the one
// rendering path for them (authorized runs every endpoint through it): it
// logs the error with the request's context and answers 500 server_error
// without the cause. Deliberate 4xx answers are written by the endpoints,
// the service's sentinels mapped by serviceError.
package admin
