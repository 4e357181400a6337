package console

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
)

// clientPage is the data of admin_client: one client's settings (never
// its secret), its secret's rotation and its deletion.
type clientPage struct {
	frame
	ID, AppName, AppURL string
	Version             int64
	ClientForm          clientForm
	HasSecret           bool
	PreviousUntil       string
	Overlaps            []storeChoice
	CanWrite            bool
	SaveURL, RotateURL  string
	DeleteURL           string
	FieldErrors         map[string]string
}

// overlaps are the rotation's choices: how long the replaced secret keeps
// working (seconds; 0 none).
var overlaps = []struct{ seconds, label string }{
	{"0", "admin.client.overlap.none"}, {"3600", "admin.client.overlap.hour"},
	{"86400", "admin.client.overlap.day"}, {"604800", "admin.client.overlap.week"},
}

func (h *Handler) clientFor(r *http.Request, rq *request) (*manage.Client, manage.ApplicationView, error) {
	c, err := h.clients.Get(r.Context(), rq.Actor, mux.Vars(r)["client"])
	if err != nil {
		return nil, manage.ApplicationView{}, err
	}
	app, err := h.apps.Get(r.Context(), rq.Actor, c.ApplicationID)
	return c, app, err
}

func (h *Handler) clientPage(w http.ResponseWriter, r *http.Request, rq *request) error {
	c, app, err := h.clientFor(r, rq)
	if err != nil {
		return err
	}
	return h.renderClient(w, r, rq, http.StatusOK, c, app, formOfClient(c), nil, "")
}

func (h *Handler) renderClient(w http.ResponseWriter, r *http.Request, rq *request, status int, c *manage.Client, app manage.ApplicationView,
	f clientForm, errs map[string]string, pageErr string) error {
	p := &clientPage{ID: c.ClientID, AppName: app.Name, AppURL: h.path(applicationRoute, nil, "app", app.ID), Version: c.Version, ClientForm: f,
		HasSecret: !c.Public && c.TokenEndpointAuthMethod != "none", CanWrite: rq.Actor.Can(manage.WriteConfig, app.StoreID) && c.ClientID != manage.ConsoleClientID,
		SaveURL: h.path(clientRoute, nil, "client", c.ClientID), RotateURL: h.path(clientRotateRoute, nil, "client", c.ClientID),
		DeleteURL: h.path(clientDeleteRoute, nil, "client", c.ClientID), FieldErrors: errs}
	if c.PreviousSecretExpiresAt != nil {
		p.PreviousUntil = c.PreviousSecretExpiresAt.UTC().Format(time.RFC3339)
	}
	for i, o := range overlaps {
		p.Overlaps = append(p.Overlaps, storeChoice{ID: o.seconds, Name: o.label, Current: i == 0})
	}
	p.Error = pageErr
	h.page(w, r, rq, "admin_client", status, app.StoreID, p)
	return nil
}

// updateClient saves the form over the stored client: what the form does
// not show (scopes aside) stays as it is.
func (h *Handler) updateClient(w http.ResponseWriter, r *http.Request, rq *request) error {
	c, app, err := h.clientFor(r, rq)
	if err != nil {
		return err
	}
	f := readClientForm(r)
	_, err = h.clients.Update(r.Context(), rq.Actor, c.ClientID, formVersion(r), f.input(c.ClientInput))
	if errs, pageErr, ok := formErrors(err, clientField); ok {
		return h.renderClient(w, r, rq, statusOf(err), c, app, f, errs, pageErr)
	}
	if err != nil {
		return err
	}
	h.done(w, r, h.path(clientRoute, nil, "client", c.ClientID), "saved")
	return nil
}

// rotateSecret issues a new secret, shown this once; the old one works
// for the chosen overlap.
func (h *Handler) rotateSecret(w http.ResponseWriter, r *http.Request, rq *request) error {
	c, app, err := h.clientFor(r, rq)
	if err != nil {
		return err
	}
	secs, perr := strconv.ParseInt(r.PostFormValue("overlap_seconds"), 10, 64)
	if perr != nil {
		secs = -1 // the service names the field
	}
	rotated, err := h.clients.RotateSecret(r.Context(), rq.Actor, c.ClientID, formVersion(r), time.Duration(secs)*time.Second)
	if errs, pageErr, ok := formErrors(err, clientField); ok {
		return h.renderClient(w, r, rq, statusOf(err), c, app, formOfClient(c), errs, pageErr)
	}
	if err != nil {
		return err
	}
	h.showSecret(w, r, rq, rotated, app.StoreID, true)
	return nil
}

// confirmDeleteClient asks before deleting the client with its tokens.
func (h *Handler) confirmDeleteClient(w http.ResponseWriter, r *http.Request, rq *request) error {
	c, app, err := h.clientFor(r, rq)
	if err != nil {
		return err
	}
	return h.confirm(w, r, rq, manage.WriteConfig, app.StoreID, confirmPage{Title: "admin.client.delete_title",
		Question: "admin.client.delete_question", Subject: c.ClientName, ActionURL: h.path(clientDeleteRoute, nil, "client", c.ClientID),
		Button: "admin.client.delete", Version: c.Version, CancelURL: h.path(clientRoute, nil, "client", c.ClientID)})
}

// deleteClient deletes it, only with the confirmation page's confirm=yes;
// the client is loaded once confirmed, for its page and its application.
func (h *Handler) deleteClient(w http.ResponseWriter, r *http.Request, rq *request) error {
	id := mux.Vars(r)["client"]
	var c *manage.Client
	var app manage.ApplicationView
	return h.deleteConfirmed(w, r, deletion{confirmURL: h.path(clientDeleteRoute, nil, "client", id),
		remove: func(version int64) (err error) {
			if c, app, err = h.clientFor(r, rq); err != nil {
				return err
			}
			return h.clients.Delete(r.Context(), rq.Actor, id, version)
		},
		rename: clientField,
		refused: func(status int, pageErr string, _ error) error {
			return h.renderClient(w, r, rq, status, c, app, formOfClient(c), nil, pageErr)
		},
		after: func() string { return h.path(applicationRoute, nil, "app", app.ID) }, notice: "deleted"})
}
