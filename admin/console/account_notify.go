package console

import (
	"net/http"

	"foyer/admin/manage"
)

// The account profile's "Notify the customer" (seed 002, Customer
// notifications): the frame carries the clients that fit the account, and
// each support change form includes admin_notify (_admin_notify.html)
// with the frame's NotifyFor.

// addNoticeClients fills in the clients for an actor who may change the
// account (nobody else sees a form).
func (h *Handler) addNoticeClients(r *http.Request, rq *request, f *accountFrame) error {
	if h.notices == nil || !f.CanWrite {
		return nil
	}
	clients, err := h.notices.ClientsFor(r.Context(), rq.Actor, f.StoreID, f.Account.ID)
	if err != nil {
		return err
	}
	f.NoticeClients = clients
	return nil
}

// NotifyFor is the partial's data for the form named form (its field ids
// start with it), optional, with the refused choice when it is that form.
func (f accountFrame) NotifyFor(form string) noticeField {
	n := noticeField{Clients: f.NoticeClients, Form: form, Legend: "admin.notify.legend", None: "admin.notify.none"}
	if form == f.NotifyForm {
		n.Selected, n.Error = f.NotifySelected, f.NotifyError
	}
	return n
}

// refusedNotice keeps a refused form's choice and the error about it.
func (f *accountFrame) refusedNotice(r *http.Request, form string, errs map[string]string) {
	f.NotifyForm, f.NotifySelected, f.NotifyError = form, r.PostFormValue("notify_client_id"), errs["notify.client_id"]
}

// statusNotice reads the status form's notice choice.
func statusNotice(r *http.Request) *manage.NotifyChoice { return noticeFrom(r) }
