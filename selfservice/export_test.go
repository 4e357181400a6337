package selfservice

import (
	"net/http"
	"net/http/httptest"

	"foyer/selfservice/route"
	"foyer/selfservice/upstream"
)

// ExternalSignInForTest goes on with the flow of interactionID as the
// external callback does once the upstream vouched for id (the upstream
// round trip itself is upstream's tests'); r carries the browser.
func (h *Handler) ExternalSignInForTest(r *http.Request, interactionID, providerID string, id *upstream.Identity) (*httptest.ResponseRecorder, error) {
	w := httptest.NewRecorder()
	f, err := h.loadFlow(w, r, interactionID, h.signer.Sign(interactionID, route.StepLogin), route.StepLogin)
	if err != nil {
		return w, err
	}
	p, err := h.store.GetUpstreamProvider(r.Context(), providerID)
	if err != nil {
		return w, err
	}
	return w, h.externalSignIn(w, r, f, p, id)
}
