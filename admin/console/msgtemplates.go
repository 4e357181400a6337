package console

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
	"foyer/storage"
)

// MessageTemplateService is what the message pages need
// (manage.MessageTemplates).
type MessageTemplateService interface {
	Kinds(ctx context.Context, a manage.Actor, appID string) ([]manage.MessageKindView, error)
	Get(ctx context.Context, a manage.Actor, appID string, key manage.MessageTemplateKey) (manage.MessageTemplateView, error)
	Put(ctx context.Context, a manage.Actor, appID string, key manage.MessageTemplateKey, ifVersion int64, in manage.MessageTemplateInput) (manage.MessageTemplateView, bool, error)
	Delete(ctx context.Context, a manage.Actor, appID string, key manage.MessageTemplateKey, version int64) error
	Preview(ctx context.Context, a manage.Actor, appID string, key manage.MessageTemplateKey, in manage.MessageTemplateInput) (manage.RenderedMessage, error)
	SendTest(ctx context.Context, a manage.Actor, appID string, key manage.MessageTemplateKey, to string, in manage.MessageTemplateInput) (manage.RenderedMessage, error)
}

const (
	messagesRoute        = "console.application_messages"
	messageTemplateRoute = "console.application_message"
)

func (h *Handler) mountMessageTemplates(r *mux.Router) {
	if h.msgTemplates == nil {
		return
	}
	route.Handle(r, messagesRoute, "/admin/applications/{app}/messages", route.Methods{
		http.MethodGet: h.authed(h.messagesPage)})
	route.Handle(r, messageTemplateRoute, "/admin/applications/{app}/messages/edit", route.Methods{
		http.MethodGet: h.authed(h.messageTemplatePage), http.MethodPost: h.authed(h.saveMessageTemplate)})
}

// messagesPage is the data of admin_messages: every message the
// application may override, each with the languages it has a template
// for (none: the theme's message is sent).
type messagesPage struct {
	frame
	AppName, BackURL string
	Rows             []messageRow
	// EditURL opens the form for a message and language chosen below.
	EditURL   string
	Messages  []string // "channel/kind"
	Languages []string
}

type messageRow struct {
	Kind, Channel string
	Templates     []messageLink
}

type messageLink struct {
	Language, URL string
}

func (h *Handler) messageURL(appID, channel, kind, lang string) string {
	return h.path(messageTemplateRoute, url.Values{"message": {channel + "/" + kind}, "language": {lang}}, "app", appID)
}

func (h *Handler) messagesPage(w http.ResponseWriter, r *http.Request, rq *request) error {
	app, err := h.applicationFor(r, rq)
	if err != nil {
		return err
	}
	kinds, err := h.msgTemplates.Kinds(r.Context(), rq.Actor, app.ID)
	if err != nil {
		return err
	}
	p := &messagesPage{AppName: app.Name, BackURL: h.path(applicationRoute, nil, "app", app.ID),
		EditURL: h.path(messageTemplateRoute, nil, "app", app.ID), Languages: manage.MessageTemplateLanguages(h.render.Languages())}
	for _, k := range kinds {
		row := messageRow{Kind: k.Kind, Channel: k.Channel}
		for _, l := range k.Languages {
			row.Templates = append(row.Templates, messageLink{Language: l, URL: h.messageURL(app.ID, k.Channel, k.Kind, l)})
		}
		p.Rows = append(p.Rows, row)
		p.Messages = append(p.Messages, k.Channel+"/"+k.Kind)
	}
	h.page(w, r, rq, "admin_messages", http.StatusOK, app.StoreID, p)
	return nil
}

// messageTemplatePage is the data of admin_message_template: one template's form
// (the stored one, or empty when the theme's message is sent), the
// placeholders it may use, a preview and a test send.
type messageTemplatePage struct {
	frame
	AppName, ListURL, FormURL string
	Kind, Channel, Language   string
	Email                     bool
	Placeholders, Required    []string
	Exists                    bool
	Version                   int64
	Subject, Text, HTML, To   string
	CanWrite                  bool
	Preview                   *manage.RenderedMessage
	FieldErrors               map[string]string
}

