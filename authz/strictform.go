package authz

import (
	"encoding/json"
	"net/http"

	"foyer/httpin"
)

// strictForm refuses, before fosite reads it, a request to an endpoint
// that takes a form (token, revocation, introspection, PAR) whose body is
// not application/x-www-form-urlencoded or which repeats a parameter (RFC
// 6749 sections 3.1 and 3.2). Go's parser would take the first of two
// grant_types where a proxy in front may have judged the last, and a
// multipart body is no form the RFCs allow.
func strictForm(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := httpin.StrictForm(r); err != nil {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_request", "error_description": "The request is malformed: " + err.Error() + "."})
			return
		}
		next(w, r)
	}
}
