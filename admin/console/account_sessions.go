package console

import (
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"foyer/selfservice/route"
)

const (
	accountSessionsRoute       = "console.account_sessions"
	accountSessionEndRoute     = "console.account_session_end"
	accountSessionsEndAllRoute = "console.account_sessions_end_all"
)

func (h *Handler) mountAccountSessions(r *mux.Router) {
	route.Handle(r, accountSessionsRoute, accountPathPrefix+"/sessions", route.Methods{http.MethodGet: h.authed(h.accountSessionsPage)})
	route.Handle(r, accountSessionEndRoute, accountPathPrefix+"/sessions/{session}/end", route.Methods{http.MethodPost: h.authed(h.endAccountSession)})
	route.Handle(r, accountSessionsEndAllRoute, accountPathPrefix+"/sessions/end-all", route.Methods{http.MethodPost: h.authed(h.endAccountSessions)})
	h.addAccountTab(accountTab{Route: accountSessionsRoute, Label: "admin.account.tab.sessions", Order: accountTabSessions})
}

// sessionRow is one session as the tab shows it. Name says which session
// it is in words (browser, system, sign-in time) for the end button's
// accessible name, so a screen reader hears which one each button ends.
type sessionRow struct {
	Browser, OS, Location, IP string
	SignedIn, SignedInAt      string
	LastSeen, LastSeenAt      string
	Methods                   string
	Name                      string
	EndURL                    string
}

// accountSessionsPage is the data of admin_account_sessions.
type accountSessionsPage struct {
	accountFrame
	Sessions  []sessionRow
	EndAllURL string
}

func (h *Handler) accountSessionsPage(w http.ResponseWriter, r *http.Request, rq *request) error {
	f, err := h.accountFrameFor(r, rq, accountSessionsRoute)
	if err != nil {
		return err
	}
	list, err := h.activity.Sessions(r.Context(), rq.Actor, f.StoreID, f.Account.ID)
	if err != nil {
		return err
	}
	p := &accountSessionsPage{accountFrame: *f}
	vars := []string{"store", f.StoreID, "account", f.Account.ID}
	if f.CanWrite && len(list) > 0 {
		p.EndAllURL = h.path(accountSessionsEndAllRoute, nil, vars...)
	}
	for _, s := range list {
		row := sessionRow{Browser: s.Browser, OS: s.OS, Location: s.Location, IP: s.IP,
			SignedIn: s.SignedInAt.UTC().Format(timeLayout), SignedInAt: s.SignedInAt.UTC().Format(time.RFC3339),
			LastSeen: s.LastSeenAt.UTC().Format(timeLayout), LastSeenAt: s.LastSeenAt.UTC().Format(time.RFC3339),
			Methods: strings.Join(s.Methods, ", ")}
		row.Name = strings.Join(nonEmpty(s.Browser, s.OS, s.IP), ", ") + " · " + row.SignedIn
		if f.CanWrite {
			row.EndURL = h.path(accountSessionEndRoute, nil, append(vars, "session", s.ID)...)
		}
		p.Sessions = append(p.Sessions, row)
	}
	h.page(w, r, rq, "admin_account_sessions", http.StatusOK, f.StoreID, p)
	return nil
}

// endAccountSession ends one session: the browser must sign in again and
// relying parties with a back-channel logout URI are told. An unknown
// session, or another account's, is the 404 page.
func (h *Handler) endAccountSession(w http.ResponseWriter, r *http.Request, rq *request) error {
	v := mux.Vars(r)
	s, err := h.storeFor(r, rq)
	if err != nil {
		return err
	}
	if err := h.activity.EndSession(r.Context(), rq.Actor, s.ID, v["account"], v["session"]); err != nil {
		return err
	}
	h.done(w, r, h.path(accountSessionsRoute, nil, "store", s.ID, "account", v["account"]), "session_ended")
	return nil
}

// endAccountSessions ends every session of the account.
func (h *Handler) endAccountSessions(w http.ResponseWriter, r *http.Request, rq *request) error {
	v := mux.Vars(r)
	s, err := h.storeFor(r, rq)
	if err != nil {
		return err
	}
	if _, err := h.activity.EndSessions(r.Context(), rq.Actor, s.ID, v["account"]); err != nil {
		return err
	}
	h.done(w, r, h.path(accountSessionsRoute, nil, "store", s.ID, "account", v["account"]), "sessions_ended")
	return nil
}

func nonEmpty(parts ...string) []string {
	out := parts[:0:0]
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}
