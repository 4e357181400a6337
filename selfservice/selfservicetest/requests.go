package selfservicetest

import (
	"context"
	"net"
	"net/http"
)

// RequestHeader names the response header in which the harness says which
// request answered (the id RequestID finds in that request's context).
const RequestHeader = "X-Test-Request"

type requestKey struct{}

// RequestID is the id of the request whose context ctx is (or derives
// from), for sqltest.NewRecorder: a store opened with
// sqltest.OpenRecorded(t, url, sqltest.NewRecorder(selfservicetest.RequestID))
// and handed to New in Options.Store records what each request ran.
func RequestID(ctx context.Context) (string, bool) {
	id, ok := ctx.Value(requestKey{}).(string)
	return id, ok
}

// RequestID is the id of the request that answered p.
func (p *Page) RequestID() string { return p.Resp.Header.Get(RequestHeader) }

// ClientIPHeader carries the address a Browser claims (Browser.From); the
// harness makes it the request's RemoteAddr, as cmd/foyer's middleware
// does for a trusted proxy's X-Forwarded-For.
const ClientIPHeader = "X-Test-Client-IP"

// tagRequests gives each request an id, in its context and in the
// response's RequestHeader, and applies ClientIPHeader.
func tagRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ip := r.Header.Get(ClientIPHeader); ip != "" {
			r.RemoteAddr = net.JoinHostPort(ip, "0")
		}
		id := randomID()
		w.Header().Set(RequestHeader, id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestKey{}, id)))
	})
}
