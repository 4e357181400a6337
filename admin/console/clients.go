package console

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
)

// ClientService is what the console asks of the OAuth clients
// (manage.Clients). The service refuses changes to the console's own
// client and leaves the administrators store's clients to owners; the
// pages show its errors.
type ClientService interface {
	List(ctx context.Context, a manage.Actor, after string, limit int) ([]manage.Client, bool, error)
	Get(ctx context.Context, a manage.Actor, id string) (*manage.Client, error)
	Create(ctx context.Context, a manage.Actor, in manage.ClientInput) (*manage.Client, error)
	Update(ctx context.Context, a manage.Actor, id string, version int64, in manage.ClientInput) (*manage.Client, error)
	Delete(ctx context.Context, a manage.Actor, id string, version int64) error
	RotateSecret(ctx context.Context, a manage.Actor, id string, version int64, overlap time.Duration) (*manage.Client, error)
}

const (
	clientsRoute      = "console.clients"
	clientRoute       = "console.client"
	clientDeleteRoute = "console.client_delete"
	clientRotateRoute = "console.client_rotate"
	clientsBatch      = 200
)

func (h *Handler) mountClients(r *mux.Router) {
	route.Handle(r, clientsRoute, "/admin/applications/{app}/clients", route.Methods{http.MethodPost: h.authed(h.createClient)})
	route.Handle(r, clientRoute, "/admin/clients/{client}", route.Methods{
		http.MethodGet: h.authed(h.clientPage), http.MethodPost: h.authed(h.updateClient)})
	route.Handle(r, clientDeleteRoute, "/admin/clients/{client}/delete", route.Methods{
		http.MethodGet: h.authed(h.confirmDeleteClient), http.MethodPost: h.authed(h.deleteClient)})
	route.Handle(r, clientRotateRoute, "/admin/clients/{client}/rotate", route.Methods{http.MethodPost: h.authed(h.rotateSecret)})
}

// grantTypes are the grant types the client form offers.
var grantTypes = []string{"authorization_code", "refresh_token", "client_credentials"}

// clientForm is a client's form as shown or typed; the URIs one a line.
type clientForm struct {
	Name, RedirectURIs, PostLogoutURIs, Scope string
	GrantTypes                                []typeChoice
	Public, FirstParty                        bool
}

func grantChoices(checked []string) []typeChoice {
	out := make([]typeChoice, 0, len(grantTypes))
	for _, g := range grantTypes {
		out = append(out, typeChoice{Value: g, Label: "admin.client.grant." + g, Checked: slices.Contains(checked, g)})
	}
	return out
}

func formOfClient(c *manage.Client) clientForm {
	return clientForm{Name: c.ClientName, RedirectURIs: strings.Join(c.RedirectURIs, "\n"), PostLogoutURIs: strings.Join(c.PostLogoutRedirectURIs, "\n"),
		Scope: c.Scope, GrantTypes: grantChoices(c.GrantTypes), Public: c.Public, FirstParty: c.FirstParty}
}

func readClientForm(r *http.Request) clientForm {
	return clientForm{Name: r.PostFormValue("client_name"), RedirectURIs: r.PostFormValue("redirect_uris"),
		PostLogoutURIs: r.PostFormValue("post_logout_redirect_uris"), Scope: r.PostFormValue("scope"),
		GrantTypes: grantChoices(r.PostForm["grant_types"]), Public: r.PostFormValue("public") == "yes",
		FirstParty: r.PostFormValue("first_party") == "yes"}
}

// input is the service's input: base (the stored client's, or empty for
// a new one) with the form's fields over it, so that what the form does
// not show stays.
func (f clientForm) input(base manage.ClientInput) manage.ClientInput {
	in := base
	in.ClientName, in.RedirectURIs, in.PostLogoutRedirectURIs = f.Name, lines(f.RedirectURIs), lines(f.PostLogoutURIs)
	in.Scope, in.Public, in.FirstParty = strings.TrimSpace(f.Scope), f.Public, f.FirstParty
	in.GrantTypes = []string{}
	for _, g := range f.GrantTypes {
		if g.Checked {
			in.GrantTypes = append(in.GrantTypes, g.Value)
		}
	}
	switch {
	case f.Public:
		in.TokenEndpointAuthMethod = "none"
	case in.TokenEndpointAuthMethod == "none" || in.TokenEndpointAuthMethod == "":
		in.TokenEndpointAuthMethod = "client_secret_basic"
	}
	return in
}

// clientField names a service field after the form's: the auth method is
// the public/confidential choice.
func clientField(f string) string {
	f = indexedField(f)
	if f == "token_endpoint_auth_method" || f == "public" {
		return "public"
	}
	return f
}

// clientRow is one client in the application's list.
type clientRow struct {
	ID, Name, URL string
	Public        bool
}

// clientsOf are the application's clients the actor sees: the service
// lists clients by id, so the console reads them in batches and keeps
// the application's.
func (h *Handler) clientsOf(r *http.Request, rq *request, appID string) ([]clientRow, error) {
	var out []clientRow
	after := ""
	for {
		cs, more, err := h.clients.List(r.Context(), rq.Actor, after, clientsBatch)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			if c.ApplicationID == appID {
				out = append(out, clientRow{ID: c.ClientID, Name: c.ClientName, Public: c.Public, URL: h.path(clientRoute, nil, "client", c.ClientID)})
			}
		}
		if !more || len(cs) == 0 {
			return out, nil
		}
		after = cs[len(cs)-1].ClientID
	}
}

// secretPage is the data of admin_client_secret: a client's secret, shown
// this once after a creation or a rotation.
type secretPage struct {
	frame
	ClientID, Name, Secret string
	Rotated                bool
	ClientURL              string
}

func (h *Handler) showSecret(w http.ResponseWriter, r *http.Request, rq *request, c *manage.Client, storeID string, rotated bool) {
	if c.ClientSecret == "" {
		h.done(w, r, h.path(clientRoute, nil, "client", c.ClientID), "created")
		return
	}
	// The secret is not kept anywhere: no cache holds the page either.
	w.Header().Set("Cache-Control", "no-store")
	h.page(w, r, rq, "admin_client_secret", http.StatusOK, storeID, &secretPage{ClientID: c.ClientID, Name: c.ClientName,
		Secret: c.ClientSecret, Rotated: rotated, ClientURL: h.path(clientRoute, nil, "client", c.ClientID)})
}

// createClient registers a client of the application from its page.
func (h *Handler) createClient(w http.ResponseWriter, r *http.Request, rq *request) error {
	app, err := h.applicationFor(r, rq)
	if err != nil {
		return err
	}
	f := readClientForm(r)
	c, err := h.clients.Create(r.Context(), rq.Actor, f.input(manage.ClientInput{ApplicationID: app.ID}))
	if errs, pageErr, ok := formErrors(err, clientField); ok {
		in := manage.ApplicationInput{Name: app.Name, LogoURL: app.LogoURL, PrimaryColor: app.PrimaryColor, Organizational: app.Organizational}
		return h.renderApplicationWith(w, r, rq, statusOf(err), app, in, nil, pageErr, &f, errs)
	}
	if err != nil {
		return err
	}
	h.showSecret(w, r, rq, c, app.StoreID, false)
	return nil
}
