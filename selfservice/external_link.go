package selfservice

import (
	"errors"
	"net/http"

	"foyer/selfservice/upstream"
	"foyer/storage"
)

// finishLink is the portal's half of the callback (helper "extportal"
// writes it); this stub is replaced at merge.
func (h *Handler) finishLink(_ http.ResponseWriter, _ *http.Request, _ *storage.UpstreamAttempt, _ *storage.UpstreamProvider, _ *upstream.Identity) error {
	return errors.New("selfservice: linking from the portal is not built yet")
}
