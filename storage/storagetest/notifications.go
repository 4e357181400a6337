package storagetest

import (
	"testing"
	"time"

	"foyer/storage"
)

func testNotifications(t *testing.T, s storage.Store) {
	ctx := t.Context()
	base := at(0)
	first := &storage.Notification{Channel: "email", To: "a@example.com", Subject: "Hi", Text: "text\nhttps://x/y\n",
		HTML: "<p>hi</p>", AccountID: "acct-1", Kind: "activation", NextAttemptAt: base.Add(-time.Minute), CreatedAt: base.Add(-time.Minute)}
	sms := &storage.Notification{Channel: "sms", To: "+4915100000", Text: "code 123456", Kind: "otp", NextAttemptAt: base, CreatedAt: base}
	later := &storage.Notification{Channel: "voice", To: "+4915100001", Text: "later", NextAttemptAt: base.Add(time.Hour), CreatedAt: base.Add(time.Second)}
	for _, n := range []*storage.Notification{first, sms, later} {
		must(t, "EnqueueNotification", s.EnqueueNotification(ctx, n))
		if n.ID == "" || n.CreatedAt.IsZero() {
			t.Errorf("EnqueueNotification left ID %q or CreatedAt unset", n.ID)
		}
	}
	claim := func(at time.Time, limit int, want ...*storage.Notification) []storage.Notification {
		t.Helper()
		got, err := s.ClaimNotifications(ctx, at, 30*time.Second, limit)
		must(t, "ClaimNotifications", err)
		var ids, wantIDs []string
		for _, n := range got {
			ids = append(ids, n.ID)
		}
		for _, n := range want {
			wantIDs = append(wantIDs, n.ID)
		}
		if !equalStrings(ids, wantIDs) {
			t.Fatalf("ClaimNotifications(%v, %d) = %q, want %q", at, limit, ids, wantIDs)
		}
		return got
	}

	// Oldest due first; the limit holds; a claimed message carries its
	// content and its lock.
	got := claim(base, 1, first)
	if n := got[0]; n.Channel != "email" || n.To != first.To || n.Subject != "Hi" || n.Text != first.Text ||
		n.HTML != first.HTML || n.AccountID != "acct-1" || n.Kind != "activation" || n.Attempts != 0 ||
		n.LockedUntil == nil || n.SentAt != nil || n.LastError != "" {
		t.Errorf("claimed notification = %+v", n)
	} else {
		sameTime(t, "LockedUntil", *n.LockedUntil, base.Add(30*time.Second))
	}
	claim(base, 10, sms)
	claim(base, 10) // both locked, the third not due
	claim(base.Add(31*time.Second), 10, first, sms)

	// A failure counts the attempt, keeps the error and waits.
	must(t, "FailNotification", s.FailNotification(ctx, sms.ID, base.Add(10*time.Minute), "421 try later"))
	// A sent message is never claimed again, however long it waits.
	must(t, "MarkNotificationSent", s.MarkNotificationSent(ctx, first.ID, base.Add(time.Minute)))
	claim(base.Add(5*time.Minute), 10)
	got = claim(base.Add(10*time.Minute), 10, sms)
	if got[0].Attempts != 1 || got[0].LastError != "421 try later" {
		t.Errorf("after a failure: attempts %d, last error %q", got[0].Attempts, got[0].LastError)
	}
	sameTime(t, "NextAttemptAt", got[0].NextAttemptAt, base.Add(10*time.Minute))
	claim(base.Add(2*time.Hour), 10, sms, later) // sms's lease ran out

	// Newest first, sent ones included (the dev outbox lists them).
	list, err := s.ListNotifications(ctx, 10)
	must(t, "ListNotifications", err)
	if len(list) != 3 || list[0].ID != later.ID || list[2].ID != first.ID {
		t.Fatalf("ListNotifications = %d rows, want later, sms, first", len(list))
	}
	if list[2].SentAt == nil || list[2].LockedUntil != nil {
		t.Errorf("sent notification: SentAt %v, LockedUntil %v", list[2].SentAt, list[2].LockedUntil)
	} else {
		sameTime(t, "SentAt", *list[2].SentAt, base.Add(time.Minute))
	}
	if list, err := s.ListNotifications(ctx, 1); err != nil || len(list) != 1 {
		t.Errorf("ListNotifications(1) = %d rows, %v", len(list), err)
	}

	// Purging drops only what was sent before the cut-off.
	n, err := s.PurgeSentNotifications(ctx, base.Add(time.Minute))
	must(t, "PurgeSentNotifications", err)
	if n != 0 {
		t.Errorf("PurgeSentNotifications before the send = %d, want 0", n)
	}
	n, err = s.PurgeSentNotifications(ctx, base.Add(2*time.Minute))
	must(t, "PurgeSentNotifications", err)
	if n != 1 {
		t.Errorf("PurgeSentNotifications = %d, want 1", n)
	}
	must(t, "DeleteNotification", s.DeleteNotification(ctx, later.ID))
	wantErr(t, "DeleteNotification missing", s.DeleteNotification(ctx, later.ID), storage.ErrNotFound)
	wantErr(t, "FailNotification missing", s.FailNotification(ctx, later.ID, base, "x"), storage.ErrNotFound)
	wantErr(t, "MarkNotificationSent missing", s.MarkNotificationSent(ctx, later.ID, base), storage.ErrNotFound)
}

// Nodes polling the outbox at once never claim one message twice.
func testNotificationClaimRace(t *testing.T, s storage.Store) {
	ctx := t.Context()
	base := at(0)
	one := &storage.Notification{Channel: "email", To: unique("r") + "@example.com", NextAttemptAt: base}
	must(t, "EnqueueNotification", s.EnqueueNotification(ctx, one))
	errs := race(16, func(int) error {
		got, err := s.ClaimNotifications(ctx, base, 30*time.Second, 10)
		if err == nil && len(got) == 0 {
			return storage.ErrNotFound
		}
		return err
	})
	checkOneWinner(t, "ClaimNotifications of one message", errs, storage.ErrNotFound)

	for i := range 5 {
		n := &storage.Notification{Channel: "sms", To: unique("+49"), NextAttemptAt: base.Add(-time.Duration(i) * time.Second)}
		must(t, "EnqueueNotification", s.EnqueueNotification(ctx, n))
	}
	claimed := make([][]storage.Notification, 16)
	errs = race(len(claimed), func(i int) error {
		var err error
		claimed[i], err = s.ClaimNotifications(ctx, base, 30*time.Second, 2)
		return err
	})
	seen := map[string]int{}
	for i, err := range errs {
		must(t, "ClaimNotifications", err)
		for _, n := range claimed[i] {
			seen[n.ID]++
		}
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("notification %s claimed %d times, want once", id, n)
		}
	}
	if len(seen) == 0 {
		t.Errorf("no notification was claimed")
	}
}
