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

// checkVersioned, for an item of path edited once (now at version 2): a
// form still at version 1 is refused with what was typed kept, deleting
// asks first with version 2, and a stale confirmed deletion is refused.
func (br *browser) checkVersioned(t *testing.T, path, staleName string) {
	t.Helper()
	stale := br.post(t, path, url.Values{"name": {staleName}, "version": {"1"}})
	if stale.status != http.StatusPreconditionFailed || !strings.Contains(stale.body, `value="`+staleName+`"`) {
		t.Errorf("stale edit of %s: %d", path, stale.status)
	}
	br.checkConfirmation(t, path+"/delete", "2")
	if got := br.post(t, path+"/delete", url.Values{"confirm": {"yes"}, "version": {"1"}}); got.status != http.StatusPreconditionFailed {
		t.Errorf("stale delete of %s: %d", path, got.status)
	}
}
