package admin

import (
	_ "embed"
	"net/http"
)

// openAPI describes the API (OpenAPI 3.1). It is a file rather than
// generated so that reviewers read the contract as callers see it; a test
// holds it to the routes Mount registers.
//
//go:embed openapi.json
var openAPI []byte

// serveOpenAPI needs no token: the document is public, like discovery.
func serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(openAPI)
}
