package admin

import (
	"strings"
	"testing"

	"foyer/storage/sqlstore/sqltest"
)

// TestDuplicateJSONKeysRefused: a body naming a key twice is a 400 that
// names the key and creates nothing (encoding/json would have kept the
// last value, where a proxy or a log may have read the first).
func TestDuplicateJSONKeysRefused(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t, sqltest.SQLite(t))
	before := e.auditCount()
	r := e.do("owner", "POST", "/applications", `{"store_id":"`+storeA+`","name":"Shop","name":"Evil"}`).expect(t, "duplicate name", 400)
	if !strings.Contains(r.str("detail"), `"name"`) {
		t.Fatalf("detail %q does not name the key", r.str("detail"))
	}
	if e.auditCount() != before {
		t.Fatal("a refused body wrote an audit entry")
	}
	e.do("owner", "POST", "/applications", `{"store_id":"`+storeA+`","name":"Shop"}`).expect(t, "the same body without the duplicate", 201)
}
