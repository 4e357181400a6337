package portal

import (
	"context"
	"time"
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
		browser, os := h.devices.Device(s.UserAgent)
		out = append(out, sessionView{ID: s.ID, Browser: browser, OS: os, IP: s.IP, Location: h.devices.Locate(s.IP),
			Current: s.ID == v.Session.ID, SignedIn: s.AuthTime, LastSeen: s.LastSeenAt})
	}
	return out, nil
}
