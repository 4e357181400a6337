package console

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
)

// PartnerLookupService is what the partner lookup page needs
// (manage.PartnerLookups).
type PartnerLookupService interface {
	Get(ctx context.Context, a manage.Actor, appID string) (*manage.PartnerLookup, error)
	Set(ctx context.Context, a manage.Actor, appID string, in manage.PartnerLookupInput) (*manage.PartnerLookupSet, error)
	Delete(ctx context.Context, a manage.Actor, appID string) error
}

const (
	partnerLookupRoute       = "console.application_partner_lookup"
	partnerLookupDeleteRoute = "console.application_partner_lookup_delete"
)

func (h *Handler) mountPartnerLookup(r *mux.Router) {
	if h.partnerLookups == nil {
		return
	}
	route.Handle(r, partnerLookupRoute, "/admin/applications/{app}/partner-lookup", route.Methods{
		http.MethodGet: h.authed(h.partnerLookupPage), http.MethodPost: h.authed(h.savePartnerLookup)})
	route.Handle(r, partnerLookupDeleteRoute, "/admin/applications/{app}/partner-lookup/delete", route.Methods{
		http.MethodGet: h.authed(h.confirmDeletePartnerLookup), http.MethodPost: h.authed(h.deletePartnerLookup)})
}

// partnerLookupPage is the data of admin_partner_lookup: an application's
// webhook (Current nil: none), its form as typed, and a secret just made
// (shown this once).
type partnerLookupPage struct {
	frame
	AppName        string
	Organizational bool
	Current        *manage.PartnerLookup
	URL, Timeout   string
	NewSecret      string
	CanWrite       bool
	SaveURL        string
	DeleteURL      string
	BackURL        string
	FieldErrors    map[string]string
}

func (h *Handler) partnerLookupData(r *http.Request, rq *request, app manage.ApplicationView) (*partnerLookupPage, error) {
	p := &partnerLookupPage{AppName: app.Name, Organizational: app.Organizational, CanWrite: rq.Actor.Can(manage.WriteConfig, app.StoreID),
		SaveURL: h.path(partnerLookupRoute, nil, "app", app.ID), DeleteURL: h.path(partnerLookupDeleteRoute, nil, "app", app.ID),
		BackURL: h.path(applicationRoute, nil, "app", app.ID), Timeout: strconv.Itoa(int(manage.DefaultPartnerLookupTimeout.Seconds()))}
	cur, err := h.partnerLookups.Get(r.Context(), rq.Actor, app.ID)
	if err != nil && !errors.Is(err, manage.ErrNotFound) {
		return nil, err
	}
	if cur != nil {
		p.Current, p.URL, p.Timeout = cur, cur.URL, strconv.Itoa(cur.TimeoutSeconds)
	}
	return p, nil
}

func (h *Handler) partnerLookupPage(w http.ResponseWriter, r *http.Request, rq *request) error {
	app, err := h.applicationFor(r, rq)
	if err != nil {
		return err
	}
	p, err := h.partnerLookupData(r, rq, app)
	if err != nil {
		return err
	}
	h.page(w, r, rq, "admin_partner_lookup", http.StatusOK, app.StoreID, p)
	return nil
}

// savePartnerLookup sets the webhook; a secret made by it (first set, or
// "new secret" ticked) is shown on the answered page, never in a URL.
func (h *Handler) savePartnerLookup(w http.ResponseWriter, r *http.Request, rq *request) error {
	app, err := h.applicationFor(r, rq)
	if err != nil {
		return err
	}
	p, err := h.partnerLookupData(r, rq, app)
	if err != nil {
		return err
	}
	p.URL, p.Timeout = strings.TrimSpace(r.PostFormValue("url")), strings.TrimSpace(r.PostFormValue("timeout_seconds"))
	in := manage.PartnerLookupInput{URL: p.URL, RotateSecret: r.PostFormValue("rotate_secret") == "yes"}
	p.FieldErrors = map[string]string{}
	if in.TimeoutSeconds, err = strconv.Atoi(p.Timeout); err != nil {
		p.FieldErrors["timeout_seconds"] = "enter a whole number of seconds from 1 to 10"
		in.TimeoutSeconds = -1 // the service reports the URL's problems too
	}
	set, err := h.partnerLookups.Set(r.Context(), rq.Actor, app.ID, in)
	status := http.StatusOK
	if errs, pageErr, ok := formErrors(err, indexedField); ok {
		for k, v := range errs {
			if _, seen := p.FieldErrors[k]; !seen {
				p.FieldErrors[k] = v
			}
		}
		p.Error, status = pageErr, statusOf(err)
	} else if err != nil {
		return err
	} else {
		p.Current, p.NewSecret, p.Notice = &set.PartnerLookup, set.Secret, "admin.notice.saved"
		p.Timeout = strconv.Itoa(set.TimeoutSeconds)
	}
	w.Header().Set("Cache-Control", "no-store")
	h.page(w, r, rq, "admin_partner_lookup", status, app.StoreID, p)
	return nil
}

// confirmDeletePartnerLookup asks before the webhook goes.
func (h *Handler) confirmDeletePartnerLookup(w http.ResponseWriter, r *http.Request, rq *request) error {
	app, err := h.applicationFor(r, rq)
	if err != nil {
		return err
	}
	return h.confirm(w, r, rq, manage.WriteConfig, app.StoreID, confirmPage{Title: "admin.partner_lookup.delete_title",
		Question: "admin.partner_lookup.delete_question", Subject: app.Name,
		ActionURL: h.path(partnerLookupDeleteRoute, nil, "app", app.ID), Button: "admin.partner_lookup.delete",
		CancelURL: h.path(partnerLookupRoute, nil, "app", app.ID)})
}

// deletePartnerLookup removes it, only with confirm=yes.
func (h *Handler) deletePartnerLookup(w http.ResponseWriter, r *http.Request, rq *request) error {
	app, err := h.applicationFor(r, rq)
	if err != nil {
		return err
	}
	page := h.path(partnerLookupRoute, nil, "app", app.ID)
	return h.deleteConfirmed(w, r, deletion{confirmURL: h.path(partnerLookupDeleteRoute, nil, "app", app.ID),
		remove: func(int64) error { return h.partnerLookups.Delete(r.Context(), rq.Actor, app.ID) },
		rename: indexedField,
		refused: func(status int, pageErr string, _ error) error {
			p, err := h.partnerLookupData(r, rq, app)
			if err != nil {
				return err
			}
			p.Error = pageErr
			h.page(w, r, rq, "admin_partner_lookup", status, app.StoreID, p)
			return nil
		},
		after: to(page), notice: "deleted"})
}
