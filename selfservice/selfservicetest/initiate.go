package selfservicetest

import (
	"io"
	"net/http"
	"slices"
)

// Initiation is a third-party initiated login a link asked authz for: the
// client whose brand portal should start a sign-in, and the login_hint.
type Initiation struct {
	ClientID  string
	LoginHint string
}

// initiate stands in for authz's /oauth2/initiate: it records what the
// link asked for. Sending the browser on to the client's
// initiate_login_uri, and refusing clients that may not be sent to, is
// authz's, tested in cmd/foyer.
func (e *Env) initiate(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	e.mu.Lock()
	e.initiated = append(e.initiated, Initiation{ClientID: q.Get("client_id"), LoginHint: q.Get("login_hint")})
	e.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain")
	_, _ = io.WriteString(w, "initiated")
}

// Initiated returns the initiated logins links have asked for, oldest
// first.
func (e *Env) Initiated() []Initiation {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.initiated)
}
