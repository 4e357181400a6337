package admin

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
	"foyer/storage"
)

// mountAudit registers the audit log's endpoints (read only: the log is
// appended to by every change, never through the API).
func (h *Handler) mountAudit(api *mux.Router) {
	route.Handle(api, "admin.audit", "/audit", route.Methods{http.MethodGet: h.authorized(h.listAudit)})
	route.Handle(api, "admin.audit_export", "/audit/export", route.Methods{http.MethodGet: h.authorized(h.exportAudit)})
}

// auditFilter reads the filters both endpoints share.
func auditFilter(r *http.Request) (storage.AuditFilter, error) {
	q := r.URL.Query()
	f := storage.AuditFilter{ActorID: q.Get("actor"), Action: q.Get("action"), TargetType: q.Get("target_type"),
		TargetID: q.Get("target_id"), StoreID: q.Get("store")}
	for _, t := range []struct {
		name string
		dst  *time.Time
	}{{"since", &f.Since}, {"until", &f.Until}} {
		s := q.Get(t.name)
		if s == "" {
			continue
		}
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return f, fmt.Errorf("%w: %s must be an RFC 3339 time, e.g. 2026-01-02T15:04:05Z", errBadRequest, t.name)
		}
		*t.dst = v
	}
	return f, nil
}

// listAudit pages newest first; the cursor is the last entry's sequence
// number.
func (h *Handler) listAudit(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	f, err := auditFilter(r)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	limit, after, err := pageParams(r)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	if after != "" {
		seq, err := strconv.ParseInt(after, 10, 64)
		if err != nil || seq < 1 {
			return writeServiceError(w, r, fmt.Errorf("%w: cursor is not one this API returned", errBadRequest))
		}
		f.BeforeSeq = seq
	}
	f.Limit = limit + 1
	entries, err := h.audit.List(r.Context(), a, f)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	more := len(entries) > limit
	records := make([]manage.AuditRecord, 0, min(len(entries), limit))
	for _, e := range entries[:min(len(entries), limit)] {
		records = append(records, manage.RecordOf(e))
	}
	writeJSON(w, http.StatusOK, newList(records, more, func(e manage.AuditRecord) string { return strconv.FormatInt(e.Seq, 10) }))
	return nil
}

// exportAudit streams every matching entry as JSON lines, oldest first.
// A failure after the first line cannot change the status any more: it
// is logged and the stream ends short (the chain shows where).
func (h *Handler) exportAudit(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	f, err := auditFilter(r)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	if err := a.Require(manage.ReadAudit, f.StoreID); err != nil {
		return writeServiceError(w, r, err)
	}
	w.Header().Set("Content-Type", "application/jsonl")
	w.Header().Set("Content-Disposition", `attachment; filename="foyer-audit.jsonl"`)
	if _, err := h.audit.ExportAudit(r.Context(), a, w, f); err != nil {
		h.log.ErrorContext(r.Context(), "admin api: audit export", "err", err)
	}
	return nil
}
