package admin

import (
	"errors"
	"net/http"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
)

// errNoAccountSearch: the handler was built without Deps.AccountSearch (a
// test that only walks the routes).
var errNoAccountSearch = errors.New("admin: the account search is not configured")

// mountAccountSearch registers the account list of a store and the
// caller's pinned search fields.
func (h *Handler) mountAccountSearch(api *mux.Router) {
	route.Handle(api, "admin.accounts", "/stores/{store}/accounts", route.Methods{
		http.MethodGet: h.withAccountSearch(h.searchAccounts)})
	route.Handle(api, "admin.pinned_search_fields", "/me/pinned-search-fields", route.Methods{
		http.MethodGet: h.withAccountSearch(h.getPinnedFields), http.MethodPut: h.withAccountSearch(h.putPinnedFields)})
}

func (h *Handler) withAccountSearch(next apiFunc) http.HandlerFunc {
	return h.authorized(func(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
		if h.accountSearch == nil {
			return errNoAccountSearch
		}
		return next(w, r, a)
	})
}

// accountList is a page of the account list: like every list, and with
// the cursor of the page before (keyset paging both ways).
type accountList struct {
	Items      []manage.AccountSummary `json:"items"`
	NextCursor string                  `json:"next_cursor,omitempty"`
	PrevCursor string                  `json:"prev_cursor,omitempty"`
}

// searchAccounts answers one page of the store's accounts matching the
// query parameters (manage.AccountQuery); a bad parameter is a 400 whose
// errors name it.
func (h *Handler) searchAccounts(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	q, err := manage.ParseAccountQuery(r.URL.Query())
	if err == nil {
		var page manage.Page[manage.AccountSummary]
		page, err = h.accountSearch.Search(r.Context(), a, mux.Vars(r)["store"], q)
		if err == nil {
			l := accountList{Items: page.Items, NextCursor: page.Next, PrevCursor: page.Prev}
			if l.Items == nil {
				l.Items = []manage.AccountSummary{}
			}
			writeJSON(w, http.StatusOK, l)
			return nil
		}
	}
	var ve *manage.ValidationError
	if errors.As(err, &ve) {
		writeProblemDoc(w, r, Problem{Type: ProblemBadRequest, Title: "Bad request", Status: http.StatusBadRequest,
			Detail: "See errors for each query parameter that cannot be accepted.", Errors: fieldErrors(ve)})
		return nil
	}
	return writeServiceError(w, r, err)
}

// pinnedFields is the body of GET and PUT /me/pinned-search-fields.
type pinnedFields struct {
	Fields []string `json:"fields"`
}

func (h *Handler) getPinnedFields(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	fields, err := h.accountSearch.PinnedFields(r.Context(), a)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeJSON(w, http.StatusOK, pinnedFields{Fields: fields})
	return nil
}

func (h *Handler) putPinnedFields(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	var in pinnedFields
	if err := decodeJSON(w, r, &in); err != nil {
		return writeServiceError(w, r, err)
	}
	fields, err := h.accountSearch.SetPinnedFields(r.Context(), a, in.Fields)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeJSON(w, http.StatusOK, pinnedFields{Fields: fields})
	return nil
}
