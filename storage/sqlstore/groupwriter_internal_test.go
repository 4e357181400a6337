package sqlstore

import (
	"context"
	"errors"
	"testing"
)

// TestLiveAnswersCallersThatGaveUp: a batch keeps its waiting callers in
// order, and each caller whose context ended gets that error at once,
// without being written.
func TestLiveAnswersCallersThatGaveUp(t *testing.T) {
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	waiting := context.Background()
	batch := []*codeUse{
		{ctx: waiting, signature: "a", done: make(chan error, 1)},
		{ctx: gone, signature: "b", done: make(chan error, 1)},
		{ctx: waiting, signature: "c", done: make(chan error, 1)},
	}
	got := live(batch)
	if len(got) != 2 || got[0].signature != "a" || got[1].signature != "c" {
		t.Fatalf("live kept %d callers; want a and c", len(got))
	}
	select {
	case err := <-batch[1].done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("the caller that gave up got %v, want context.Canceled", err)
		}
	default:
		t.Fatal("the caller that gave up got no answer")
	}
	for _, u := range got {
		select {
		case err := <-u.done:
			t.Fatalf("waiting caller %s answered early: %v", u.signature, err)
		default:
		}
	}
	if all := live([]*pendingToken{{ctx: gone, done: make(chan error, 1)}}); len(all) != 0 {
		t.Fatalf("a batch whose only caller gave up kept %d", len(all))
	}
}
