package portal

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/oschwald/geoip2-golang"
)

// sessionView is one session on the security page.
type sessionView struct {
	ID, Browser, OS, IP, Location string
	Current                       bool
	SignedIn, LastSeen            time.Time
}

func (h *Handler) sessionViews(ctx context.Context, v *viewer) ([]sessionView, error) {
	list, err := h.store.ListSessionsByAccount(ctx, v.Account.ID)
	if err != nil {
		return nil, err
	}
	now := h.cfg.Now()
	out := make([]sessionView, 0, len(list))
	for _, s := range list {
		if !now.Before(s.ExpiresAt) {
			continue
		}
		browser, os := h.device(s.UserAgent)
		out = append(out, sessionView{ID: s.ID, Browser: browser, OS: os, IP: s.IP, Location: h.geo.locate(s.IP),
			Current: s.ID == v.Session.ID, SignedIn: s.AuthTime, LastSeen: s.LastSeenAt})
	}
	return out, nil
}

// device names the browser and operating system of a user agent, or ""
// for what the parser does not know.
func (h *Handler) device(ua string) (browser, os string) {
	if ua == "" {
		return "", ""
	}
	a := h.agents().Parse(ua)
	browser = string(a.Browser())
	if major := a.BrowserVersionMajor(); browser != "" && major != "" {
		browser += " " + major
	}
	return browser, string(a.OS())
}

// geoLookup reads approximate locations from a MaxMind City (or Country)
// database; a nil lookup knows nothing.
type geoLookup struct{ db *geoip2.Reader }

func openGeoIP(path string) (*geoLookup, error) {
	if path == "" {
		return nil, nil
	}
	db, err := geoip2.Open(path)
	if err != nil {
		return nil, fmt.Errorf("GeoIP database %s: %w", path, err)
	}
	return &geoLookup{db: db}, nil
}

func (g *geoLookup) close() error {
	if g == nil {
		return nil
	}
	return g.db.Close()
}

// locate returns "City, Country" (or what of it is known) for an IP.
func (g *geoLookup) locate(ip string) string {
	if g == nil {
		return ""
	}
	addr := net.ParseIP(ip)
	if addr == nil {
		return ""
	}
	rec, err := g.db.City(addr)
	if err != nil {
		var invalid geoip2.InvalidMethodError
		if errors.As(err, &invalid) {
			return g.country(addr)
		}
		return ""
	}
	parts := []string{}
	for _, s := range []string{rec.City.Names["en"], rec.Country.Names["en"]} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

func (g *geoLookup) country(addr net.IP) string {
	rec, err := g.db.Country(addr)
	if err != nil {
		return ""
	}
	return rec.Country.Names["en"]
}
