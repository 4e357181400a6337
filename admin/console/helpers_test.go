package console

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// Helpers more than one page's tests share.

// onBothStores runs run, in parallel, against a console on PostgreSQL
// and one on SQLite.
func onBothStores(t *testing.T, run func(t *testing.T, e *testEnv)) {
	t.Helper()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		t.Parallel()
		run(t, newEnv(t, newStore(t)))
	})
}

// checkConfirmation: a post to an irreversible action without
// confirm=yes goes to its confirmation page instead, and that page posts
// confirm=yes with the version the administrator saw.
func (br *browser) checkConfirmation(t *testing.T, action, version string) {
	t.Helper()
	if got := br.post(t, action, url.Values{"version": {version}}); got.status != http.StatusSeeOther || got.location != action {
		t.Errorf("%s without confirm: %d to %q", action, got.status, got.location)
	}
	page := br.get(t, action)
	if page.status != http.StatusOK || !strings.Contains(page.body, `name="confirm" value="yes"`) ||
		!strings.Contains(page.body, `name="version" value="`+version+`"`) {
		t.Errorf("the confirmation of %s lacks confirm=yes or version %s: %d", action, version, page.status)
	}
}
