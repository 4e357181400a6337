package storagetest

import (
	"testing"

	"foyer/storage"
)

// messageTemplateAreas are the message templates' conformance cases; Run
// includes them.
var messageTemplateAreas = []struct {
	name string
	fn   func(t *testing.T, s storage.Store)
}{
	{"MessageTemplates", testMessageTemplates},
	{"MessageTemplatesCascade", testMessageTemplatesCascade},
}

func testMessageTemplates(t *testing.T, s storage.Store) {
	ctx := t.Context()
	app := newApplication(t, s)
	de := &storage.MessageTemplate{ApplicationID: app.ID, Kind: "password_reset", Channel: storage.TemplateEmail,
		Language: "de", Subject: "Neues Passwort", Text: "Hier:\n{{link}}\n", HTML: "<p><a href=\"{{link}}\">Los</a></p>",
		UpdatedBy: "admin-1"}
	must(t, "PutMessageTemplate", s.PutMessageTemplate(ctx, de, 0))
	if de.ID == "" || de.Version != 1 || de.UpdatedAt.IsZero() || de.StoreID != app.StoreID {
		t.Fatalf("created %+v", de)
	}
	anyLang := &storage.MessageTemplate{ApplicationID: app.ID, Kind: "password_reset", Channel: storage.TemplateEmail,
		Subject: "Reset", Text: "{{link}}"}
	must(t, "PutMessageTemplate any language", s.PutMessageTemplate(ctx, anyLang, 0))
	sms := &storage.MessageTemplate{ApplicationID: app.ID, Kind: "password_reset", Channel: storage.TemplateSMS,
		Language: "de", Text: "Code {{code}}"}
	must(t, "PutMessageTemplate sms", s.PutMessageTemplate(ctx, sms, 0))

	got, err := s.GetMessageTemplate(ctx, app.ID, "password_reset", storage.TemplateEmail, "de")
	must(t, "GetMessageTemplate", err)
	if got.Subject != "Neues Passwort" || got.Text != de.Text || got.HTML != de.HTML || got.UpdatedBy != "admin-1" || got.ID != de.ID {
		t.Errorf("GetMessageTemplate = %+v", got)
	}
	got, err = s.GetMessageTemplate(ctx, app.ID, "password_reset", storage.TemplateEmail, "")
	must(t, "GetMessageTemplate any", err)
	if got.Subject != "Reset" || got.Language != "" {
		t.Errorf("any-language template = %+v", got)
	}
	_, err = s.GetMessageTemplate(ctx, app.ID, "password_reset", storage.TemplateEmail, "fr")
	wantErr(t, "no French template", err, storage.ErrNotFound)

	// Put on an existing name replaces it and moves the version.
	de.Subject = "Passwort vergessen?"
	must(t, "PutMessageTemplate replace", s.PutMessageTemplate(ctx, de, 1))
	if de.Version != 2 || de.Subject != "Passwort vergessen?" {
		t.Errorf("replaced %+v", de)
	}
	wantErr(t, "stale put", s.PutMessageTemplate(ctx, &storage.MessageTemplate{ApplicationID: app.ID,
		Kind: "password_reset", Channel: storage.TemplateEmail, Language: "de", Text: "x"}, 1), storage.ErrStale)
	wantErr(t, "conditional put of nothing", s.PutMessageTemplate(ctx, &storage.MessageTemplate{ApplicationID: app.ID,
		Kind: "activation", Channel: storage.TemplateEmail, Text: "x"}, 3), storage.ErrNotFound)
	wantErr(t, "unknown application", s.PutMessageTemplate(ctx, &storage.MessageTemplate{ApplicationID: "nope",
		Kind: "activation", Channel: storage.TemplateEmail, Text: "x"}, 0), storage.ErrNotFound)

	other := newApplication(t, s)
	must(t, "other application's template", s.PutMessageTemplate(ctx, &storage.MessageTemplate{ApplicationID: other.ID,
		Kind: "password_reset", Channel: storage.TemplateEmail, Language: "de", Text: "{{link}}"}, 0))
	list, err := s.ListMessageTemplates(ctx, app.ID)
	must(t, "ListMessageTemplates", err)
	if len(list) != 3 || list[0].Channel != storage.TemplateEmail || list[0].Language != "" ||
		list[1].Language != "de" || list[2].Channel != storage.TemplateSMS {
		t.Errorf("ListMessageTemplates = %+v", list)
	}

	wantErr(t, "stale delete", s.DeleteMessageTemplate(ctx, app.ID, "password_reset", storage.TemplateEmail, "de", 1), storage.ErrStale)
	must(t, "DeleteMessageTemplate", s.DeleteMessageTemplate(ctx, app.ID, "password_reset", storage.TemplateEmail, "de", 2))
	wantErr(t, "delete again", s.DeleteMessageTemplate(ctx, app.ID, "password_reset", storage.TemplateEmail, "de", 0), storage.ErrNotFound)
	list, err = s.ListMessageTemplates(ctx, other.ID)
	must(t, "ListMessageTemplates other", err)
	if len(list) != 1 {
		t.Errorf("the other application's templates = %+v", list)
	}
}

// testMessageTemplatesCascade: an application's templates go with it.
func testMessageTemplatesCascade(t *testing.T, s storage.Store) {
	ctx := t.Context()
	app := newApplication(t, s)
	must(t, "PutMessageTemplate", s.PutMessageTemplate(ctx, &storage.MessageTemplate{ApplicationID: app.ID,
		Kind: "activation", Channel: storage.TemplateEmail, Text: "{{link}}"}, 0))
	must(t, "DeleteApplication", s.DeleteApplication(ctx, app.ID, app.Version))
	list, err := s.ListMessageTemplates(ctx, app.ID)
	must(t, "ListMessageTemplates", err)
	if len(list) != 0 {
		t.Errorf("templates outlive their application: %+v", list)
	}
}
