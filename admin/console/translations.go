package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
	"foyer/themes"
)

// TranslationService is manage.Translations as the console uses it.
type TranslationService interface {
	List(ctx context.Context, a manage.Actor, t manage.TranslationTarget) ([]manage.TranslationLanguage, error)
	Export(ctx context.Context, a manage.Actor, t manage.TranslationTarget, lang string) (map[string]string, error)
	Import(ctx context.Context, a manage.Actor, t manage.TranslationTarget, lang string, raw []byte) (*manage.TranslationLanguage, error)
	Delete(ctx context.Context, a manage.Actor, t manage.TranslationTarget, lang string) error
}

const (
	storeLanguagesRoute = "console.store_languages"
	storeLanguageRoute  = "console.store_language"
	storeLanguageDelete = "console.store_language_delete"
	appLanguagesRoute   = "console.application_languages"
	appLanguageRoute    = "console.application_language"
	appLanguageDelete   = "console.application_language_delete"
)

// mountTranslations registers the Languages pages of a store and of an
// application: the list with download links, the upload form (a file
// input) and deletion of a package.
func (h *Handler) mountTranslations(r *mux.Router) {
	if h.translations == nil {
		return
	}
	for _, p := range []struct{ list, one, del, base string }{
		{storeLanguagesRoute, storeLanguageRoute, storeLanguageDelete, "/admin/stores/{store}/languages"},
		{appLanguagesRoute, appLanguageRoute, appLanguageDelete, "/admin/applications/{app}/languages"},
	} {
		route.Handle(r, p.list, p.base, route.Methods{
			http.MethodGet: h.authed(h.languagesPage), http.MethodPost: h.authed(h.uploadLanguage)})
		route.Handle(r, p.one, p.base+"/{lang}.json", route.Methods{http.MethodGet: h.authed(h.downloadLanguage)})
		route.Handle(r, p.del, p.base+"/{lang}/delete", route.Methods{http.MethodPost: h.authed(h.deleteLanguage)})
	}
}

// languagesPage is the data of admin_languages.
type languagesPage struct {
	frame
	Title       string // the store's or application's name
	Rows        []languageRow
	CanWrite    bool
	UploadURL   string
	Lang        string // the upload form's language as typed
	FieldErrors map[string]string
	// Problems are the upload's problems per catalog key.
	Problems []string
}

type languageRow struct {
	manage.TranslationLanguage
	DownloadURL, DeleteURL string
}

// languagesTarget is the request's store or application, its name, the
// store it belongs to and the route names of its pages.
type languagesTarget struct {
	target         manage.TranslationTarget
	name, store    string
	list, one, del string
	vars           []string
}

func (h *Handler) languagesTarget(r *http.Request, rq *request) (*languagesTarget, error) {
	v := mux.Vars(r)
	if id := v["app"]; id != "" {
		app, err := h.apps.Get(r.Context(), rq.Actor, id)
		if err != nil {
			return nil, err
		}
		return &languagesTarget{target: manage.TranslationTarget{ApplicationID: app.ID}, name: app.Name, store: app.StoreID,
			list: appLanguagesRoute, one: appLanguageRoute, del: appLanguageDelete, vars: []string{"app", app.ID}}, nil
	}
	s, err := h.storeFor(r, rq)
	if err != nil {
		return nil, err
	}
	return &languagesTarget{target: manage.TranslationTarget{StoreID: s.ID}, name: s.Name, store: s.ID,
		list: storeLanguagesRoute, one: storeLanguageRoute, del: storeLanguageDelete, vars: []string{"store", s.ID}}, nil
}

func (h *Handler) languagesPage(w http.ResponseWriter, r *http.Request, rq *request) error {
	lt, err := h.languagesTarget(r, rq)
	if err != nil {
		return err
	}
	return h.renderLanguages(w, r, rq, lt, http.StatusOK, &languagesPage{})
}

