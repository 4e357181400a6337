package authz

import (
	"encoding/json"
	"net/http"

	"foyer/storage"
)

// retryAfterSeconds is how long a client is asked to wait after a 503
// during a storage failure.
const retryAfterSeconds = "5"

// unavailable answers a JSON endpoint's request that met a storage
// failure (storage.Failure) with 503 temporarily_unavailable and
// Retry-After, logs the failure, and reports whether it did. Every error
// path of the token, introspection, revocation, PAR and UserInfo endpoints
// asks it first: a client or token that could not be read is not an
// unknown one, and answering invalid_client or invalid_token would make
// relying parties throw away good credentials.
func (h *Handler) unavailable(w http.ResponseWriter, r *http.Request) bool {
	f := storage.Failure(r.Context())
	if f == nil {
		return false
	}
	h.logServerError(r, "storage failure: answered 503", f, "")
	w.Header().Set("Retry-After", retryAfterSeconds)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusServiceUnavailable)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": "temporarily_unavailable",
		"error_description": "The server cannot reach its database. Try again shortly."})
	return true
}
