package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"foyer/selfservice"
	"foyer/storage"
	"foyer/themes"
)

// middleware wraps a handler; chain applies them outermost first.
type middleware func(http.Handler) http.Handler

func chain(h http.Handler, mws ...middleware) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

type ctxKey int

const requestInfoKey ctxKey = 0

type requestInfo struct{ id, remote string }

// requestContext gives every request an id and its peer address, which the
// log handler adds to every line logged with the request's context. When
// Foyer runs behind a trusted load balancer, X-Forwarded-For names the peer.
func requestContext(trustProxy bool) middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if trustProxy {
				if ip := forwardedFor(r.Header.Get("X-Forwarded-For")); ip != "" {
					r.RemoteAddr = net.JoinHostPort(ip, "0")
				}
			}
			buf := make([]byte, 8)
			_, _ = rand.Read(buf)
			info := requestInfo{id: hex.EncodeToString(buf), remote: r.RemoteAddr}
			w.Header().Set("X-Request-Id", info.id)
			// Storage failures are noted per request (storage.WatchFailures)
			// so error paths answer 503, not a refusal.
			ctx := storage.WatchFailures(context.WithValue(r.Context(), requestInfoKey, info))
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// forwardedFor is the client address the nearest proxy saw: the last entry.
func forwardedFor(h string) string {
	parts := strings.Split(h, ",")
	ip := strings.TrimSpace(parts[len(parts)-1])
	if net.ParseIP(ip) == nil {
		return ""
	}
	return ip
}

// accessLog logs each request once, without its query string: queries
// carry codes, tokens and hints that must not reach the logs.
func accessLog(log *slog.Logger) middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
			next.ServeHTTP(rec, r)
			log.DebugContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path,
				"status", rec.status, "duration_ms", time.Since(start).Milliseconds())
		})
	}
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// recoverPanics turns a panic into a plain 500 that shows no internals.
func recoverPanics(log *slog.Logger) middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				if v := recover(); v != nil {
					if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
						panic(v)
					}
					log.ErrorContext(r.Context(), "panic", "value", v, "stack", string(debug.Stack()))
					http.Error(w, "internal server error", http.StatusInternalServerError)
				}
			}()
			next.ServeHTTP(w, r)
		})
	}
}

// limitBodies caps request bodies: no endpoint takes more than a form, and
// an authorization request is stored whole while the user signs in.
func limitBodies(max int64) middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Body = http.MaxBytesReader(w, r.Body, max)
			next.ServeHTTP(w, r)
		})
	}
}

// loopbackOnly serves only requests made directly from this machine: not
// through a proxy (which would connect from loopback on anyone's behalf).
func loopbackOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		ip := net.ParseIP(host)
		proxied := r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("Forwarded") != ""
		if err != nil || ip == nil || !ip.IsLoopback() || proxied {
			http.NotFound(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// securityHeaders sets the headers every response carries. Pages may
// replace the Content-Security-Policy (to add a form-action target).
func securityHeaders(https bool) middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Set("Content-Security-Policy", themes.DefaultCSP)
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Referrer-Policy", "no-referrer")
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			if https {
				h.Set("Strict-Transport-Security", "max-age=31536000")
			}
			next.ServeHTTP(w, r)
		})
	}
}

// refuseCrossOriginForms refuses cross-origin form posts; newServer puts
// it on the subrouter of the self-service, portal and admin routes. The
// OAuth endpoints legitimately receive cross-origin posts (token,
// form_post) and are mounted outside it. So does the upstream providers'
// callback (an upstream's form_post): it changes nothing itself but
// redirects to its GET, which carries this browser's cookies.
func refuseCrossOriginForms() mux.MiddlewareFunc {
	p := http.NewCrossOriginProtection()
	p.AddInsecureBypassPattern("POST " + selfservice.ExternalCallbackPath)
	return p.Handler
}

// contextHandler adds the request id and remote address to log records.
type contextHandler struct{ slog.Handler }

func (h contextHandler) Handle(ctx context.Context, rec slog.Record) error {
	if info, ok := ctx.Value(requestInfoKey).(requestInfo); ok {
		rec.AddAttrs(slog.String("request_id", info.id), slog.String("remote", info.remote))
	}
	return h.Handler.Handle(ctx, rec)
}

func (h contextHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return contextHandler{h.Handler.WithAttrs(attrs)}
}

func (h contextHandler) WithGroup(name string) slog.Handler {
	return contextHandler{h.Handler.WithGroup(name)}
}
