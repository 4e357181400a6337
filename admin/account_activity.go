package admin

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
)

// errNoAccountActivity: the handler was built without the service (a
// test that only walks the routes).
var errNoAccountActivity = errors.New("admin: the account activity service is not configured")

// accountPath is the path of one account of a store; the tabs' endpoints
// hang under it.
const accountPath = "/stores/{store}/accounts/{account}"

// mountAccountActivity registers the endpoints of an account's activity
// (its event log and the support actions taken on it), its SSO sessions
// (listed, ended one or all) and its consent log.
func (h *Handler) mountAccountActivity(api *mux.Router) {
	route.Handle(api, "admin.account_activity", accountPath+"/activity", route.Methods{
		http.MethodGet: h.withActivity(h.listAccountActivity)})
	route.Handle(api, "admin.account_support_actions", accountPath+"/support-actions", route.Methods{
		http.MethodGet: h.withActivity(h.listSupportActions)})
	route.Handle(api, "admin.account_sessions", accountPath+"/sessions", route.Methods{
		http.MethodGet: h.withActivity(h.listAccountSessions), http.MethodDelete: h.withActivity(h.endAccountSessions)})
	route.Handle(api, "admin.account_session", accountPath+"/sessions/{session}", route.Methods{
		http.MethodDelete: h.withActivity(h.endAccountSession)})
	route.Handle(api, "admin.account_consents", accountPath+"/consents", route.Methods{
		http.MethodGet: h.withActivity(h.getAccountConsents)})
}

// withActivity runs next only when the service is there.
func (h *Handler) withActivity(next apiFunc) http.HandlerFunc {
	return h.authorized(func(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
		if h.activity == nil {
			return errNoAccountActivity
		}
		return next(w, r, a)
	})
}

// activityQuery reads a log's query: filter (kind or action) exact or a
// prefix ending in ".", since and until (RFC 3339), limit and cursor.
func activityQuery(r *http.Request, filter string) (manage.ActivityQuery, error) {
	limit, after, err := pageParams(r)
	if err != nil {
		return manage.ActivityQuery{}, err
	}
	q := r.URL.Query()
	out := manage.ActivityQuery{Kind: q.Get(filter), After: after, Limit: limit}
	for _, t := range []struct {
		name string
		dst  *time.Time
	}{{"since", &out.Since}, {"until", &out.Until}} {
		s := q.Get(t.name)
		if s == "" {
			continue
		}
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return out, fmt.Errorf("%w: %s must be an RFC 3339 time, e.g. 2026-01-02T15:04:05Z", errBadRequest, t.name)
		}
		*t.dst = v
	}
	return out, nil
}

// activityError makes a refused query (a cursor of another query, until
// before since, a kind too long) a 400: they are query parameters, not a
// submitted document.
func activityError(err error) error {
	var ve *manage.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	for _, f := range []string{"cursor", "until", "kind", "limit"} {
		if d, ok := ve.Fields[f]; ok {
			return fmt.Errorf("%w: %s: %s", errBadRequest, f, d)
		}
	}
	return err
}

func (h *Handler) listAccountActivity(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	q, err := activityQuery(r, "kind")
	if err != nil {
		return writeServiceError(w, r, err)
	}
	v := mux.Vars(r)
	page, err := h.activity.Events(r.Context(), a, v["store"], v["account"], q)
	if err != nil {
		return writeServiceError(w, r, activityError(err))
	}
	writeJSON(w, http.StatusOK, pageList(page))
	return nil
}

func (h *Handler) listSupportActions(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	q, err := activityQuery(r, "action")
	if err != nil {
		return writeServiceError(w, r, err)
	}
	v := mux.Vars(r)
	page, err := h.activity.SupportActions(r.Context(), a, v["store"], v["account"], q)
	if err != nil {
		return writeServiceError(w, r, activityError(err))
	}
	writeJSON(w, http.StatusOK, pageList(page))
	return nil
}

// listAccountSessions answers every live session at once: an account has
// a handful, never a page's worth.
func (h *Handler) listAccountSessions(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	v := mux.Vars(r)
	sessions, err := h.activity.Sessions(r.Context(), a, v["store"], v["account"])
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeJSON(w, http.StatusOK, list[manage.AccountSession]{Items: orEmpty(sessions)})
	return nil
}

// endedSessions is the answer of ending every session.
type endedSessions struct {
	Ended int `json:"ended"`
}

func (h *Handler) endAccountSessions(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	v := mux.Vars(r)
	n, err := h.activity.EndSessions(r.Context(), a, v["store"], v["account"])
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeJSON(w, http.StatusOK, endedSessions{Ended: n})
	return nil
}

func (h *Handler) endAccountSession(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	v := mux.Vars(r)
	if err := h.activity.EndSession(r.Context(), a, v["store"], v["account"], v["session"]); err != nil {
		return writeServiceError(w, r, err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) getAccountConsents(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	v := mux.Vars(r)
	c, err := h.activity.Consents(r.Context(), a, v["store"], v["account"])
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// orEmpty answers an empty list as [], not null.
func orEmpty[T any](items []T) []T {
	if items == nil {
		return []T{}
	}
	return items
}
