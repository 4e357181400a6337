package console

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
	"foyer/storage"
)

// AuditService is what the console asks of the audit log
// (manage.Audit).
type AuditService interface {
	List(ctx context.Context, actor manage.Actor, f storage.AuditFilter) ([]storage.AuditEntry, error)
	ExportAudit(ctx context.Context, actor manage.Actor, w io.Writer, f storage.AuditFilter) (int64, error)
}

const (
	auditRoute       = "console.audit"
	auditExportRoute = "console.audit_export"
	auditPageSize    = 50
	// dateLayout is the value of an <input type="date">.
	dateLayout = "2006-01-02"
)

func (h *Handler) mountAudit(r *mux.Router) {
	route.Handle(r, auditRoute, "/admin/audit", route.Methods{http.MethodGet: h.authed(h.auditPage)})
	route.Handle(r, auditExportRoute, "/admin/audit/export.jsonl", route.Methods{http.MethodGet: h.authed(h.auditExport)})
}

// auditQuery is the audit page's filter form, as typed.
type auditQuery struct {
	Actor, Action, TargetType, TargetID, Store, Since, Until string
	Before                                                   int64
}

// auditPage is the data of admin_audit.
type auditPage struct {
	frame
	auditQuery
	// StoreChoices: the stores a filter may name; AllStores: the actor
	// may read the whole log (an empty store filter).
	StoreChoices []storeChoice
	AllStores    bool
	Entries      []auditRow
	NextURL      string
	ExportURL    string
	FieldErrors  map[string]string
}

type auditRow struct {
	Seq                                  int64
	When, ActorName, ActorURL, Role, IP  string
	Action, Target, TargetURL, StoreName string
	Before, After                        string
}

func readAuditQuery(r *http.Request) auditQuery {
	q := r.URL.Query()
	before, _ := strconv.ParseInt(q.Get("before"), 10, 64)
	return auditQuery{Actor: q.Get("actor"), Action: q.Get("action"), TargetType: q.Get("target_type"), TargetID: q.Get("target_id"),
		Store: q.Get("store"), Since: q.Get("since"), Until: q.Get("until"), Before: before}
}

// values is the query as URL parameters (without the page).
func (q auditQuery) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"actor": q.Actor, "action": q.Action, "target_type": q.TargetType, "target_id": q.TargetID,
		"store": q.Store, "since": q.Since, "until": q.Until} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// filter turns the query into a storage filter, with a message per bad
// field. An actor who may not read the whole log gets its first store.
func (q *auditQuery) filter(rq *request) (storage.AuditFilter, map[string]string) {
	errs := map[string]string{}
	f := storage.AuditFilter{ActorID: q.Actor, Action: q.Action, TargetType: q.TargetType, TargetID: q.TargetID,
		StoreID: q.Store, BeforeSeq: q.Before, Limit: auditPageSize + 1}
	if q.Store == "" && !rq.Actor.Can(manage.ReadAudit, "") {
		for _, s := range rq.Stores {
			if rq.Actor.Can(manage.ReadAudit, s.ID) {
				q.Store, f.StoreID = s.ID, s.ID
				break
			}
		}
	}
	if q.Since != "" {
		t, err := time.Parse(dateLayout, q.Since)
		if err != nil {
			errs["since"] = "Enter a date."
		}
		f.Since = t
	}
	if q.Until != "" {
		t, err := time.Parse(dateLayout, q.Until)
		if err != nil {
			errs["until"] = "Enter a date."
		}
		// The whole day the filter names.
		f.Until = t.AddDate(0, 0, 1)
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Since.Before(f.Until) {
		errs["until"] = "Enter a day on or after the first day."
	}
	return f, errs
}

// auditPage lists the entries matching the filters, newest first, a page
// at a time (the next page starts below the last entry's position).
func (h *Handler) auditPage(w http.ResponseWriter, r *http.Request, rq *request) error {
	if !rq.Actor.CanAnyStore(manage.ReadAudit) {
		return manage.ErrForbidden
	}
	q := readAuditQuery(r)
	f, errs := q.filter(rq)
	p := &auditPage{auditQuery: q, AllStores: rq.Actor.Can(manage.ReadAudit, "")}
	for _, s := range rq.Stores {
		if rq.Actor.Can(manage.ReadAudit, s.ID) {
			p.StoreChoices = append(p.StoreChoices, storeChoice{ID: s.ID, Name: s.Name, Current: s.ID == q.Store})
		}
	}
	if len(errs) > 0 {
		p.FieldErrors, p.Error = errs, "admin.fix_errors"
		h.page(w, r, rq, "admin_audit", http.StatusUnprocessableEntity, q.Store, p)
		return nil
	}
	entries, err := h.audit.List(r.Context(), rq.Actor, f)
	if err != nil {
		return err
	}
	if len(entries) > auditPageSize {
		entries = entries[:auditPageSize]
		next := q.values()
		next.Set("before", strconv.FormatInt(entries[len(entries)-1].Seq, 10))
		p.NextURL = h.path(auditRoute, next)
	}
	names := map[string]string{}
	for _, s := range rq.Stores {
		names[s.ID] = s.Name
	}
	for _, e := range entries {
		p.Entries = append(p.Entries, h.auditRow(e, q, names))
	}
	p.ExportURL = h.path(auditExportRoute, q.values())
	h.page(w, r, rq, "admin_audit", http.StatusOK, q.Store, p)
	return nil
}

func (h *Handler) auditRow(e storage.AuditEntry, q auditQuery, stores map[string]string) auditRow {
	row := auditRow{Seq: e.Seq, When: e.CreatedAt.UTC().Format("2006-01-02 15:04:05 UTC"), ActorName: e.ActorName, Role: string(e.Role),
		IP: e.IP, Action: e.Action, Before: e.Before, After: e.After, StoreName: stores[e.StoreID]}
	if row.StoreName == "" {
		row.StoreName = e.StoreID
	}
	if e.ActorID != "" {
		v := q.values()
		v.Set("actor", e.ActorID)
		row.ActorURL = h.path(auditRoute, v)
	}
	if e.TargetType != "" {
		row.Target = e.TargetType + " " + e.TargetID
		v := q.values()
		v.Set("target_type", e.TargetType)
		v.Set("target_id", e.TargetID)
		row.TargetURL = h.path(auditRoute, v)
	}
	return row
}

// auditExport downloads the entries matching the filters as JSON lines,
// oldest first (every match, not one page).
func (h *Handler) auditExport(w http.ResponseWriter, r *http.Request, rq *request) error {
	q := readAuditQuery(r)
	q.Before = 0
	f, errs := q.filter(rq)
	if len(errs) > 0 {
		http.Redirect(w, r, h.path(auditRoute, q.values()), http.StatusSeeOther) //nolint:gosec // G710: the console's own route
		return nil
	}
	f.Limit = 0
	if err := rq.Actor.Require(manage.ReadAudit, f.StoreID); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/jsonl; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", "foyer-audit-"+h.cfg.Now().UTC().Format("20060102-150405")+".jsonl"))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if _, err := h.audit.ExportAudit(r.Context(), rq.Actor, w, f); err != nil {
		// Headers are out; all that is left is to log and stop.
		h.log.ErrorContext(r.Context(), "console audit export", "err", err)
	}
	return nil
}
