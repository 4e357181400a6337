package main

import (
	"context"
	"log/slog"
	"time"

	"foyer/authz/keys"
)

// keyRotationCheck is how often each node asks whether the keys are due
// for rotation: one small query, and a rotation at most this late.
const keyRotationCheck = 10 * time.Minute

// rotateKeys rotates the signing keys whenever they are older than
// interval (FOYER_KEY_ROTATION_INTERVAL), until ctx ends. Every node runs
// it; Manager.RotateIfDue re-reads the keys' age first, so one node's
// rotation makes the others' checks no-ops.
func rotateKeys(ctx context.Context, m *keys.Manager, interval time.Duration, log *slog.Logger) {
	if interval <= 0 {
		return
	}
	t := time.NewTicker(keyRotationCheck)
	defer t.Stop()
	for {
		rotateIfDue(ctx, m, interval, log)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// rotateIfDue is one check of the loop; a failure is logged and retried at
// the next tick.
func rotateIfDue(ctx context.Context, m *keys.Manager, interval time.Duration, log *slog.Logger) {
	rotated, err := m.RotateIfDue(ctx, interval)
	switch {
	case err != nil && ctx.Err() == nil:
		log.Warn("key rotation", "err", err)
	case rotated:
		log.Info("signing keys rotated", "interval", interval.String())
	}
}
