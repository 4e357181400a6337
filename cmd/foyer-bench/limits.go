package main

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"foyer/selfservice/password"
)

// limits are this machine's ceilings for the work that bounds Foyer's hot
// paths, measured in the same run as the scenarios: figures from
// machines (or days) that differ by 2x compare only as ratios to these.
type limits struct {
	rsaPerSec    float64 // RSA-2048 PKCS #1 v1.5 signatures per second, every core busy
	argon2PerSec float64 // argon2id hashes per second at the OWASP parameters, as Foyer's hasher runs them
}

// measureLimits runs each probe on every core for about window.
func measureLimits(ctx context.Context, window time.Duration) (limits, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return limits{}, fmt.Errorf("rsa key: %w", err)
	}
	digest := sha256.Sum256([]byte("foyer-bench"))
	rsaRate, err := perSecond(ctx, window, func() error {
		_, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:])
		return err
	})
	if err != nil {
		return limits{}, fmt.Errorf("rsa: %w", err)
	}
	hasher := password.NewHasher(password.OWASP)
	argonRate, err := perSecond(ctx, window, func() error {
		_, err := hasher.Hash(ctx, "correct horse battery staple")
		return err
	})
	if err != nil {
		return limits{}, fmt.Errorf("argon2id: %w", err)
	}
	return limits{rsaPerSec: rsaRate, argon2PerSec: argonRate}, nil
}

// perSecond calls op on one goroutine per CPU until window has passed and
// returns the calls completed per second.
func perSecond(ctx context.Context, window time.Duration, op func() error) (float64, error) {
	var done atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	began := time.Now()
	deadline := began.Add(window)
	for range runtime.NumCPU() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) && ctx.Err() == nil {
				if err := op(); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	return float64(done.Load()) / time.Since(began).Seconds(), firstErr
}

// limitFor is the ceiling a scenario is judged against and its name: the
// RSA signature rate for the protocol scenarios (an exchange signs one
// RS256 ID token; the others are compared with the same yardstick of CPU
// speed), the argon2id rate for password sign-ins (one hash each).
func (l limits) limitFor(scenario string) (float64, string) {
	if scenario == "password_login" {
		return l.argon2PerSec, "argon2id/s"
	}
	return l.rsaPerSec, "RSA sig/s"
}
