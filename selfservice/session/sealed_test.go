package session

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSealUntil: a sealed value opens before its expiry and for its own
// purpose only; an expired one, or one whose expiry or value was edited,
// is refused.
func TestSealUntil(t *testing.T) {
	s := NewStepSigner([]byte("0123456789abcdef0123456789abcdef"))
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	sealed := s.SealUntil("flow", `{"s":"state"}`, now.Add(10*time.Minute))
	if v, ok := s.OpenAt("flow", sealed, now); !ok || v != `{"s":"state"}` {
		t.Fatalf("fresh value: %q, %v", v, ok)
	}
	parts := strings.Split(sealed, ".")
	later := now.Add(time.Hour).Unix()
	for name, tc := range map[string]struct {
		purpose, sealed string
		at              time.Time
	}{
		"expired":         {"flow", sealed, now.Add(10 * time.Minute)},
		"expiry extended": {"flow", parts[0] + "." + itoa(later) + "." + parts[2], now.Add(20 * time.Minute)},
		"value edited":    {"flow", "eyJzIjoieCJ9." + parts[1] + "." + parts[2], now},
		"other purpose":   {"portal", sealed, now},
		"no expiry":       {"flow", parts[0] + "." + parts[2], now},
		"garbage":         {"flow", "a.b.c", now},
		"step signature":  {"flow", parts[0] + "." + parts[1] + "." + s.Sign(parts[1]+"\x00"+`{"s":"state"}`, "flow"), now},
	} {
		if v, ok := s.OpenAt(tc.purpose, tc.sealed, tc.at); ok {
			t.Errorf("%s: opened as %q", name, v)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
