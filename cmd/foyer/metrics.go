package main

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics holds the server's Prometheus collectors in a registry of its
// own (no package-level state), served at /metrics.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "foyer_http_requests_total",
			Help: "HTTP requests by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "foyer_http_request_duration_seconds",
			Help:    "HTTP request latency by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route"}),
	}
	m.registry.MustRegister(m.requests, m.duration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// routeLabelKey holds the *string that label fills for instrument.
type routeLabelKey struct{}

// instrument counts requests by the route that served them ("GET
// /oauth2/auth"), never by raw path, so label cardinality stays bounded.
// The router learns the route; label, its middleware, hands it back.
func (m *metrics) instrument() middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
			route := new(string)
			next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), routeLabelKey{}, route)))
			if *route == "" {
				*route = "unmatched"
			}
			m.requests.WithLabelValues(*route, r.Method, strconv.Itoa(rec.status)).Inc()
			m.duration.WithLabelValues(*route).Observe(time.Since(start).Seconds())
		})
	}
}

// label is the router's middleware that names the matched route for
// instrument: its first method and its path template, as net/http's
// patterns read ("GET /healthz").
func (m *metrics) label(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if route, ok := r.Context().Value(routeLabelKey{}).(*string); ok {
			if rt := mux.CurrentRoute(r); rt != nil {
				tmpl, _ := rt.GetPathTemplate()
				if methods, err := rt.GetMethods(); err == nil && len(methods) > 0 {
					tmpl = methods[0] + " " + tmpl
				}
				*route = tmpl
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}
