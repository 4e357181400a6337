package manage

import (
	"context"
	"time"

	"foyer/storage"
)

// Consent states of an account's acceptance of one document version.
const (
	ConsentActive   = "active"   // accepted and still holding
	ConsentRevoked  = "revoked"  // the customer opted out
	ConsentOutdated = "outdated" // a newer version of the document replaced it
)

// AccountConsent is one accepted version of a consent document and what
// became of it.
type AccountConsent struct {
	Consent    string     `json:"consent"`
	Version    string     `json:"version"`
	State      string     `json:"state"`
	GrantedAt  time.Time  `json:"granted_at"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	OutdatedAt *time.Time `json:"outdated_at,omitempty"`
}

// ConsentLogLine is one step of the account's consent history: action
// granted, revoked (opted out) or outdated (replaced by a newer version).
type ConsentLogLine struct {
	Consent string    `json:"consent"`
	Version string    `json:"version"`
	Action  string    `json:"action"`
	At      time.Time `json:"at"`
}

// AccountConsents is an account's consent log: each accepted version and
// its state, and the history of opt-ins and opt-outs, oldest first (the
// same log the account portal and its exports show the customer).
type AccountConsents struct {
	Consents []AccountConsent `json:"consents"`
	History  []ConsentLogLine `json:"history"`
}

// Consents reads the account's consent log; it is read-only here (only
// the customer gives or withdraws consent).
func (s *AccountActivity) Consents(ctx context.Context, a Actor, storeID, accountID string) (AccountConsents, error) {
	acct, err := LoadAccount(ctx, s.store, a, ReadAccounts, storeID, accountID)
	if err != nil {
		return AccountConsents{}, err
	}
	records, err := s.store.ListConsents(ctx, acct.ID)
	if err != nil {
		return AccountConsents{}, err
	}
	events, err := s.store.ListConsentEvents(ctx, acct.ID)
	if err != nil {
		return AccountConsents{}, err
	}
	out := AccountConsents{Consents: make([]AccountConsent, len(records)), History: []ConsentLogLine{}}
	for i, r := range records {
		state := ConsentActive
		switch {
		case r.RevokedAt != nil:
			state = ConsentRevoked
		case r.OutdatedAt != nil:
			state = ConsentOutdated
		}
		out.Consents[i] = AccountConsent{Consent: r.Consent, Version: r.Version, State: state, GrantedAt: r.GrantedAt,
			RevokedAt: r.RevokedAt, OutdatedAt: r.OutdatedAt}
	}
	for _, l := range storage.ConsentLog(records, events) {
		out.History = append(out.History, ConsentLogLine(l))
	}
	return out, nil
}
