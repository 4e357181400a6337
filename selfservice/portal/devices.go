package portal

import (
	"net/http"
	"net/url"
	"time"

	"foyer/themes"
)

// sessionView is one session on the security page.
type sessionView struct {
	ID, Browser, OS, IP, Location string
	Current                       bool
	SignedIn                      themes.Moment // in the customer's zone and language
	LastSeen                      themes.Moment
}

// zoneCookies hold the browser's IANA time zone, which ui.js remembers:
// the __Host- name on https, the plain one on a development http issuer.
var zoneCookies = []string{"__Host-foyer_tz", "foyer_tz"}

// zone is where the customer's times are shown: the account's zoneinfo
// attribute, else the browser's zone, else UTC (which the times say).
func zone(r *http.Request, v *viewer) *time.Location {
	browser := ""
	for _, name := range zoneCookies {
		if c, err := r.Cookie(name); err == nil {
			browser, _ = url.QueryUnescape(c.Value)
			break
		}
	}
	return themes.Zone(v.Account.Attributes["zoneinfo"], browser)
}

// clock shows times as the customer reads them: in their zone (zone) and
// the page's language, so no page shows a bare UTC time.
type clock struct {
	lang string
	loc  *time.Location
}

func clockFor(r *http.Request, v *viewer) clock { return clock{lang: v.Lang, loc: zone(r, v)} }

func (c clock) at(t time.Time) themes.Moment { return themes.NewMoment(c.lang, t, c.loc) }

// maybe is at for a time that may not have happened (nil: never).
func (c clock) maybe(t *time.Time) *themes.Moment {
	if t == nil {
		return nil
	}
	m := c.at(*t)
	return &m
}

func (h *Handler) sessionViews(r *http.Request, v *viewer) ([]sessionView, error) {
	list, err := h.store.ListSessionsByAccount(r.Context(), v.Account.ID)
	if err != nil {
		return nil, err
	}
	now, c := h.cfg.Now(), clockFor(r, v)
	out := make([]sessionView, 0, len(list))
	for _, s := range list {
		if !now.Before(s.ExpiresAt) {
			continue
		}
		browser, os := h.devices.Device(s.UserAgent)
		out = append(out, sessionView{ID: s.ID, Browser: browser, OS: os, IP: s.IP, Location: h.devices.Locate(s.IP),
			Current: s.ID == v.Session.ID, SignedIn: c.at(s.AuthTime), LastSeen: c.at(s.LastSeenAt)})
	}
	return out, nil
}
