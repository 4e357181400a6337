package authz

import (
	"fmt"
	"testing"
	"time"
)

func TestRecentFailures(t *testing.T) {
	base := time.Date(2026, 12, 7, 4, 0, 0, 0, time.UTC)
	f := newRecentFailures(4)
	if f.seen("a", base.Add(-time.Minute)) {
		t.Fatal("a key never noted is seen")
	}
	f.note("a", base)
	if !f.seen("a", base.Add(-time.Minute)) || f.seen("a", base) {
		t.Error("seen must report a failure after since, and only then")
	}
	for i := range 4 { // past the cap the older half goes, the newest stays
		f.note(fmt.Sprint("k", i), base.Add(time.Duration(i+1)*time.Second))
	}
	if len(f.last) > 4 || !f.seen("k3", base) || f.seen("a", base.Add(-time.Minute)) {
		t.Errorf("after the cap: %v", f.last)
	}
	same := newRecentFailures(2)
	for i := range 5 { // failures at one instant cannot be halved by time
		same.note(fmt.Sprint("s", i), base)
	}
	if len(same.last) > 2 {
		t.Errorf("the cap is not kept for failures at one instant: %d keys", len(same.last))
	}
}
