package themes

import (
	"testing"
	"time"
)

// TestNewMoment: a time is shown in the zone given, in the page
// language's format, with the zone named; without a zone in UTC, saying
// "UTC"; unknown and hostile zone names fall back.
func TestNewMoment(t *testing.T) {
	at := time.Date(2026, 12, 7, 8, 31, 0, 0, time.UTC)
	berlin := Zone("", "Nowhere/Atlantis", "Europe/Berlin")
	tests := []struct {
		lang string
		loc  *time.Location
		text string
		iso  string
	}{
		{"en", berlin, "Dec 7, 2026, 9:31 AM CET", "2026-12-07T09:31:00+01:00"},
		{"de", berlin, "07.12.2026, 09:31 CET", "2026-12-07T09:31:00+01:00"},
		{"en-GB", nil, "Dec 7, 2026, 8:31 AM UTC", "2026-12-07T08:31:00Z"},
		{"fr", berlin, "07/12/2026 09:31 CET", "2026-12-07T09:31:00+01:00"},
		{"ja", nil, "2026/12/07 08:31 UTC", "2026-12-07T08:31:00Z"},
		{"ko", Zone("../etc/passwd", "Bogus"), "2026-12-07 08:31 UTC", "2026-12-07T08:31:00Z"},
	}
	for _, tt := range tests {
		if got := NewMoment(tt.lang, at, tt.loc); got.Text != tt.text || got.ISO != tt.iso {
			t.Errorf("NewMoment(%s, %v) = %+v, want %q %q", tt.lang, tt.loc, got, tt.text, tt.iso)
		}
	}
}
