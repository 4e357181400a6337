package console

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
	"foyer/storage"
)

// PolicyService is what the console asks of the named policies
// (manage.Policies).
type PolicyService interface {
	List(ctx context.Context, a manage.Actor, kind storage.PolicyKind, after string, limit int) ([]manage.PolicyView, error)
	ListBy(ctx context.Context, a manage.Actor, kind storage.PolicyKind, o manage.ListOptions) (manage.Page[manage.PolicyView], error)
	Get(ctx context.Context, a manage.Actor, id string) (manage.PolicyView, error)
	Create(ctx context.Context, a manage.Actor, in manage.PolicyInput) (manage.PolicyView, error)
	Update(ctx context.Context, a manage.Actor, id string, version int64, in manage.PolicyInput) (manage.PolicyView, error)
	Delete(ctx context.Context, a manage.Actor, id string, version int64) error
	SetDefault(ctx context.Context, a manage.Actor, id string) (manage.PolicyView, error)
}

const (
	applicationRoute       = "console.application"
	applicationDeleteRoute = "console.application_delete"
	applicationPolicyRoute = "console.application_policy"
	// policyChoices bounds the policies one kind's select offers.
	policyChoices = 200
)

func (h *Handler) mountApplication(r *mux.Router) {
	route.Handle(r, applicationRoute, "/admin/applications/{app}", route.Methods{
		http.MethodGet: h.authed(h.applicationPage), http.MethodPost: h.authed(h.updateApplication)})
	route.Handle(r, applicationDeleteRoute, "/admin/applications/{app}/delete", route.Methods{
		http.MethodGet: h.authed(h.confirmDeleteApplication), http.MethodPost: h.authed(h.deleteApplication)})
	route.Handle(r, applicationPolicyRoute, "/admin/applications/{app}/policy", route.Methods{
		http.MethodPost: h.authed(h.assignPolicy)})
}

// applicationPage is the data of admin_application: the application's
// settings (its store read-only), its policy of each kind and its
// deletion.
type applicationPage struct {
	frame
	ID, StoreName               string
	Name, LogoURL, PrimaryColor string
	Organizational              bool
	Version                     int64
	CanWrite                    bool
	SaveURL, DeleteURL          string
	PolicyURL                   string
	Slots                       []policySlot
	// The application's clients and, for who may change it, the form
	// registering another.
	Clients         []clientRow
	ClientCreateURL string
	ClientForm      clientForm
	FieldErrors     map[string]string
	// PartnerLookupURL is the page of its partner lookup webhook ("" when
	// the console has no such service).
	PartnerLookupURL string
	// MessagesURL lists its own e-mail and SMS texts ("" when the console
	// has no such service).
	MessagesURL string
	// BrandingURL is its branding page ("" without the service).
	BrandingURL string
	// LanguagesURL is the page of its translation packages ("" without
	// the service).
	LanguagesURL string
}

// policySlot is one kind's policy select.
type policySlot struct {
	Kind, Label string
	Current     string
	Choices     []storeChoice
	Error       string
}

func (h *Handler) applicationFor(r *http.Request, rq *request) (manage.ApplicationView, error) {
	app, err := h.apps.Get(r.Context(), rq.Actor, mux.Vars(r)["app"])
	if err != nil {
		return app, fmt.Errorf("console: application: %w", err)
	}
	return app, nil
}

func (h *Handler) applicationPage(w http.ResponseWriter, r *http.Request, rq *request) error {
	app, err := h.applicationFor(r, rq)
	if err != nil {
		return err
	}
	in := manage.ApplicationInput{Name: app.Name, LogoURL: app.LogoURL, PrimaryColor: app.PrimaryColor, Organizational: app.Organizational}
	return h.renderApplication(w, r, rq, http.StatusOK, app, in, nil, "")
}

func (h *Handler) renderApplication(w http.ResponseWriter, r *http.Request, rq *request, status int, app manage.ApplicationView,
	in manage.ApplicationInput, errs map[string]string, pageErr string) error {
	return h.renderApplicationWith(w, r, rq, status, app, in, errs, pageErr, nil, nil)
}

