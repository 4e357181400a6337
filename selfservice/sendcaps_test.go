package selfservice_test

import (
	"fmt"
	"testing"
	"time"

	"foyer/storage"
)

// TestResetMailsAreCapped: a stranger asking for reset links for someone
// every 21 seconds (just past the re-request interval) gets five mails
// an hour to that address, not 170, and twenty a day; every request is
// answered the same. One client address gets at most twenty messages an
// hour sent, whoever they go to.
func TestResetMailsAreCapped(t *testing.T) {
	t.Parallel()
	env := registerEnv(t, nil)
	victim := env.AccountWith(t, &storage.Account{Email: "victim@example.com", EmailConfirmed: true}, alicePass)
	// queued waits for the deferred sends, each at the clock's time.
	_, first := requestReset(t, env, victim.Email)
	queued(t, env, "password_reset", victim.Email)
	for range 9 {
		env.Clock.Advance(21 * time.Second)
		_, again := requestReset(t, env, victim.Email)
		sameAnswer(t, "capped request", first, again)
		queued(t, env, "password_reset", victim.Email)
	}
	if n := len(queued(t, env, "password_reset", victim.Email)); n != 5 {
		t.Fatalf("%d reset mails in ten requests within four minutes, want 5 (the hourly cap)", n)
	}
	env.Clock.Advance(time.Hour)
	requestReset(t, env, victim.Email)
	queued(t, env, "password_reset", victim.Email)
	if n := len(queued(t, env, "password_reset", victim.Email)); n != 6 {
		t.Fatalf("%d reset mails an hour later, want 6", n)
	}
	for range 20 { // 50 minutes apart: under the hourly cap, within one day
		env.Clock.Advance(50 * time.Minute)
		requestReset(t, env, victim.Email)
		queued(t, env, "password_reset", victim.Email)
	}
	if n := len(queued(t, env, "password_reset", victim.Email)); n != 20 {
		t.Fatalf("%d reset mails within 18 hours, want 20 (the daily cap)", n)
	}

	// One requester, many addresses: twenty an hour.
	env2 := registerEnv(t, nil)
	for i := range 25 {
		a := env2.AccountWith(t, &storage.Account{Email: fmt.Sprintf("user%d@example.com", i), EmailConfirmed: true}, alicePass)
		requestReset(t, env2, a.Email)
		queued(t, env2, "password_reset", a.Email)
	}
	total := 0
	for i := range 25 {
		total += len(queued(t, env2, "password_reset", fmt.Sprintf("user%d@example.com", i)))
	}
	if total != 20 {
		t.Fatalf("%d reset mails from one address to 25 accounts within the hour, want 20", total)
	}
}
