package main

import (
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"foyer/selfservice/notify"
)

// metricsExposure is where /metrics is served. Metrics name every route
// and count every outcome: useful to an attacker probing for weak spots,
// so a production server does not show them to the internet by default.
type metricsExposure int

const (
	// metricsPublic: on the public listener to anyone — only for a local
	// development instance (an http issuer on a loopback host).
	metricsPublic metricsExposure = iota
	// metricsBearer: on the public listener to callers presenting
	// FOYER_METRICS_TOKEN as a bearer token.
	metricsBearer
	// metricsSeparate: only on FOYER_METRICS_LISTEN (an address the
	// operator keeps private), not on the public listener.
	metricsSeparate
	// metricsOff: neither configured on a production issuer; not served,
	// and serve says so at start.
	metricsOff
)

// metricsExposureOf decides from the configuration; a separate listener
// wins over a token.
func metricsExposureOf(cfg Config) metricsExposure {
	switch {
	case cfg.MetricsListen != "":
		return metricsSeparate
	case cfg.MetricsToken != "":
		return metricsBearer
	case strings.HasPrefix(cfg.Issuer, "http://") && notify.DevMode("", cfg.Issuer): // a local plain-http issuer
		return metricsPublic
	default:
		return metricsOff
	}
}

// bearerOnly serves h to requests bearing token, and 401 with a
// WWW-Authenticate challenge to the rest. The comparison is of SHA-256
// digests in constant time, so neither the token's length nor its prefix
// leaks through timing.
func bearerOnly(token string, h http.Handler) http.Handler {
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		sum := sha256.Sum256([]byte(got))
		if !ok || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "metrics need the metrics token", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// serveMetrics serves /metrics alone on the operator's address
// (FOYER_METRICS_LISTEN).
func serveMetrics(addr string, h http.Handler, log *slog.Logger) {
	srv := &http.Server{Addr: addr, Handler: metricsOnly(h), ReadHeaderTimeout: 5 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		log.Warn("metrics listener", "err", err)
	}
}

// metricsOnly answers GET /metrics with h and 404 to everything else.
func metricsOnly(h http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	return mux
}
