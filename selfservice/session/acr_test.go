package session

import (
	"testing"

	"foyer/storage"
)

func TestMFADemand(t *testing.T) {
	for _, tt := range []struct {
		name       string
		d          MFADemand
		asked      bool
		required   bool
		single, mf bool // SatisfiedBy(ACRSingle), SatisfiedBy(ACRMFA)
	}{
		{"off", MFADemand{Mode: storage.MFAOff}, false, false, true, true},
		{"off, factor enrolled", MFADemand{Mode: storage.MFAOff, HasFactors: true}, false, false, true, true},
		{"optional, no factor", MFADemand{Mode: storage.MFAOptional}, false, false, true, true},
		{"optional, factor enrolled", MFADemand{Mode: storage.MFAOptional, HasFactors: true}, false, false, false, true},
		{"required", MFADemand{Mode: storage.MFARequired}, false, true, false, true},
		{"off, acr_values=2", MFADemand{Mode: storage.MFAOff, ACRValues: []string{"2"}}, true, true, false, true},
		{"off, acr_values list", MFADemand{Mode: storage.MFAOff, ACRValues: []string{"1 2"}}, true, true, false, true},
		{"off, second acr_values parameter", MFADemand{Mode: storage.MFAOff, ACRValues: []string{"1", "2"}}, true, true, false, true},
		{"off, acr_values=1", MFADemand{Mode: storage.MFAOff, ACRValues: []string{"1"}}, false, false, true, true},
		{"off, acr_values=12", MFADemand{Mode: storage.MFAOff, ACRValues: []string{"12"}}, false, false, true, true},
		{"off, empty acr_values", MFADemand{Mode: storage.MFAOff, ACRValues: []string{""}}, false, false, true, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.d.Asked(); got != tt.asked {
				t.Errorf("Asked = %v, want %v", got, tt.asked)
			}
			if got := tt.d.Required(); got != tt.required {
				t.Errorf("Required = %v, want %v", got, tt.required)
			}
			if got := tt.d.SatisfiedBy(ACRSingle); got != tt.single {
				t.Errorf("SatisfiedBy(%q) = %v, want %v", ACRSingle, got, tt.single)
			}
			if got := tt.d.SatisfiedBy(ACRMFA); got != tt.mf {
				t.Errorf("SatisfiedBy(%q) = %v, want %v", ACRMFA, got, tt.mf)
			}
			if tt.d.SatisfiedBy("") != tt.single {
				t.Error("a session without an acr counts differently from a single-factor one")
			}
		})
	}
}
