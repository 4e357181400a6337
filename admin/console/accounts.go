package console

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
)

// AccountSearchService is what the console asks of the account list
// (manage.AccountSearch).
type AccountSearchService interface {
	Search(ctx context.Context, a manage.Actor, storeID string, q manage.AccountQuery) (manage.Page[manage.AccountSummary], error)
	PinnedFields(ctx context.Context, a manage.Actor) ([]string, error)
	SetPinnedFields(ctx context.Context, a manage.Actor, fields []string) ([]string, error)
}

// Routes of the account list. The profile and the bulk actions are
// registered by their own parts; until they are, the list links to their
// paths as the contracts spell them.
const (
	accountsStartRoute = "console.accounts_start"
	accountPinsRoute   = "console.account_search_pins"
	accountJobsRoute   = "console.account_jobs_create"
	accountsPageSize   = 50
	listTime           = "2006-01-02 15:04 UTC"
)

// bulkActions are the quick actions a selection can run (console.account_jobs_create).
var bulkActions = []string{"enable", "disable", "add_to_group", "remove_from_group", "delete"}

func (h *Handler) mountAccounts(r *mux.Router) {
	route.Handle(r, accountsRoute, "/admin/stores/{store}/accounts", route.Methods{http.MethodGet: h.authed(h.accountsPage)})
	route.Handle(r, accountsStartRoute, "/admin/accounts", route.Methods{http.MethodGet: h.authed(h.accountsStart)})
	route.Handle(r, accountPinsRoute, "/admin/account-search/pins", route.Methods{http.MethodPost: h.authed(h.savePin)})
}

// accountsStart opens the account list of the store named by ?store=, or
// of the first store whose accounts the administrator may see.
func (h *Handler) accountsStart(w http.ResponseWriter, r *http.Request, rq *request) error {
	want := r.URL.Query().Get("store")
	var first string
	for _, s := range rq.Stores {
		if !rq.Actor.Can(manage.ReadAccounts, s.ID) {
			continue
		}
		if first == "" || s.ID == want {
			first = s.ID
		}
	}
	if first == "" || h.accountSearch == nil {
		return manage.ErrForbidden
	}
	http.Redirect(w, r, h.path(accountsRoute, nil, "store", first), http.StatusSeeOther) //nolint:gosec // G710: the console's own route, a store the actor sees
	return nil
}

// accountsPage is the data of admin_accounts: the search panel, the page
// of accounts found, and the selection form of the quick actions.
type accountsPage struct {
	frame
	StoreID, StoreName string
	SearchURL          string
	Pinned, Others     []searchField
	Searched           bool
	Sort               string
	Sorts              []sortLink
	Rows               []accountListRow
	NextURL, PrevURL   string
	PinURL, PinBack    string
	// The quick actions: CanAct shows them.
	CanAct     bool
	ActionsURL string
	Actions    []string
	Groups     []fieldOption
	Keep       []keptField // the search, for "the whole search result"
}

// setFrame marks the menu's Accounts entry as the page.
func (p *accountsPage) setFrame(x frame) {
	p.frame.setFrame(x)
	for i := range p.Nav {
		p.Nav[i].Current = p.Nav[i].Label == "admin.nav.accounts"
	}
	p.SwitchView = "accounts"
}

// accountListRow is one account of the list.
type accountListRow struct {
	ID, Email, Username, Phone, URL string
	Labels                          []labelView
	Created, LastLogin              string // "" when never signed in
}

func (h *Handler) accountsPage(w http.ResponseWriter, r *http.Request, rq *request) error {
	if h.accountSearch == nil {
		return manage.ErrNotFound
	}
	storeID := mux.Vars(r)["store"]
	if !rq.Actor.Can(manage.ReadAccounts, storeID) {
		return manage.ErrForbidden
	}
	s, err := h.storeFor(r, rq)
	if err != nil {
		return err
	}
	q, qerr := manage.ParseAccountQuery(r.URL.Query())
	if qerr == nil {
		q.Limit = accountsPageSize
	}
	page, err := h.searchPage(r, rq, s.ID, q, qerr)
	var ve *manage.ValidationError
	if err != nil && !errors.As(err, &ve) {
		return err
	}
	pins, perr := h.accountSearch.PinnedFields(r.Context(), rq.Actor)
	if perr != nil {
		return perr
	}
	p := &accountsPage{StoreID: s.ID, StoreName: s.Name, SearchURL: h.path(accountsRoute, nil, "store", s.ID),
		Searched: len(q.Values()) > 0, Sort: q.Sort, PinURL: h.path(accountPinsRoute, nil)}
	p.PinBack = q.Values().Encode()
	fields, err := h.searchFields(r, rq, s, q, ve)
	if err != nil {
		return err
	}
	p.Pinned, p.Others = splitPinned(fields, pins)
	p.Sorts = h.accountSorts(s.ID, q)
	h.fillRows(p, s.ID, q, page)
	if err := h.fillActions(r, rq, p, q); err != nil {
		return err
	}
	status := http.StatusOK
	if ve != nil {
		status, p.Error = http.StatusBadRequest, "admin.fix_errors"
	}
	h.page(w, r, rq, "admin_accounts", status, s.ID, p)
	return nil
}

