package console

import (
	"net/http"

	"foyer/admin/manage"
)

// The confirm-then-delete flow every item page uses: a confirmation page
// (works without JavaScript) that posts confirm=yes with the version the
// administrator saw, and the post that acts only with it.

// confirmPage is the data of admin_confirm: the question before an
// irreversible action, a form that posts confirm=yes, and a way back.
type confirmPage struct {
	frame
	Title, Question, Subject string
	ActionURL, Button        string
	CancelURL                string
	// Version, when set, is posted with the confirmation (the version
	// the administrator saw).
	Version int64
}

// confirm shows the confirmation page, to an actor who holds p on
// storeID only: the question itself is part of the protected action.
func (h *Handler) confirm(w http.ResponseWriter, r *http.Request, rq *request, p manage.Permission, storeID string, page confirmPage) error {
	if err := rq.Actor.Require(p, storeID); err != nil {
		return err
	}
	h.page(w, r, rq, "admin_confirm", http.StatusOK, "", &page)
	return nil
}

// deletion is what one item page's confirmed delete (or removal) does.
type deletion struct {
	// confirmURL is the confirmation page; a post without confirm=yes
	// goes there instead of acting.
	confirmURL string
	// remove calls the service with the version the confirmation posted.
	remove func(version int64) error
	// rename maps the service's field names (see formErrors).
	rename func(string) string
	// refused shows the item's page again with the service's refusal
	// (a conflict, a stale version): its status, the sentence formErrors
	// made of it, and the error itself for pages that read it whole.
	refused func(status int, pageErr string, err error) error
	// after is where a done deletion goes, with notice. It is a func
	// because some pages learn it only while removing.
	after  func() string
	notice string
}

// deleteConfirmed acts only with the confirmation page's confirm=yes;
// a refusal shows on the item's page, success redirects to d.after.
func (h *Handler) deleteConfirmed(w http.ResponseWriter, r *http.Request, d deletion) error {
	if r.PostFormValue("confirm") != "yes" {
		http.Redirect(w, r, d.confirmURL, http.StatusSeeOther) //nolint:gosec // G710: the console's own route
		return nil
	}
	err := d.remove(formVersion(r))
	if _, pageErr, ok := formErrors(err, d.rename); ok {
		return d.refused(statusOf(err), pageErr, err)
	}
	if err != nil {
		return err
	}
	h.done(w, r, d.after(), d.notice)
	return nil
}

// saved ends the post of an item's form: an error the form can show goes
// back to the item's page through refused, any other to the adapter, and
// success redirects to item with the "saved" notice.
func (h *Handler) saved(w http.ResponseWriter, r *http.Request, err error, refused func(err error), item string) error {
	if _, _, ok := formErrors(err, indexedField); ok {
		refused(err)
		return nil
	}
	if err != nil {
		return err
	}
	h.done(w, r, item, "saved")
	return nil
}

// to is an after that knows its path from the start.
func to(path string) func() string { return func() string { return path } }