// renderApplicationWith renders the page with the client form as typed
// (nil: a fresh one) and its errors.
func (h *Handler) renderApplicationWith(w http.ResponseWriter, r *http.Request, rq *request, status int, app manage.ApplicationView,
	in manage.ApplicationInput, errs map[string]string, pageErr string, client *clientForm, clientErrs map[string]string) error {
	if errs == nil {
		errs = map[string]string{}
	}
	for k, v := range clientErrs {
		errs[k] = v
	}
	if client == nil {
		client = &clientForm{GrantTypes: grantChoices([]string{"authorization_code", "refresh_token"})}
	}
	clients, err := h.clientsOf(r, rq, app.ID)
	if err != nil {
		return err
	}
	p := &applicationPage{Clients: clients, ClientForm: *client, ClientCreateURL: h.path(clientsRoute, nil, "app", app.ID), ID: app.ID, StoreName: storeNames(rq)[app.StoreID], Name: in.Name, LogoURL: in.LogoURL,
		PrimaryColor: in.PrimaryColor, Organizational: in.Organizational, Version: app.Version,
		CanWrite: rq.Actor.Can(manage.WriteConfig, app.StoreID), SaveURL: h.path(applicationRoute, nil, "app", app.ID),
		DeleteURL: h.path(applicationDeleteRoute, nil, "app", app.ID), PolicyURL: h.path(applicationPolicyRoute, nil, "app", app.ID),
		FieldErrors: errs}
	if p.StoreName == "" {
		p.StoreName = app.StoreID
	}
	if h.brandings != nil {
		p.BrandingURL = h.path(appBrandingRoute, nil, "app", app.ID)
	}
	if h.translations != nil {
		p.LanguagesURL = h.path(appLanguagesRoute, nil, "app", app.ID)
	}
	if h.partnerLookups != nil {
		p.PartnerLookupURL = h.path(partnerLookupRoute, nil, "app", app.ID)
	}
	if h.msgTemplates != nil {
		p.MessagesURL = h.path(messagesRoute, nil, "app", app.ID)
	}
	p.Error = pageErr
	for _, k := range storage.PolicyKinds {
		slot := policySlot{Kind: string(k), Label: "admin.policies.kind." + string(k), Current: app.Policies[string(k)], Error: errs["policy_"+string(k)]}
		ps, err := h.policies.List(r.Context(), rq.Actor, k, "", policyChoices)
		if err != nil {
			return err
		}
		for _, pv := range ps {
			slot.Choices = append(slot.Choices, storeChoice{ID: pv.ID, Name: pv.Name, Current: pv.ID == slot.Current})
		}
		p.Slots = append(p.Slots, slot)
	}
	h.page(w, r, rq, "admin_application", status, app.StoreID, p)
	return nil
}

// updateApplication saves the settings; the store and the login steps
// stay as they are.
func (h *Handler) updateApplication(w http.ResponseWriter, r *http.Request, rq *request) error {
	app, err := h.applicationFor(r, rq)
	if err != nil {
		return err
	}
	in := manage.ApplicationInput{Name: r.PostFormValue("name"), LogoURL: strings.TrimSpace(r.PostFormValue("logo_url")),
		PrimaryColor: strings.TrimSpace(r.PostFormValue("primary_color")), Organizational: r.PostFormValue("organizational") == "yes",
		LoginSteps: app.LoginSteps}
	_, err = h.apps.Update(r.Context(), rq.Actor, app.ID, formVersion(r), in)
	if errs, pageErr, ok := formErrors(err, indexedField); ok {
		return h.renderApplication(w, r, rq, statusOf(err), app, in, errs, pageErr)
	}
	if err != nil {
		return err
	}
	h.done(w, r, h.path(applicationRoute, nil, "app", app.ID), "saved")
	return nil
}

// assignPolicy gives the application the named policy of one kind.
func (h *Handler) assignPolicy(w http.ResponseWriter, r *http.Request, rq *request) error {
	app, err := h.applicationFor(r, rq)
	if err != nil {
		return err
	}
	kind := storage.PolicyKind(r.PostFormValue("kind"))
	_, err = h.apps.AssignPolicy(r.Context(), rq.Actor, app.ID, kind, r.PostFormValue("policy_id"))
	rename := func(f string) string {
		if f == "policy_id" || f == "kind" {
			return "policy_" + string(kind)
		}
		return f
	}
	if errs, pageErr, ok := formErrors(err, rename); ok {
		in := manage.ApplicationInput{Name: app.Name, LogoURL: app.LogoURL, PrimaryColor: app.PrimaryColor, Organizational: app.Organizational}
		return h.renderApplication(w, r, rq, statusOf(err), app, in, errs, pageErr)
	}
	if err != nil {
		return err
	}
	h.done(w, r, h.path(applicationRoute, nil, "app", app.ID), "saved")
	return nil
}

// confirmDeleteApplication asks before deleting (only one without
// clients can go; the service says so otherwise).
func (h *Handler) confirmDeleteApplication(w http.ResponseWriter, r *http.Request, rq *request) error {
	app, err := h.applicationFor(r, rq)
	if err != nil {
		return err
	}
	return h.confirm(w, r, rq, manage.WriteConfig, app.StoreID, confirmPage{Title: "admin.app.delete_title", Question: "admin.app.delete_question",
		Subject: app.Name, ActionURL: h.path(applicationDeleteRoute, nil, "app", app.ID), Button: "admin.app.delete", Version: app.Version,
		CancelURL: h.path(applicationRoute, nil, "app", app.ID)})
}

// deleteApplication deletes it, only with the confirmation's confirm=yes;
// one that still has clients stays, and its page shows the service's
// sentence.
func (h *Handler) deleteApplication(w http.ResponseWriter, r *http.Request, rq *request) error {
	id := mux.Vars(r)["app"]
	return h.deleteConfirmed(w, r, deletion{confirmURL: h.path(applicationDeleteRoute, nil, "app", id),
		remove: func(version int64) error { return h.apps.Delete(r.Context(), rq.Actor, id, version) },
		rename: indexedField,
		refused: func(status int, pageErr string, _ error) error {
			app, err := h.applicationFor(r, rq)
			if err != nil {
				return err
			}
			in := manage.ApplicationInput{Name: app.Name, LogoURL: app.LogoURL, PrimaryColor: app.PrimaryColor, Organizational: app.Organizational}
			return h.renderApplication(w, r, rq, status, app, in, nil, pageErr)
		},
		after: to(h.path(applicationsRoute, nil)), notice: "deleted"})
}