// searchPage runs the search; a cursor the service refuses (edited, or
// of another search) shows the first page instead.
func (h *Handler) searchPage(r *http.Request, rq *request, storeID string, q manage.AccountQuery, qerr error) (manage.Page[manage.AccountSummary], error) {
	if qerr != nil {
		return manage.Page[manage.AccountSummary]{}, qerr
	}
	page, err := h.accountSearch.Search(r.Context(), rq.Actor, storeID, q)
	var ve *manage.ValidationError
	if errors.As(err, &ve) && q.Cursor != "" && len(ve.Fields) == 1 && ve.Fields["cursor"] != "" {
		q.Cursor = ""
		return h.accountSearch.Search(r.Context(), rq.Actor, storeID, q)
	}
	return page, err
}

// fillRows adds the accounts and the paging links.
func (h *Handler) fillRows(p *accountsPage, storeID string, q manage.AccountQuery, page manage.Page[manage.AccountSummary]) {
	for _, a := range page.Items {
		row := accountListRow{ID: a.ID, Email: a.Email, Username: a.Username, Phone: a.Phone, URL: h.accountURL(storeID, a.ID),
			Created: a.CreatedAt.UTC().Format(listTime)}
		if a.LastLoginAt != nil {
			row.LastLogin = a.LastLoginAt.UTC().Format(listTime)
		}
		for _, l := range a.Labels {
			row.Labels = append(row.Labels, labelView{Key: "admin.account.label." + string(l), Class: labelClass(l)})
		}
		p.Rows = append(p.Rows, row)
	}
	link := func(cursor string) string {
		v := q.Values()
		v.Set("cursor", cursor)
		return h.path(accountsRoute, v, "store", storeID)
	}
	if page.Next != "" {
		p.NextURL = link(page.Next)
	}
	if page.Prev != "" {
		p.PrevURL = link(page.Prev)
	}
}

// accountURL is the account's profile.
func (h *Handler) accountURL(storeID, id string) string {
	if h.routes.Has(accountRoute) {
		return h.path(accountRoute, nil, "store", storeID, "account", id)
	}
	return "/admin/stores/" + url.PathEscape(storeID) + "/accounts/" + url.PathEscape(id)
}

// accountSortKeys are the list's orders as links, the default first.
var accountSortKeys = []struct{ key, label string }{
	{"-created", "admin.accounts.sort.created_desc"}, {"created", "admin.accounts.sort.created_asc"},
	{"email", "admin.accounts.sort.email_asc"}, {"-email", "admin.accounts.sort.email_desc"},
	{"-last_login", "admin.accounts.sort.last_login_desc"}, {"last_login", "admin.accounts.sort.last_login_asc"},
}

func (h *Handler) accountSorts(storeID string, q manage.AccountQuery) []sortLink {
	cur := q.Sort
	if cur == "" {
		cur = "-created"
	}
	out := make([]sortLink, 0, len(accountSortKeys))
	for _, s := range accountSortKeys {
		v := q.Values()
		v.Del("sort")
		if s.key != "-created" {
			v.Set("sort", s.key)
		}
		out = append(out, sortLink{Label: s.label, URL: h.path(accountsRoute, v, "store", storeID), Current: s.key == cur})
	}
	return out
}

// fillActions offers the quick actions to those who may change accounts:
// a selection of rows, or the whole search result (all=1 with the
// search's parameters).
func (h *Handler) fillActions(r *http.Request, rq *request, p *accountsPage, q manage.AccountQuery) error {
	if !rq.Actor.Can(manage.WriteAccounts, p.StoreID) {
		return nil
	}
	p.CanAct, p.Actions = true, bulkActions
	p.ActionsURL = "/admin/stores/" + url.PathEscape(p.StoreID) + "/accounts/actions"
	if h.routes.Has(accountJobsRoute) {
		p.ActionsURL = h.path(accountJobsRoute, nil, "store", p.StoreID)
	}
	groups, err := h.groups.ListBy(r.Context(), rq.Actor, p.StoreID, manage.ListOptions{})
	if err != nil {
		return err
	}
	for _, g := range groups.Items {
		p.Groups = append(p.Groups, fieldOption{Value: g.ID, Text: g.Name})
	}
	v := q.Values()
	for _, k := range sortedValueKeys(v) {
		p.Keep = append(p.Keep, keptField{Name: k, Value: v.Get(k)})
	}
	return nil
}

func sortedValueKeys(v url.Values) []string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// savePin pins or unpins one search field for the administrator, then
// shows the search they were on again.
func (h *Handler) savePin(w http.ResponseWriter, r *http.Request, rq *request) error {
	if h.accountSearch == nil {
		return manage.ErrNotFound
	}
	storeID := r.PostFormValue("store")
	if !rq.canSee(storeID) {
		return manage.ErrNotFound
	}
	pins, err := h.accountSearch.PinnedFields(r.Context(), rq.Actor)
	if err != nil {
		return err
	}
	if f := r.PostFormValue("pin"); f != "" && !slices.Contains(pins, f) {
		pins = append(pins, f)
	}
	if f := r.PostFormValue("unpin"); f != "" {
		pins = slices.DeleteFunc(pins, func(p string) bool { return p == f })
	}
	if _, err := h.accountSearch.SetPinnedFields(r.Context(), rq.Actor, pins); err != nil {
		var ve *manage.ValidationError
		if !errors.As(err, &ve) {
			return err
		}
		h.message(w, r, http.StatusBadRequest, "admin.accounts.pin_invalid")
		return nil
	}
	back, _ := url.ParseQuery(r.PostFormValue("back"))
	q, _ := manage.ParseAccountQuery(back)
	h.done(w, r, h.path(accountsRoute, q.Values(), "store", storeID), "saved")
	return nil
}
