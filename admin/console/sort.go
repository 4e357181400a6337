package console

import (
	"net/url"
	"slices"
	"strings"

	"foyer/admin/manage"
)

// sortLink is one order a list offers, as a link (no script needed).
type sortLink struct {
	Label, URL string
	Current    bool
}

// adminOrders are the administrators list's orders: by e-mail (the
// service's), by status, by last sign-in (most recent first).
var adminOrders = []struct{ key, label string }{
	{"email", "admin.sort.email"}, {"status", "admin.sort.status"}, {"last_login", "admin.sort.last_login"},
}

// sortAdministrators orders admins as by names (unknown: by e-mail) and
// returns the order used.
func sortAdministrators(admins []manage.Administrator, by string) string {
	switch by {
	case "status":
		slices.SortStableFunc(admins, func(a, b manage.Administrator) int { return strings.Compare(string(a.Status), string(b.Status)) })
	case "last_login":
		slices.SortStableFunc(admins, func(a, b manage.Administrator) int {
			switch {
			case a.LastLoginAt == nil && b.LastLoginAt == nil:
				return 0
			case a.LastLoginAt == nil:
				return 1
			case b.LastLoginAt == nil:
				return -1
			}
			return b.LastLoginAt.Compare(*a.LastLoginAt)
		})
	default:
		by = "email"
	}
	return by
}

func (h *Handler) adminSortLinks(current string) []sortLink {
	out := make([]sortLink, 0, len(adminOrders))
	for _, o := range adminOrders {
		out = append(out, sortLink{Label: o.label, URL: h.path(administratorsRoute, url.Values{"sort": {o.key}}), Current: o.key == current})
	}
	return out
}
