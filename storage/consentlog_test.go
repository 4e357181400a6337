package storage

import (
	"testing"
	"time"
)

func TestConsentLog(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	outdated := t0.Add(2 * time.Hour)
	revoked := t0.Add(3 * time.Hour)
	records := []ConsentRecord{
		{Consent: "terms", Version: "1", GrantedAt: t0, OutdatedAt: &outdated},
		{Consent: "terms", Version: "2", GrantedAt: t0.Add(4 * time.Hour)},
		{Consent: "news", Version: "1", GrantedAt: t0.Add(time.Hour), RevokedAt: &revoked},
	}
	events := []ConsentEvent{
		{Consent: "terms", Version: "1", Action: ConsentGranted, CreatedAt: t0},
		{Consent: "news", Version: "1", Action: ConsentGranted, CreatedAt: t0.Add(time.Hour)},
		{Consent: "news", Version: "1", Action: ConsentRevoked, CreatedAt: revoked},
		{Consent: "terms", Version: "2", Action: ConsentGranted, CreatedAt: t0.Add(4 * time.Hour)},
	}
	want := []ConsentLogEntry{
		{"terms", "1", "granted", t0}, {"news", "1", "granted", t0.Add(time.Hour)},
		{"terms", "1", "outdated", outdated}, {"news", "1", "revoked", revoked},
		{"terms", "2", "granted", t0.Add(4 * time.Hour)},
	}
	got := ConsentLog(records, events)
	if len(got) != len(want) {
		t.Fatalf("ConsentLog = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}
