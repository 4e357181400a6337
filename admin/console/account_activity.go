package console

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
)

// AccountActivityService is what the Activity, Sessions and Consents tabs
// ask of manage.AccountActivity.
type AccountActivityService interface {
	Events(ctx context.Context, a manage.Actor, storeID, accountID string, q manage.ActivityQuery) (manage.Page[manage.ActivityEvent], error)
	SupportActions(ctx context.Context, a manage.Actor, storeID, accountID string, q manage.ActivityQuery) (manage.Page[manage.SupportAction], error)
	Sessions(ctx context.Context, a manage.Actor, storeID, accountID string) ([]manage.AccountSession, error)
	EndSession(ctx context.Context, a manage.Actor, storeID, accountID, sessionID string) error
	EndSessions(ctx context.Context, a manage.Actor, storeID, accountID string) (int, error)
	Consents(ctx context.Context, a manage.Actor, storeID, accountID string) (manage.AccountConsents, error)
}

const (
	accountActivityRoute = "console.account_activity"
	activityPageSize     = 50
	// activitySupport is the Activity tab's view of the support actions
	// (?view=support); the default view is the customer's event log.
	activitySupport = "support"
	timeLayout      = "2006-01-02 15:04:05 UTC"
)

// mountAccountActivity registers the Activity, Sessions and Consents tabs
// of the account profile, when the console has their service.
func (h *Handler) mountAccountActivity(r *mux.Router) {
	if h.activity == nil {
		return
	}
	route.Handle(r, accountActivityRoute, accountPathPrefix+"/activity", route.Methods{http.MethodGet: h.authed(h.accountActivityPage)})
	h.addAccountTab(accountTab{Route: accountActivityRoute, Label: "admin.account.tab.activity", Order: accountTabActivity})
	h.mountAccountSessions(r)
	h.mountAccountConsents(r)
}

// activityQuery is the Activity tab's filter form, as typed.
type activityQuery struct {
	View, Kind, Since, Until, Cursor string
}

func readActivityQuery(r *http.Request) activityQuery {
	q := r.URL.Query()
	v := activityQuery{View: q.Get("view"), Kind: q.Get("kind"), Since: q.Get("since"), Until: q.Get("until"), Cursor: q.Get("cursor")}
	if v.View != activitySupport {
		v.View = ""
	}
	return v
}

// values is the query as URL parameters (without the cursor).
func (q activityQuery) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"view": q.View, "kind": q.Kind, "since": q.Since, "until": q.Until} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// service turns the form into the service's query; dates are whole UTC
// days, the until day included.
func (q activityQuery) service() (manage.ActivityQuery, map[string]string) {
	errs := map[string]string{}
	out := manage.ActivityQuery{Kind: q.Kind, After: q.Cursor, Limit: activityPageSize}
	if q.Since != "" {
		t, err := time.Parse(dateLayout, q.Since)
		if err != nil {
			errs["since"] = "admin.account.activity.bad_date"
		}
		out.Since = t
	}
	if q.Until != "" {
		t, err := time.Parse(dateLayout, q.Until)
		if err != nil {
			errs["until"] = "admin.account.activity.bad_date"
		} else {
			out.Until = t.AddDate(0, 0, 1)
		}
	}
	if !out.Since.IsZero() && !out.Until.IsZero() && !out.Since.Before(out.Until) {
		errs["until"] = "admin.account.activity.bad_range"
	}
	return out, errs
}

// kindChoice is an option of the kind filter.
type kindChoice struct {
	Value, Label string // Label: a catalog key, or "" to show Value
	Selected     bool
}

// activityRow is one event as the tab shows it.
type activityRow struct {
	When, At  string
	Kind      string
	KindLabel string // catalog key of a known kind, else ""
	IP, Actor string
	Device    string // browser and system of the event's user agent
	// ActorKey names the actor when it is the customer or the system
	// (a catalog key); otherwise Actor is shown as stored.
	ActorKey string
	Data     []dataItem
}

type dataItem struct{ Key, Value string }

// supportRow is one support action as the tab shows it.
type supportRow struct {
	When, At, Action, ActorName, Role string
	Before, After                     string
}

// accountActivityPage is the data of admin_account_activity.
type accountActivityPage struct {
	accountFrame
	activityQuery
	Support     bool
	EventsURL   string
	SupportURL  string
	KindGroups  []kindChoice
	Kinds       []kindChoice
	Events      []activityRow
	Actions     []supportRow
	NextURL     string
	FirstURL    string
	AuditURL    string // the full audit entries, for those who may read the log
	FieldErrors map[string]string
}

