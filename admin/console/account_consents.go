package console

import (
	"net/http"
	"time"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
)

const accountConsentsRoute = "console.account_consents"

func (h *Handler) mountAccountConsents(r *mux.Router) {
	route.Handle(r, accountConsentsRoute, accountPathPrefix+"/consents", route.Methods{http.MethodGet: h.authed(h.accountConsentsPage)})
	h.addAccountTab(accountTab{Route: accountConsentsRoute, Label: "admin.account.tab.consents", Order: accountTabConsents})
}

// consentRow is one accepted version of a consent document.
type consentRow struct {
	Consent, Version, State, StateKey string
	// Title is the catalog's name of a built-in document (terms of
	// service, privacy policy, marketing), else "".
	Title              string
	Granted, GrantedAt string
	Ended, EndedAt     string // revoked or outdated, when it ended
}

// consentLogRow is one step of the history.
type consentLogRow struct {
	Consent, Version, ActionKey string
	When, At                    string
}

// accountConsentsPage is the data of admin_account_consents.
type accountConsentsPage struct {
	accountFrame
	Consents []consentRow
	History  []consentLogRow
}

func (h *Handler) accountConsentsPage(w http.ResponseWriter, r *http.Request, rq *request) error {
	f, err := h.accountFrameFor(r, rq, accountConsentsRoute)
	if err != nil {
		return err
	}
	c, err := h.activity.Consents(r.Context(), rq.Actor, f.StoreID, f.Account.ID)
	if err != nil {
		return err
	}
	p := &accountConsentsPage{accountFrame: *f}
	for _, x := range c.Consents {
		row := consentRow{Consent: x.Consent, Version: x.Version, State: x.State, StateKey: "admin.account.consent_state." + x.State,
			Granted: x.GrantedAt.UTC().Format(timeLayout), GrantedAt: x.GrantedAt.UTC().Format(time.RFC3339)}
		if key := "account.consent." + x.Consent; h.render.T(rq.Lang, key) != key {
			row.Title = h.render.T(rq.Lang, key)
		}
		end := x.RevokedAt
		if x.State == manage.ConsentOutdated {
			end = x.OutdatedAt
		}
		if end != nil {
			row.Ended, row.EndedAt = end.UTC().Format(timeLayout), end.UTC().Format(time.RFC3339)
		}
		p.Consents = append(p.Consents, row)
	}
	for _, l := range c.History {
		p.History = append(p.History, consentLogRow{Consent: l.Consent, Version: l.Version, ActionKey: "admin.account.consent_action." + l.Action,
			When: l.At.UTC().Format(timeLayout), At: l.At.UTC().Format(time.RFC3339)})
	}
	h.page(w, r, rq, "admin_account_consents", http.StatusOK, f.StoreID, p)
	return nil
}
