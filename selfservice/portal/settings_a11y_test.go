package portal

import (
	"net/http"
	"testing"
)

// Deleting without ticking the box is refused with an error summary that
// takes the focus and links to the box, which is marked invalid and
// described by the message; nothing is deleted.
func TestDeleteAccountErrorSummary(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	alice := e.signedIn(t, "alice@example.com")
	p := alice.post("/account/delete")
	wantStatus(t, "delete unticked", p, http.StatusUnprocessableEntity)
	wantBody(t, "delete unticked", p,
		`role="alert" id="error-summary" tabindex="-1" autofocus>`,
		`<li><a href="#confirm">Tick the box to confirm that you want to delete your account.</a></li>`,
		`aria-invalid="true" aria-describedby="confirm-error"`)
	if _, err := e.store.GetAccount(t.Context(), alice.account.ID); err != nil {
		t.Errorf("the refused deletion removed the account: %v", err)
	}
}