// messageKey reads ?message=channel/kind&language= (a form's hidden
// fields on a post).
func messageKey(r *http.Request) manage.MessageTemplateKey {
	channel, kind, _ := strings.Cut(r.FormValue("message"), "/")
	return manage.MessageTemplateKey{Kind: kind, Channel: channel, Language: r.FormValue("language")}
}

func (h *Handler) messageTemplateData(r *http.Request, rq *request) (*messageTemplatePage, manage.ApplicationView, error) {
	app, err := h.applicationFor(r, rq)
	if err != nil {
		return nil, app, err
	}
	key := messageKey(r)
	kinds, err := h.msgTemplates.Kinds(r.Context(), rq.Actor, app.ID)
	if err != nil {
		return nil, app, err
	}
	p := &messageTemplatePage{AppName: app.Name, ListURL: h.path(messagesRoute, nil, "app", app.ID),
		FormURL: h.path(messageTemplateRoute, nil, "app", app.ID), Kind: key.Kind, Channel: key.Channel,
		Language: key.Language, Email: key.Channel == storage.TemplateEmail, CanWrite: rq.Actor.Can(manage.WriteConfig, app.StoreID)}
	found := false
	for _, k := range kinds {
		if k.Kind == key.Kind && k.Channel == key.Channel {
			p.Placeholders, p.Required, found = k.Placeholders, k.Required, true
		}
	}
	if !found || key.Language == "" {
		return nil, app, manage.ErrNotFound
	}
	cur, err := h.msgTemplates.Get(r.Context(), rq.Actor, app.ID, key)
	switch {
	case err == nil:
		p.Exists, p.Version, p.Subject, p.Text, p.HTML = true, cur.Version, cur.Subject, cur.Text, cur.HTML
	case !errors.Is(err, manage.ErrNotFound):
		return nil, app, err
	}
	return p, app, nil
}

func (h *Handler) messageTemplatePage(w http.ResponseWriter, r *http.Request, rq *request) error {
	p, app, err := h.messageTemplateData(r, rq)
	if err != nil {
		return err
	}
	h.page(w, r, rq, "admin_message_template", http.StatusOK, app.StoreID, p)
	return nil
}

// saveMessageTemplate does the button pressed: save, preview, test (send
// with sample values to the typed address) or delete.
func (h *Handler) saveMessageTemplate(w http.ResponseWriter, r *http.Request, rq *request) error {
	p, app, err := h.messageTemplateData(r, rq)
	if err != nil {
		return err
	}
	key := messageKey(r)
	in := manage.MessageTemplateInput{Subject: r.PostFormValue("subject"), Text: r.PostFormValue("text"), HTML: r.PostFormValue("html")}
	p.Subject, p.Text, p.HTML, p.To = in.Subject, in.Text, in.HTML, strings.TrimSpace(r.PostFormValue("to"))
	here := h.messageURL(app.ID, key.Channel, key.Kind, key.Language)
	switch r.PostFormValue("action") {
	case "delete":
		err = h.msgTemplates.Delete(r.Context(), rq.Actor, app.ID, key, formVersion(r))
		if err == nil {
			h.done(w, r, p.ListURL, "deleted")
			return nil
		}
	case "preview":
		var out manage.RenderedMessage
		if out, err = h.msgTemplates.Preview(r.Context(), rq.Actor, app.ID, key, in); err == nil {
			p.Preview = &out
		}
	case "test":
		var out manage.RenderedMessage
		if out, err = h.msgTemplates.SendTest(r.Context(), rq.Actor, app.ID, key, p.To, in); err == nil {
			p.Preview, p.Notice = &out, "admin.messages.test_sent"
		}
	default:
		if _, _, err = h.msgTemplates.Put(r.Context(), rq.Actor, app.ID, key, formVersion(r), in); err == nil {
			h.done(w, r, here, "saved")
			return nil
		}
	}
	status := http.StatusOK
	if errs, pageErr, ok := formErrors(err, indexedField); ok {
		p.FieldErrors, p.Error, status = errs, pageErr, statusOf(err)
	} else if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	h.page(w, r, rq, "admin_message_template", status, app.StoreID, p)
	return nil
}
