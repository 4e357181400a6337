package main

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestPerSecond(t *testing.T) {
	rate, err := perSecond(context.Background(), 20*time.Millisecond, func() error { return nil })
	if err != nil || rate <= 0 {
		t.Fatalf("perSecond = %v, %v; want a positive rate", rate, err)
	}
	boom := errors.New("boom")
	if _, err := perSecond(context.Background(), time.Second, func() error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("an op's error: %v", err)
	}
}

func TestLimitFor(t *testing.T) {
	l := limits{rsaPerSec: 1000, argon2PerSec: 80}
	for scenario, want := range map[string]float64{
		"password_login": 80, "authorization_code_exchange": 1000, "client_credentials": 1000,
	} {
		if got, _ := l.limitFor(scenario); got != want {
			t.Errorf("%s: limit %v, want %v", scenario, got, want)
		}
	}
}

// TestLimitOf: a scenario measured beside its own ceiling is judged by it,
// one without by the run's.
func TestLimitOf(t *testing.T) {
	l := limits{rsaPerSec: 1000, argon2PerSec: 80}
	if got, unit := l.limitOf(result{scenario: "password_login", limit: 60}); got != 60 || unit != "argon2id/s" {
		t.Errorf("with its own limit: %v %s, want 60 argon2id/s", got, unit)
	}
	if got, _ := l.limitOf(result{scenario: "client_credentials"}); got != 1000 {
		t.Errorf("without its own limit: %v, want the run's 1000", got)
	}
}

// TestAround: the ceiling beside a scenario is the argon2id rate for
// password sign-ins and the RSA rate for the others, measured around it.
func TestAround(t *testing.T) {
	p, err := newProber()
	if err != nil {
		t.Fatal(err)
	}
	ran := false
	pw := p.around(t.Context(), "password_login", 0, func() result { ran = true; return result{scenario: "password_login"} })
	cc := p.around(t.Context(), "client_credentials", 0, func() result { return result{scenario: "client_credentials"} })
	if !ran || pw.limit <= 0 || cc.limit <= 0 {
		t.Fatalf("ran %v, limits %v and %v; want the scenario run and both measured", ran, pw.limit, cc.limit)
	}
	// An RSA signature is far cheaper than an argon2id hash at the OWASP
	// parameters (about 30 to 1 on any machine), so the two cannot be
	// confused.
	if cc.limit < 5*pw.limit {
		t.Fatalf("client credentials' limit %v is not far above password sign-ins' %v: wrong probe", cc.limit, pw.limit)
	}
}
