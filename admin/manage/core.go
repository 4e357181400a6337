package manage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"foyer/storage"
)

// CoreStore is what every service of the package needs from storage.
type CoreStore interface {
	storage.Transactor
	storage.AuditLog
	storage.AdminGrants
	GetAccount(ctx context.Context, id string) (*storage.Account, error)
}

// Core runs audited changes and finds out who an actor is; the services
// of each resource are built on one.
type Core struct {
	store CoreStore
	now   func() time.Time
}

// NewCore returns a core over the store; now is the clock (nil: the wall
// clock).
func NewCore(store CoreStore, now func() time.Time) *Core {
	if now == nil {
		now = time.Now
	}
	return &Core{store: store, now: now}
}

// Now is the core's clock.
func (c *Core) Now() time.Time { return c.now().UTC() }

// Change is one audited modification: what was done to which target, the
// target before and after (any value that marshals to a JSON object; nil
// for a creation's Before or a deletion's After). Secrets in them are
// redacted before they are stored (see redact).
type Change struct {
	Action     string // "<target type>.<verb>", e.g. "store.created"
	TargetType string
	TargetID   string
	StoreID    string
	Before     any
	After      any
}

// Apply checks that the actor may do p on the store, then runs fn in a
// transaction and appends the audit entry fn describes in the same
// transaction: the change and its entry commit together or not at all.
// fn returns the Change it made; a nil Change (zero Action) writes no
// entry (nothing changed).
func (c *Core) Apply(ctx context.Context, a Actor, p Permission, storeID string, fn func(ctx context.Context) (Change, error)) (err error) {
	if err := a.Require(p, storeID); err != nil {
		return err
	}
	tx, err := c.store.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = c.store.Rollback(tx)
		}
	}()
	ch, err := fn(tx)
	if err != nil {
		return err
	}
	if ch.Action != "" {
		if err := c.record(tx, a, p, ch); err != nil {
			return err
		}
	}
	return c.store.Commit(tx)
}

// Record appends an audit entry outside Apply (for changes another
// package made in its own transaction, which ctx may carry).
func (c *Core) Record(ctx context.Context, a Actor, p Permission, ch Change) error {
	return c.record(ctx, a, p, ch)
}

func (c *Core) record(ctx context.Context, a Actor, p Permission, ch Change) error {
	before, err := auditJSON(ch.Before)
	if err != nil {
		return fmt.Errorf("audit %s: %w", ch.Action, err)
	}
	after, err := auditJSON(ch.After)
	if err != nil {
		return fmt.Errorf("audit %s: %w", ch.Action, err)
	}
	role := a.Role(p, ch.StoreID)
	return c.store.AppendAuditEntry(ctx, &storage.AuditEntry{
		CreatedAt:  c.Now(),
		ActorKind:  a.Kind,
		ActorID:    a.ID,
		ActorName:  a.Name,
		Role:       role,
		IP:         a.IP,
		UserAgent:  a.UserAgent,
		Action:     ch.Action,
		TargetType: ch.TargetType,
		TargetID:   ch.TargetID,
		StoreID:    ch.StoreID,
		Before:     before,
		After:      after,
	})
}

// Administrator is the actor for an account signed in to the console or
// holding a console token: an enabled account of the administrators
// store with at least one grant; anything else is ErrForbidden (a
// customer's token opens nothing).
func (c *Core) Administrator(ctx context.Context, accountID, ip, userAgent string) (Actor, error) {
	acct, err := c.store.GetAccount(ctx, accountID)
	if errors.Is(err, storage.ErrNotFound) {
		return Actor{}, ErrForbidden
	}
	if err != nil {
		return Actor{}, err
	}
	if acct.StoreID != storage.AdministratorsStoreID || acct.Status != storage.AccountEnabled {
		return Actor{}, ErrForbidden
	}
	grants, err := c.store.ListAdminGrants(ctx, storage.PrincipalAdministrator, acct.ID)
	if err != nil {
		return Actor{}, err
	}
	if len(grants) == 0 {
		return Actor{}, ErrForbidden
	}
	name := acct.Email
	if name == "" {
		name = acct.Username
	}
	return Actor{Kind: storage.PrincipalAdministrator, ID: acct.ID, Name: name, Grants: grants, IP: ip, UserAgent: userAgent}, nil
}

// Client is the actor for a client-credentials token: a client holding at
// least one admin grant; any other client is ErrForbidden.
func (c *Core) Client(ctx context.Context, clientID, name, ip, userAgent string) (Actor, error) {
	grants, err := c.store.ListAdminGrants(ctx, storage.PrincipalClient, clientID)
	if err != nil {
		return Actor{}, err
	}
	if len(grants) == 0 {
		return Actor{}, ErrForbidden
	}
	if name == "" {
		name = clientID
	}
	return Actor{Kind: storage.PrincipalClient, ID: clientID, Name: name, Grants: grants, IP: ip, UserAgent: userAgent}, nil
}

// auditJSON marshals v to a JSON object with its secrets redacted; "" for
// nil.
func auditJSON(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	var obj any
	if err := json.Unmarshal(raw, &obj); err != nil {
		return "", err
	}
	out, err := json.Marshal(redact(obj))
	return string(out), err
}

// secretWords mark a field whose value never enters the audit log: a
// secret, a password, a hash of either, a token, a private key.
var secretWords = []string{"secret", "password", "hash", "token", "private", "key"}

// Redacted replaces a secret's value in the audit log.
const Redacted = "[redacted]"

func redact(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, inner := range t {
			if isSecretName(k) && secretValue(inner) {
				t[k] = Redacted
				continue
			}
			t[k] = redact(inner)
		}
		return t
	case []any:
		for i := range t {
			t[i] = redact(t[i])
		}
		return t
	default:
		return v
	}
}

// secretValue reports whether a value under a secret's name is one: a
// flag or a number about a secret (passwordless, a password's minimum
// length) is not, and an object is redacted field by field.
func secretValue(v any) bool {
	switch v.(type) {
	case nil, bool, float64, map[string]any:
		return false
	case string:
		return v != ""
	}
	return true
}

// notSecret are field names that contain a secret word but hold none: a
// client's authentication method and when its secrets expire are what an
// audit of a client change needs to show.
var notSecret = []string{"token_endpoint_auth_method", "token_endpoint_auth_signing_alg",
	"client_secret_expires_at", "previous_secret_expires_at"}

func isSecretName(name string) bool {
	n := strings.ToLower(name)
	if slices.Contains(notSecret, n) {
		return false
	}
	for _, w := range secretWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}
