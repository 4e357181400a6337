package console

import (
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/storage"
)

// Names of the routes the account profile's overview panel links to; the
// profile's own files register them. A link whose route is not mounted is
// left out, so each tab and action can land on its own.
const (
	accountRoute             = "console.account"
	accountsRoute            = "console.accounts"
	accountExportRoute       = "console.account_export"
	accountStatusRoute       = "console.account_status"
	accountSessionsEndRoute  = "console.account_sessions_end"
	accountDeleteRoute       = "console.account_delete"
	accountPathPrefix        = "/admin/stores/{store}/accounts/{account}"
	accountTabAttributes     = 10
	accountTabActivity       = 20
	accountTabGroups         = 30
	accountTabRoles          = 40
	accountTabAuthenticators = 50
	accountTabSessions       = 60
	accountTabVerification   = 70
	accountTabConsents       = 80
)

// accountTab is one tab of the account profile: its route (with the
// variables store and account), its label's catalog key and its place.
type accountTab struct {
	Route string
	Label string
	Order int
}

// addAccountTab registers a tab; each tab's mount function calls it.
func (h *Handler) addAccountTab(t accountTab) {
	h.accountTabs = append(h.accountTabs, t)
	slices.SortStableFunc(h.accountTabs, func(a, b accountTab) int { return a.Order - b.Order })
}

// tabLink is a tab as the page shows it.
type tabLink struct {
	URL, Label string
	Current    bool
}

// labelView is a status label as the page shows it: its catalog key and
// the CSS modifier that colours it.
type labelView struct {
	Key, Class string
}

// accountOverview is what always stays in sight on the profile: who the
// account is, its status labels and the actions on it.
type accountOverview struct {
	ID          string
	Email       string
	Username    string
	Phone       string
	Name        string // given and family name when the schema has them
	Labels      []labelView
	CreatedAt   time.Time
	LastLoginAt *time.Time
	Disabled    bool
	Enabled     bool // neither disabled nor pending activation
	// The actions' URLs; empty when that action is not mounted.
	ExportJSONURL, ExportHTMLURL, StatusURL, SessionsEndURL, DeleteURL string
}

// accountFrame is what every tab page of the account profile embeds
// (after the console's frame): the store, the overview and the tabs.
// Templates wrap a tab's content in admin_account_frame_top and
// admin_account_frame_bottom.
type accountFrame struct {
	frame
	StoreID   string
	StoreName string
	// ListURL leads back to the store's account list (empty when the list
	// is not mounted).
	ListURL  string
	Overview accountOverview
	Tabs     []tabLink
	// CanWrite: the actor may change accounts of the store (forms are
	// shown only then; the services check again).
	CanWrite bool
	// Account is the account as storage has it, for the tab's own use.
	Account *storage.Account `json:"-"`
	// NoticeClients are the clients a customer notice may go through, for
	// the forms' "Notify the customer" (account_notify.go); NotifyForm,
	// NotifySelected and NotifyError carry a refused form's choice.
	NoticeClients                           []manage.NoticeClient
	NotifyForm, NotifySelected, NotifyError string
}

// accountFrameFor loads the request's {store} and {account} for the actor
// (ReadAccounts) and builds the frame of the tab named by its route.
func (h *Handler) accountFrameFor(r *http.Request, rq *request, currentTab string) (*accountFrame, error) {
	s, err := h.storeFor(r, rq)
	if err != nil {
		return nil, err
	}
	acct, err := manage.LoadAccount(r.Context(), h.store, rq.Actor, manage.ReadAccounts, s.ID, mux.Vars(r)["account"])
	if err != nil {
		return nil, err
	}
	ext, err := h.store.ListExternalIdentities(r.Context(), acct.ID)
	if err != nil {
		return nil, err
	}
	vars := []string{"store", s.ID, "account", acct.ID}
	f := &accountFrame{StoreID: s.ID, StoreName: s.Name, Account: acct, CanWrite: rq.Actor.Can(manage.WriteAccounts, s.ID),
		Overview: h.accountOverview(acct, len(ext) > 0, vars)}
	if h.routes.Has(accountsRoute) {
		f.ListURL = h.path(accountsRoute, nil, "store", s.ID)
	}
	if err := h.addNoticeClients(r, rq, f); err != nil {
		return nil, err
	}
	for _, t := range h.accountTabs {
		f.Tabs = append(f.Tabs, tabLink{URL: h.path(t.Route, nil, vars...), Label: t.Label, Current: t.Route == currentTab})
	}
	return f, nil
}

func (h *Handler) accountOverview(acct *storage.Account, external bool, vars []string) accountOverview {
	o := accountOverview{ID: acct.ID, Email: acct.Email, Username: acct.Username, Phone: acct.Phone,
		CreatedAt: acct.CreatedAt, LastLoginAt: acct.LastLoginAt, Disabled: acct.Status == storage.AccountDisabled,
		Enabled: acct.Status == storage.AccountEnabled}
	o.Name = joinNonEmpty(acct.Attributes["given_name"], acct.Attributes["family_name"])
	if o.Name == "" {
		o.Name = acct.Attributes["name"]
	}
	for _, l := range manage.Labels(acct, external) {
		o.Labels = append(o.Labels, labelView{Key: "admin.account.label." + string(l), Class: labelClass(l)})
	}
	link := func(route string, q url.Values) string {
		if !h.routes.Has(route) {
			return ""
		}
		return h.path(route, q, vars...)
	}
	o.ExportJSONURL = link(accountExportRoute, url.Values{"format": {"json"}})
	o.ExportHTMLURL = link(accountExportRoute, url.Values{"format": {"html"}})
	o.StatusURL = link(accountStatusRoute, nil)
	o.SessionsEndURL = link(accountSessionsEndRoute, nil)
	o.DeleteURL = link(accountDeleteRoute, nil)
	return o
}

// labelClass colours a label: green for good news, red for a blocked
// account, neutral otherwise.
func labelClass(l manage.Label) string {
	switch l {
	case manage.LabelEnabled, manage.LabelEmailVerified:
		return "label-good"
	case manage.LabelDisabled:
		return "label-bad"
	default:
		return "label-neutral"
	}
}

func joinNonEmpty(parts ...string) string {
	out := ""
	for _, p := range parts {
		if p == "" {
			continue
		}
		if out != "" {
			out += " "
		}
		out += p
	}
	return out
}
