package console

import "net/http"

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

func (h *Handler) confirm(w http.ResponseWriter, r *http.Request, rq *request, p confirmPage) {
	h.page(w, r, rq, "admin_confirm", http.StatusOK, "", &p)
}
