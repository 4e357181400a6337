package selfservice

import (
	"net/http"

	"foyer/storage"
	"foyer/themes"
)

// interactionApp is the application of the client whose sign-in request
// interaction id is, or nil. The interaction may have expired or been
// finished: a page saying so still belongs to that application, so it
// must wear its branding rather than the default (issue 17). The id is an
// unguessable random value; which application it belongs to is all a page
// reveals.
func (h *Handler) interactionApp(r *http.Request, id string) *storage.Application {
	if id == "" {
		return nil
	}
	ctx := r.Context()
	in, _, err := h.sessions.LoadInteraction(r, h.store, id)
	if err != nil {
		return nil
	}
	c, err := h.store.GetClient(ctx, in.ClientID)
	if err != nil {
		return nil
	}
	app, err := h.store.GetApplication(ctx, c.ApplicationID)
	if err != nil {
		return nil
	}
	return app
}

// requestBranding is the look of a page outside a loaded flow (an error
// page, a used link): that of the application whose interaction the
// request names (?interaction= or the form's field), else the default.
func (h *Handler) requestBranding(r *http.Request) themes.Branding {
	return branding(h.interactionApp(r, r.FormValue("interaction")))
}
