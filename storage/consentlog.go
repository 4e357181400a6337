package storage

import (
	"slices"
	"time"
)

// ConsentOutdated is the consent log's action for an acceptance that a
// newer version of its document ended (beside ConsentGranted and
// ConsentRevoked).
const ConsentOutdated ConsentAction = "outdated"

// ConsentLogEntry is one line of an account's consent log, as the account
// portal, its exports and the admin console's Consents tab show it.
type ConsentLogEntry struct {
	Consent, Version, Action string
	At                       time.Time
}

// ConsentLog is the account's consent history with the times newer
// versions ended its acceptances (seed 002: the log holds "the time of
// opt-out for outdated consent versions"), oldest first. Publishing a
// version marks the records in one statement rather than writing an event
// per account, so those lines come from the records.
func ConsentLog(records []ConsentRecord, events []ConsentEvent) []ConsentLogEntry {
	out := make([]ConsentLogEntry, 0, len(events))
	for _, e := range events {
		out = append(out, ConsentLogEntry{Consent: e.Consent, Version: e.Version, Action: string(e.Action), At: e.CreatedAt})
	}
	for _, rec := range records {
		if rec.OutdatedAt != nil {
			out = append(out, ConsentLogEntry{Consent: rec.Consent, Version: rec.Version, Action: string(ConsentOutdated), At: *rec.OutdatedAt})
		}
	}
	slices.SortStableFunc(out, func(a, b ConsentLogEntry) int { return a.At.Compare(b.At) })
	return out
}
