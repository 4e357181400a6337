package selfservice

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"foyer/selfservice/regulate"
	"foyer/storage"
)

// The collaborators the sign-in steps share. Each step holds only the ones
// it uses, built in New, rather than the whole Handler: a step's fields
// say what it may touch.

// eventFunc appends an activity-log event (Handler.eventData).
type eventFunc func(r *http.Request, accountID, kind string, extra map[string]string)

// deferFunc queues a deferred request for the flow (Handler.deferRequest).
type deferFunc func(r *http.Request, f *Flow, kind string, p deferredPayload) error

// findFunc finds the account a typed identifier names
// (Handler.findByIdentifier).
type findFunc func(ctx context.Context, storeID, typed string) (*storage.Account, error)

// mfaLock counts second-factor answers per account and method
// (regulate.SecondFactor).
type mfaLock struct {
	limits *regulate.Regulator
	now    func() time.Time
}

// try counts a try of the method before the answer is checked (so
// parallel guesses get no extra tries) and reports whether the method is
// locked, and until when (Retry-After).
func (l mfaLock) try(ctx context.Context, accountID, method string) (bool, time.Duration, error) {
	attempt, err := l.limits.Attempt(ctx, regulate.SecondFactor.Key(accountID, method), l.now().UTC())
	if err != nil {
		return false, 0, fmt.Errorf("selfservice: %w", err)
	}
	return attempt.Exceeded(), attempt.RetryAfter, nil
}

// succeeded forgets the method's tries.
func (l mfaLock) succeeded(ctx context.Context, accountID, method string) error {
	if err := l.limits.Clear(ctx, regulate.SecondFactor.Key(accountID, method)); err != nil {
		return fmt.Errorf("selfservice: %w", err)
	}
	return nil
}

// lockedFor is a lock's error with when it lifts (Retry-After).
type lockedFor struct {
	err   error
	retry time.Duration
}

func (l lockedFor) Error() string { return l.err.Error() }
func (l lockedFor) Unwrap() error { return l.err }
