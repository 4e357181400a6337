package selfservice

import (
	"context"
	"fmt"
	"time"
)

// Caps on the messages anonymous requests make Foyer send (reset links
// and codes, username reminders, sign-in links and codes, sign-up
// notices). The re-request interval alone allows one message per 20 s
// per address, some 4,300 a day: enough to bomb a mailbox. These bound
// what one address receives and what one client address can have sent,
// per hour and per day. Only messages actually queued count; a request
// the caps hold back gets the same answer as any other (no enumeration).
const (
	recipientPerHour = 5
	recipientPerDay  = 20
	requesterPerHour = 20
	requesterPerDay  = 100
)

// sendCapped records a send to the account's channel, requested from ip,
// and reports whether a cap is exceeded. It runs in the send's
// transaction: a held send rolls back, so it does not count.
func (h *Handler) sendCapped(ctx context.Context, ip, accountID, channel string) (bool, error) {
	now := h.cfg.Now().UTC()
	type budget struct {
		key           string
		hourly, daily int
	}
	budgets := []budget{{"send:to:" + accountID + ":" + channel, recipientPerHour, recipientPerDay}}
	if ip != "" {
		budgets = append(budgets, budget{"send:from:" + ip, requesterPerHour, requesterPerDay})
	}
	for _, b := range budgets {
		// The attempt table keeps a day (the cleanup's retention).
		daily, err := h.store.RecordLoginAttempt(ctx, b.key, now, now.Add(-24*time.Hour))
		if err != nil {
			return false, fmt.Errorf("selfservice: count sends: %w", err)
		}
		if daily > int64(b.daily) {
			return true, nil
		}
		hour, err := h.store.ListLoginAttempts(ctx, b.key, now.Add(-time.Hour))
		if err != nil {
			return false, fmt.Errorf("selfservice: count sends: %w", err)
		}
		if len(hour) > b.hourly {
			return true, nil
		}
	}
	return false, nil
}
