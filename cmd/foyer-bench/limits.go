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

// prober measures the ceilings: one RSA key and one hasher, made once.
type prober struct {
	key    *rsa.PrivateKey
	digest [sha256.Size]byte
	hasher *password.Hasher
}

func newProber() (*prober, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("rsa key: %w", err)
	}
	return &prober{key: key, digest: sha256.Sum256([]byte("foyer-bench")), hasher: password.NewHasher(password.OWASP)}, nil
}

func (p *prober) rsaRate(ctx context.Context, window time.Duration) (float64, error) {
	rate, err := perSecond(ctx, window, func() error {
		_, err := rsa.SignPKCS1v15(nil, p.key, crypto.SHA256, p.digest[:])
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("rsa: %w", err)
	}
	return rate, nil
}

func (p *prober) argon2Rate(ctx context.Context, window time.Duration) (float64, error) {
	rate, err := perSecond(ctx, window, func() error {
		_, err := p.hasher.Hash(ctx, "correct horse battery staple")
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("argon2id: %w", err)
	}
	return rate, nil
}

// measureLimits runs each probe on every core for about window.
func (p *prober) measureLimits(ctx context.Context, window time.Duration) (limits, error) {
	rsaRate, err := p.rsaRate(ctx, window)
	if err != nil {
		return limits{}, err
	}
	argonRate, err := p.argon2Rate(ctx, window)
	if err != nil {
		return limits{}, err
	}
	return limits{rsaPerSec: rsaRate, argon2PerSec: argonRate}, nil
}

// besideWindow is how long the scenario's own ceiling is measured right
// before and right after it.
const besideWindow = time.Second

// around runs the scenario between two measurements of its ceiling and
// records the larger in the result, with the CPU time each party used
// during it: this machine's speed drifts by tens of percent within
// minutes, so a ceiling measured at the start of the run would judge a
// later scenario by another machine. The larger, not the mean: anything
// else running on the machine (a neighbour, the server or the database
// still settling) can only make a probe read low, and one such probe read
// 32 argon2id hashes/s beside 58, which made a mean judge the scenario by
// a machine half as fast.
func (p *prober) around(ctx context.Context, scenario string, serverPID int, run func() result) result {
	measure := p.rsaRate
	if scenario == "password_login" {
		measure = p.argon2Rate
	}
	before, errBefore := measure(ctx, besideWindow)
	cpu := sampleCPU(serverPID)
	res := run()
	res.cpu = sampleCPU(serverPID).minus(cpu)
	after, errAfter := measure(ctx, besideWindow)
	if errBefore == nil && errAfter == nil {
		res.limit = max(before, after)
	}
	return res
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

// limitOf is the ceiling res is judged against: the one measured beside
// it when there is one, else the run's.
func (l limits) limitOf(res result) (float64, string) {
	limit, unit := l.limitFor(res.scenario)
	if res.limit > 0 {
		limit = res.limit
	}
	return limit, unit
}
