package notify

import (
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"

	"foyer/storage"
)

// DevOutboxPath is where cmd/foyer mounts DevOutboxHandler in dev mode.
const DevOutboxPath = "/admin/dev/outbox"

// DevMode reports whether Foyer runs as a developer's local instance: no
// SMTP server configured and an issuer on localhost or a loopback address.
// Only then may messages (with their links and codes) be shown on a page.
func DevMode(smtpURL, issuer string) bool {
	if smtpURL != "" {
		return false
	}
	u, err := url.Parse(issuer)
	if err != nil || u.Scheme != "http" && u.Scheme != "https" {
		return false
	}
	host := u.Hostname()
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

var devOutboxPage = template.Must(template.New("outbox").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Dev outbox · Foyer</title></head>
<body>
<h1>Dev outbox</h1>
<p>Messages Foyer would have sent, newest first. This page exists only in dev mode (no SMTP server, issuer on localhost).</p>
{{range .}}<article>
<h2>{{.Kind}} · {{.Channel}} to {{.To}}</h2>
<p>{{.CreatedAt.Format "2006-01-02 15:04:05 UTC"}}{{if .SentAt}} · logged{{else}} · queued{{end}}{{with .LastError}} · last error: {{.}}{{end}}</p>
{{with .Subject}}<p><strong>Subject:</strong> {{.}}</p>{{end}}
<pre>{{.Text}}</pre>
</article>
{{else}}<p>No messages yet.</p>
{{end}}</body>
</html>
`))

// DevOutboxHandler lists the most recent messages with their text. The
// caller mounts it only in dev mode: the text holds live links and codes.
func DevOutboxHandler(store storage.Notifications, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		list, err := store.ListNotifications(r.Context(), 50)
		if err != nil {
			log.WarnContext(r.Context(), "dev outbox: list", "err", err)
			http.Error(w, "could not list messages", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if err := devOutboxPage.Execute(w, list); err != nil {
			log.WarnContext(r.Context(), "dev outbox: render", "err", err)
		}
	})
}
