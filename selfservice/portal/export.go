package portal

import (
	"net/http"

	"foyer/selfservice/accountexport"
)

// buildExport is the customer's own download: the one document the admin
// console downloads too (accountexport), with this session marked.
func (h *Handler) buildExport(r *http.Request, v *viewer) (*accountexport.Export, error) {
	return accountexport.Build(r.Context(), h.store, v.Account, accountexport.Options{
		Now: h.cfg.Now(), CurrentSession: v.Session.ID, Device: h.device, Locate: h.geo.locate,
	})
}

func (h *Handler) exportJSON(w http.ResponseWriter, r *http.Request, v *viewer) error {
	x, err := h.buildExport(r, v)
	if err != nil {
		return err
	}
	return accountexport.WriteJSON(w, x, "my-data.json")
}

func (h *Handler) exportHTML(w http.ResponseWriter, r *http.Request, v *viewer) error {
	x, err := h.buildExport(r, v)
	if err != nil {
		return err
	}
	t := func(key string, args ...any) string { return h.render.T(v.Lang, key, args...) }
	return accountexport.WriteHTML(w, accountexport.Page{Lang: v.Lang, AppName: brandingOf(v.App).AppName, Export: x}, t, "my-data.html")
}
