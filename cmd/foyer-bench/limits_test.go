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
