package storagetest

import (
	"slices"
	"testing"
	"time"

	"foyer/storage"
)

var translationAreas = []struct {
	name string
	fn   func(t *testing.T, s storage.Store)
}{
	{"TranslationPackages", testTranslationPackages},
}

func testTranslationPackages(t *testing.T, s storage.Store) {
	ctx := t.Context()
	is := newIdentityStore(t, s)
	at := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	p := &storage.TranslationPackage{StoreID: is.ID, Language: "fr", Catalog: map[string]string{"login.title": "Connexion"},
		UpdatedAt: at, UpdatedBy: "admin@example.com"}
	prev, err := s.PutTranslationPackage(ctx, p)
	must(t, "PutTranslationPackage", err)
	if prev != nil || p.ID == "" {
		t.Fatalf("new package: previous %+v, id %q", prev, p.ID)
	}
	app := &storage.TranslationPackage{StoreID: is.ID, ApplicationID: "app-1", Language: "fr",
		Catalog: map[string]string{"login.title": "Connexion à l'app"}, UpdatedAt: at}
	_, err = s.PutTranslationPackage(ctx, app)
	must(t, "PutTranslationPackage app", err)
	sv := &storage.TranslationPackage{StoreID: is.ID, Language: "sv", Catalog: map[string]string{"login.title": "Logga in"}, UpdatedAt: at}
	_, err = s.PutTranslationPackage(ctx, sv)
	must(t, "PutTranslationPackage sv", err)

	replaced := &storage.TranslationPackage{StoreID: is.ID, Language: "fr", Catalog: map[string]string{"login.submit": "Se connecter"},
		UpdatedAt: at.Add(time.Hour), UpdatedBy: "other@example.com"}
	prev, err = s.PutTranslationPackage(ctx, replaced)
	must(t, "PutTranslationPackage replace", err)
	if prev == nil || prev.Catalog["login.title"] != "Connexion" || replaced.ID != p.ID {
		t.Errorf("replace: previous %+v, id %q want %q", prev, replaced.ID, p.ID)
	}
	got, err := s.GetTranslationPackage(ctx, is.ID, "", "fr")
	must(t, "GetTranslationPackage", err)
	if len(got.Catalog) != 1 || got.Catalog["login.submit"] != "Se connecter" || got.UpdatedBy != "other@example.com" ||
		!got.UpdatedAt.Equal(at.Add(time.Hour)) {
		t.Errorf("GetTranslationPackage = %+v", got)
	}
	list, err := s.ListTranslationPackages(ctx, is.ID, "")
	must(t, "ListTranslationPackages", err)
	if len(list) != 2 || list[0].Language != "fr" || list[1].Language != "sv" {
		t.Errorf("store packages = %+v", list)
	}
	list, err = s.ListTranslationPackages(ctx, is.ID, "app-1")
	must(t, "ListTranslationPackages app", err)
	if len(list) != 1 || list[0].Catalog["login.title"] != "Connexion à l'app" {
		t.Errorf("app packages = %+v", list)
	}
	for _, c := range []struct {
		app  string
		want []string // application id/language, in order
	}{{"app-1", []string{"/fr", "/sv", "app-1/fr"}}, {"", []string{"/fr", "/sv"}}, {"app-2", []string{"/fr", "/sv"}}} {
		list, err = s.ListScopeTranslationPackages(ctx, is.ID, c.app)
		must(t, "ListScopeTranslationPackages", err)
		var got []string
		for _, p := range list {
			got = append(got, p.ApplicationID+"/"+p.Language)
		}
		if !slices.Equal(got, c.want) || list[0].Catalog["login.submit"] != "Se connecter" {
			t.Errorf("ListScopeTranslationPackages(%q) = %v, want %v (the store's first, with catalogs)", c.app, got, c.want)
		}
	}
	langs, err := s.TranslationLanguages(ctx)
	must(t, "TranslationLanguages", err)
	if !slices.Contains(langs, "fr") || !slices.Contains(langs, "sv") || !slices.IsSorted(langs) {
		t.Errorf("TranslationLanguages = %v", langs)
	}
	_, err = s.PutTranslationPackage(ctx, &storage.TranslationPackage{StoreID: "nope", Language: "fr", Catalog: map[string]string{}})
	wantErr(t, "unknown store", err, storage.ErrNotFound)
	_, err = s.GetTranslationPackage(ctx, is.ID, "app-2", "fr")
	wantErr(t, "get unknown", err, storage.ErrNotFound)
	must(t, "DeleteTranslationPackage", s.DeleteTranslationPackage(ctx, is.ID, "app-1", "fr"))
	wantErr(t, "delete twice", s.DeleteTranslationPackage(ctx, is.ID, "app-1", "fr"), storage.ErrNotFound)
	if _, err := s.GetTranslationPackage(ctx, is.ID, "", "fr"); err != nil {
		t.Errorf("deleting the app's package touched the store's: %v", err)
	}
}
