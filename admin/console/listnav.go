package console

import (
	"errors"
	"net/http"
	"net/url"

	"foyer/admin/manage"
)

// The configuration lists (stores, a store's groups, roles and
// organizations, applications, policies) filter, sort and page on the
// server (manage.ListOptions): a GET filter form and plain sort and
// next-page links, so they work without script, and the order and the
// filter cover the whole list, not just the page shown.

// listPageSize is how many rows a configuration list shows at once.
const listPageSize = 50

// listSorts are the orders the lists offer, as links.
var listSorts = []struct{ key, label string }{
	{manage.SortName, "admin.sort.name_asc"}, {manage.SortNameDesc, "admin.sort.name_desc"},
	{manage.SortCreatedDesc, "admin.sort.created_desc"}, {manage.SortCreated, "admin.sort.created_asc"},
}

// listNav is what a list page shows around its rows; pages embed it.
type listNav struct {
	Filter       string      // q as typed
	FilterAction string      // the list's own URL: the form GETs it
	Sort         string      // the order shown, kept by the filter form
	Keep         []keptField // other parameters the filter form keeps
	Sorts        []sortLink
	NextURL      string
}

// keptField is a hidden field of the filter form.
type keptField struct{ Name, Value string }

// listView is one list request: its options for the service and how to
// link to the list again.
type listView struct {
	h     *Handler
	route string
	vars  []string
	keep  url.Values // other query parameters the links keep (a policy kind)
	opts  manage.ListOptions
}

// newListView reads q, sort and cursor from the request; an unknown sort
// is the default one.
func (h *Handler) newListView(r *http.Request, routeName string, keep url.Values, vars ...string) *listView {
	q := r.URL.Query()
	sort := manage.SortName
	for _, s := range listSorts {
		if q.Get("sort") == s.key {
			sort = s.key
		}
	}
	return &listView{h: h, route: routeName, vars: vars, keep: keep,
		opts: manage.ListOptions{Filter: q.Get("q"), Sort: sort, After: q.Get("cursor"), Limit: listPageSize}}
}

// url is the list with the filter, the sort and, unless "", the cursor.
func (v *listView) url(sort, cursor string) string {
	q := url.Values{}
	for k, vs := range v.keep {
		q[k] = vs
	}
	if v.opts.Filter != "" {
		q.Set("q", v.opts.Filter)
	}
	if sort != manage.SortName {
		q.Set("sort", sort)
	}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	return v.h.path(v.route, q, v.vars...)
}

// nav is the filter form, the sort links and, when next is not "", the
// next page's link.
func (v *listView) nav(next string) listNav {
	n := listNav{Filter: v.opts.Filter, FilterAction: v.h.path(v.route, nil, v.vars...), Sort: v.opts.Sort}
	if v.opts.Sort == manage.SortName {
		n.Sort = ""
	}
	for k, vs := range v.keep {
		for _, x := range vs {
			n.Keep = append(n.Keep, keptField{Name: k, Value: x})
		}
	}
	for _, s := range listSorts {
		n.Sorts = append(n.Sorts, sortLink{Label: s.label, URL: v.url(s.key, ""), Current: s.key == v.opts.Sort})
	}
	if next != "" {
		n.NextURL = v.url(v.opts.Sort, next)
	}
	return n
}

// listPage asks the service for the page; a cursor the service refuses
// (edited, or of another filter or order) shows the first page instead.
func listPage[T any](v *listView, list func(manage.ListOptions) (manage.Page[T], error)) (manage.Page[T], error) {
	p, err := list(v.opts)
	var ve *manage.ValidationError
	if errors.As(err, &ve) && v.opts.After != "" {
		v.opts.After = ""
		return list(v.opts)
	}
	return p, err
}
