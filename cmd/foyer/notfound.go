package main

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"

	"foyer/themes"
)

// jsonPath reports whether path belongs to a machine-facing endpoint family
// whose callers parse JSON errors: the admin REST API and discovery always,
// the OAuth endpoints unless a browser asks for a page (an unknown
// /oauth2/ path a person typed still gets the themed page).
func jsonPath(r *http.Request) bool {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/admin/api/") || p == "/admin/api" || strings.HasPrefix(p, "/.well-known/"):
		return true
	case strings.HasPrefix(p, "/oauth2/"):
		return !strings.Contains(r.Header.Get("Accept"), "text/html")
	}
	return false
}

// writeJSONError answers a machine caller: an RFC 9457 problem on the admin
// API, an OAuth-style error document elsewhere.
func writeJSONError(w http.ResponseWriter, r *http.Request, status int) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if strings.HasPrefix(r.URL.Path, "/admin/api") {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{"type": "about:blank", "title": http.StatusText(status), "status": status})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_request", "error_description": http.StatusText(status)})
}

// themedError answers every request no route takes with the theme's error
// page (title, language, styles) instead of net/http's plain text, which
// has neither a title nor a language for assistive technology; machine
// endpoints keep JSON.
func themedError(renderer *themes.Renderer, log *slog.Logger, status int, title, message string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if jsonPath(r) {
			writeJSONError(w, r, status)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		err := renderer.Render(w, r, themes.Page{Template: "error", Status: status,
			Data: map[string]any{"Title": title, "Message": message, "LinkURL": "/account", "LinkText": "account.title"}})
		if err != nil {
			log.ErrorContext(r.Context(), "render the error page", "status", status, "err", err)
		}
	}
}