func (h *Handler) renderLanguages(w http.ResponseWriter, r *http.Request, rq *request, lt *languagesTarget, status int, p *languagesPage) error {
	langs, err := h.translations.List(r.Context(), rq.Actor, lt.target)
	if err != nil {
		return err
	}
	p.Title, p.CanWrite = lt.name, rq.Actor.Can(manage.WriteConfig, lt.store)
	p.UploadURL = h.path(lt.list, nil, lt.vars...)
	for _, l := range langs {
		row := languageRow{TranslationLanguage: l, DownloadURL: h.path(lt.one, nil, append(lt.vars, "lang", l.Language)...)}
		if l.Package && p.CanWrite {
			row.DeleteURL = h.path(lt.del, nil, append(lt.vars, "lang", l.Language)...)
		}
		p.Rows = append(p.Rows, row)
	}
	w.Header().Set("Cache-Control", "no-store")
	h.page(w, r, rq, "admin_languages", status, lt.store, p)
	return nil
}

// downloadLanguage answers the catalog as a JSON file.
func (h *Handler) downloadLanguage(w http.ResponseWriter, r *http.Request, rq *request) error {
	lt, err := h.languagesTarget(r, rq)
	if err != nil {
		return err
	}
	lang := mux.Vars(r)["lang"]
	cat, err := h.translations.Export(r.Context(), rq.Actor, lt.target, lang)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(cat, "", "  ")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", lang+".json"))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, err = w.Write(append(b, '\n'))
	return err
}

// uploadLanguage stores the posted file as the target's package; every
// problem of the catalog is listed on the page.
func (h *Handler) uploadLanguage(w http.ResponseWriter, r *http.Request, rq *request) error {
	lt, err := h.languagesTarget(r, rq)
	if err != nil {
		return err
	}
	p := &languagesPage{Lang: r.PostFormValue("lang"), FieldErrors: map[string]string{}}
	raw, fileErr := readUpload(r, "catalog")
	if fileErr != "" {
		p.FieldErrors["catalog"], p.Error = fileErr, "admin.fix_errors"
		return h.renderLanguages(w, r, rq, lt, http.StatusUnprocessableEntity, p)
	}
	_, err = h.translations.Import(r.Context(), rq.Actor, lt.target, p.Lang, raw)
	var ve *manage.ValidationError
	if errors.As(err, &ve) {
		p.Error = "admin.fix_errors"
		for _, k := range slices.Sorted(maps.Keys(ve.Fields)) {
			switch k {
			case "language", "catalog":
				p.FieldErrors[k] = ve.Fields[k]
			default:
				p.Problems = append(p.Problems, k[len("catalog."):]+": "+ve.Fields[k])
			}
		}
		return h.renderLanguages(w, r, rq, lt, http.StatusUnprocessableEntity, p)
	}
	if err != nil {
		return err
	}
	h.done(w, r, h.path(lt.list, nil, lt.vars...), "saved")
	return nil
}

// readUpload reads the form's file field, at most themes.MaxCatalogSize
// bytes; the string is a problem to show.
func readUpload(r *http.Request, field string) ([]byte, string) {
	f, _, err := r.FormFile(field)
	if err != nil {
		return nil, "choose a JSON file"
	}
	defer func() { _ = f.Close() }()
	raw, err := io.ReadAll(io.LimitReader(f, themes.MaxCatalogSize+1))
	if err != nil {
		return nil, "the file cannot be read"
	}
	if len(raw) > themes.MaxCatalogSize {
		return nil, fmt.Sprintf("the file is larger than %d bytes", themes.MaxCatalogSize)
	}
	return raw, ""
}

func (h *Handler) deleteLanguage(w http.ResponseWriter, r *http.Request, rq *request) error {
	lt, err := h.languagesTarget(r, rq)
	if err != nil {
		return err
	}
	if err := h.translations.Delete(r.Context(), rq.Actor, lt.target, mux.Vars(r)["lang"]); err != nil {
		return err
	}
	h.done(w, r, h.path(lt.list, nil, lt.vars...), "deleted")
	return nil
}
