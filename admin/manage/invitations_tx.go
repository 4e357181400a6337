package manage

import (
	"context"

	"foyer/selfservice/invite"
)

// joinedTx marks a context whose transaction (Core.Apply's) the invite
// service joins instead of beginning its own: storage transactions do not
// nest, and a sending and its audit entry belong in one.
type joinedTx struct{}

func joinTx(ctx context.Context) context.Context { return context.WithValue(ctx, joinedTx{}, true) }

func joined(ctx context.Context) bool { return ctx.Value(joinedTx{}) != nil }

// inviteStore is the store as the invite service sees it: in a joined
// context, beginning, committing and rolling back are the caller's.
type inviteStore struct{ invite.Store }

func (s inviteStore) BeginTx(ctx context.Context) (context.Context, error) {
	if joined(ctx) {
		return ctx, nil
	}
	return s.Store.BeginTx(ctx)
}

func (s inviteStore) Commit(ctx context.Context) error {
	if joined(ctx) {
		return nil
	}
	return s.Store.Commit(ctx)
}

// Rollback in a joined context leaves it to the caller, whom the error
// reaches.
func (s inviteStore) Rollback(ctx context.Context) error {
	if joined(ctx) {
		return nil
	}
	return s.Store.Rollback(ctx)
}
