package admin

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
	"foyer/themes"
)

// errNoTranslations: the handler was built without the Translations service.
var errNoTranslations = errors.New("admin: the translation service is not configured")

// mountTranslations registers the translation packages of a store
// (/stores/{store}/translations[/{lang}]) and of an application
// (/applications/{app}/translations[/{lang}]): GET downloads a catalog as
// a JSON object, PUT uploads one (checked against English), DELETE removes
// the package.
func (h *Handler) mountTranslations(api *mux.Router) {
	for _, t := range []struct{ name, path string }{
		{"admin.store_translations", "/stores/{store}/translations"},
		{"admin.application_translations", "/applications/{app}/translations"},
	} {
		route.Handle(api, t.name, t.path, route.Methods{http.MethodGet: h.withTranslations(h.listTranslations)})
		route.Handle(api, t.name[:len(t.name)-1], t.path+"/{lang}", route.Methods{
			http.MethodGet: h.withTranslations(h.exportTranslation), http.MethodPut: h.withTranslations(h.importTranslation),
			http.MethodDelete: h.withTranslations(h.deleteTranslation)})
	}
}

func (h *Handler) withTranslations(next apiFunc) http.HandlerFunc {
	return h.authorized(func(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
		if h.translations == nil {
			return errNoTranslations
		}
		return next(w, r, a)
	})
}

func translationTarget(r *http.Request) manage.TranslationTarget {
	v := mux.Vars(r)
	return manage.TranslationTarget{StoreID: v["store"], ApplicationID: v["app"]}
}

func (h *Handler) listTranslations(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	langs, err := h.translations.List(r.Context(), a, translationTarget(r))
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeJSON(w, http.StatusOK, pageList(manage.Page[manage.TranslationLanguage]{Items: langs}))
	return nil
}

func (h *Handler) exportTranslation(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	lang := mux.Vars(r)["lang"]
	cat, err := h.translations.Export(r.Context(), a, translationTarget(r), lang)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", lang+".json"))
	writeJSON(w, http.StatusOK, cat)
	return nil
}

// importTranslation takes the catalog itself as the body (what a GET
// returned, translated), up to themes.MaxCatalogSize.
func (h *Handler) importTranslation(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return writeServiceError(w, r, fmt.Errorf("%w: the body must be application/json", errBadRequest))
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, themes.MaxCatalogSize))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return writeServiceError(w, r, fmt.Errorf("%w: the catalog is larger than %d bytes", errBadRequest, themes.MaxCatalogSize))
	}
	if err != nil {
		return writeServiceError(w, r, fmt.Errorf("%w: the body cannot be read", errBadRequest))
	}
	v, err := h.translations.Import(r.Context(), a, translationTarget(r), mux.Vars(r)["lang"], body)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (h *Handler) deleteTranslation(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	return done(w, r, h.translations.Delete(r.Context(), a, translationTarget(r), mux.Vars(r)["lang"]))
}