func (h *Handler) accountActivityPage(w http.ResponseWriter, r *http.Request, rq *request) error {
	f, err := h.accountFrameFor(r, rq, accountActivityRoute)
	if err != nil {
		return err
	}
	q := readActivityQuery(r)
	vars := []string{"store", f.StoreID, "account", f.Account.ID}
	p := &accountActivityPage{accountFrame: *f, activityQuery: q, Support: q.View == activitySupport,
		EventsURL:  h.path(accountActivityRoute, nil, vars...),
		SupportURL: h.path(accountActivityRoute, url.Values{"view": {activitySupport}}, vars...)}
	p.KindGroups, p.Kinds = kindChoices(q.Kind)
	if rq.Actor.Can(manage.ReadAudit, f.StoreID) {
		p.AuditURL = h.path(auditRoute, url.Values{"target_type": {"account"}, "target_id": {f.Account.ID}, "store": {f.StoreID}})
	}
	sq, errs := q.service()
	if len(errs) > 0 {
		p.FieldErrors, p.Error = errs, "admin.fix_errors"
		h.page(w, r, rq, "admin_account_activity", http.StatusUnprocessableEntity, f.StoreID, p)
		return nil
	}
	next, err := h.fillActivity(r, rq, f, sq, p)
	if fields, pageErr, ok := formErrors(err, func(s string) string { return s }); ok {
		// A stale or foreign cursor: start again from the newest.
		p.FieldErrors, p.Error = fields, pageErr
		h.page(w, r, rq, "admin_account_activity", http.StatusUnprocessableEntity, f.StoreID, p)
		return nil
	} else if err != nil {
		return err
	}
	if next != "" {
		v := q.values()
		v.Set("cursor", next)
		p.NextURL = h.path(accountActivityRoute, v, vars...)
	}
	if q.Cursor != "" {
		p.FirstURL = h.path(accountActivityRoute, q.values(), vars...)
	}
	h.page(w, r, rq, "admin_account_activity", http.StatusOK, f.StoreID, p)
	return nil
}

// fillActivity reads the view's page into p and returns the next cursor.
func (h *Handler) fillActivity(r *http.Request, rq *request, f *accountFrame, sq manage.ActivityQuery, p *accountActivityPage) (string, error) {
	if p.Support {
		page, err := h.activity.SupportActions(r.Context(), rq.Actor, f.StoreID, f.Account.ID, sq)
		if err != nil {
			return "", err
		}
		for _, a := range page.Items {
			p.Actions = append(p.Actions, supportRow{When: a.CreatedAt.UTC().Format(timeLayout), At: a.CreatedAt.UTC().Format(time.RFC3339),
				Action: a.Action, ActorName: a.ActorName, Role: a.Role, Before: string(a.Before), After: string(a.After)})
		}
		return page.Next, nil
	}
	page, err := h.activity.Events(r.Context(), rq.Actor, f.StoreID, f.Account.ID, sq)
	if err != nil {
		return "", err
	}
	known := manage.EventKinds()
	for _, e := range page.Items {
		p.Events = append(p.Events, eventRow(e, f.Account.ID, known))
	}
	return page.Next, nil
}

func eventRow(e manage.ActivityEvent, accountID string, known []string) activityRow {
	row := activityRow{When: e.CreatedAt.UTC().Format(timeLayout), At: e.CreatedAt.UTC().Format(time.RFC3339), Kind: e.Kind,
		IP: e.IP, Actor: e.Actor, Device: strings.Join(nonEmpty(e.Browser, e.OS), ", ")}
	if slices.Contains(known, e.Kind) {
		row.KindLabel = "admin.account.event." + e.Kind
	}
	switch e.Actor {
	case accountID:
		row.ActorKey = "admin.account.activity.actor_customer"
	case "system":
		row.ActorKey = "admin.account.activity.actor_system"
	case "self-service":
		row.ActorKey = "admin.account.activity.actor_self_service"
	}
	keys := make([]string, 0, len(e.Data))
	for k := range e.Data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		row.Data = append(row.Data, dataItem{Key: k, Value: e.Data[k]})
	}
	return row
}

// kindChoices are the kind filter's options: the families ("login."),
// then every known kind; a kind typed into the URL that is neither is
// kept as an extra option so the filter shows what is applied.
func kindChoices(current string) (groups, kinds []kindChoice) {
	for _, g := range manage.EventKindGroups() {
		groups = append(groups, kindChoice{Value: g, Label: "admin.account.event_group." + g[:len(g)-1], Selected: g == current})
	}
	found := current == "" || slices.Contains(manage.EventKindGroups(), current)
	for _, k := range manage.EventKinds() {
		kinds = append(kinds, kindChoice{Value: k, Label: "admin.account.event." + k, Selected: k == current})
		found = found || k == current
	}
	if !found {
		kinds = append(kinds, kindChoice{Value: current, Selected: true})
	}
	return groups, kinds
}

// eventKindKeys are the catalog keys the tab may show (a test checks both
// catalogs hold them).
func eventKindKeys() []string {
	var keys []string
	for _, g := range manage.EventKindGroups() {
		keys = append(keys, "admin.account.event_group."+g[:len(g)-1])
	}
	for _, k := range manage.EventKinds() {
		keys = append(keys, "admin.account.event."+k)
	}
	return keys
}
