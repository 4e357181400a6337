package fositestore

import (
	"context"
	"testing"
	"time"

	"github.com/ory/fosite"

	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// ssoSession is a fosite session issued under an SSO session.
type ssoSession struct {
	fosite.DefaultSession
	SID string `json:"sid"`
}

func (s *ssoSession) SSOSessionID() string { return s.SID }

// TestCodeRecordsSessionParticipation: issuing a code under an SSO session
// records the client as taking part in it, so back-channel logout reaches
// the client even after its short-lived tokens are cleaned up.
func TestCodeRecordsSessionParticipation(t *testing.T) {
	ctx := context.Background()
	db := sqltest.SQLite(t)
	sso := &storage.Session{ID: "sso-1", AccountID: "alice", AuthTime: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}
	if err := db.CreateSession(ctx, sso); err != nil {
		t.Fatal(err)
	}
	s := New(db, nil, nil)
	req := fosite.NewRequest()
	req.ID = "request-1"
	req.Client = NewClient(&storage.Client{ID: "shop"})
	req.Session = &ssoSession{DefaultSession: fosite.DefaultSession{Subject: "alice"}, SID: sso.ID}
	if err := s.CreateAuthorizeCodeSession(ctx, "sig-1", req); err != nil {
		t.Fatal(err)
	}
	// The code going away (used, then cleaned up) leaves the record.
	if err := db.DeleteToken(ctx, storage.TokenAuthorizeCode, "sig-1"); err != nil {
		t.Fatal(err)
	}
	got, err := db.ClientsForSession(ctx, sso.ID)
	if err != nil || len(got) != 1 || got[0] != "shop" {
		t.Fatalf("ClientsForSession = %q, %v; want [shop]", got, err)
	}

	// A grant without an SSO session (client credentials) records nothing.
	req.ID, req.Session = "request-2", &fosite.DefaultSession{}
	if err := s.CreateAuthorizeCodeSession(ctx, "sig-2", req); err != nil {
		t.Fatal(err)
	}
}
