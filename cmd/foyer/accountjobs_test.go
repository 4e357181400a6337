package main

import (
	"context"
	"net/http"
	"testing"
	"time"

	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// TestAccountJobsThroughTheAPI: a script disables accounts with one call;
// the server's runner does the job in the background and the script
// follows its progress at the Location it was given.
func TestAccountJobsThroughTheAPI(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t), withAccountJobsPoll(10*time.Millisecond))
	api, clientID := newAdminAPI(t, srv)
	ctx := context.Background()
	var ids []string
	for range 3 {
		a := &storage.Account{StoreID: defaultStoreID, Status: storage.AccountEnabled}
		if err := srv.store.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	started := api.do(http.MethodPost, "/stores/"+defaultStoreID+"/account-jobs",
		map[string]any{"action": "disable", "account_ids": ids}).expect(t, "start", http.StatusAccepted, "")
	follow := started.header.Get("Location")[len("/admin/api/v1"):]
	var job apiResponse
	waitFor(t, "the job finishes", 30*time.Second, func() bool {
		job = api.do(http.MethodGet, follow, nil).expect(t, "progress", http.StatusOK, "")
		return job.body["status"] == "done"
	})
	if job.body["processed"] != float64(3) || job.body["failed"] != float64(0) {
		t.Errorf("job = %s", job.raw)
	}
	for _, id := range ids {
		acct, err := srv.store.GetAccount(ctx, id)
		if err != nil || acct.Status != storage.AccountDisabled {
			t.Errorf("account %s: %v, %v", id, acct, err)
		}
		entries, err := srv.store.ListAuditEntries(ctx, storage.AuditFilter{TargetID: id, Action: "account.disabled"})
		if err != nil || len(entries) != 1 || entries[0].ActorID != clientID || entries[0].ActorKind != storage.PrincipalClient {
			t.Errorf("account %s: audit entries %+v, %v", id, entries, err)
		}
	}
}
