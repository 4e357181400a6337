package admin

import (
	"errors"
	"net/http"
	"time"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
)

// errNoMessageTemplates: the handler was built without the service.
var errNoMessageTemplates = errors.New("admin: the message templates service is not configured")

// messageTemplateRoute is one template: application id, channel (email or
// sms), kind and language ("*" for any language).
const messageTemplateRoute = "admin.message_template"

// mountMessageTemplates registers /applications/{id}/message-templates:
// the application's own e-mail and SMS texts (manage.MessageTemplates).
func (h *Handler) mountMessageTemplates(api *mux.Router) {
	const one = "/applications/{id}/message-templates/{channel}/{kind}/{language}"
	route.Handle(api, "admin.message_templates", "/applications/{id}/message-templates", route.Methods{
		http.MethodGet: h.authorized(h.listMessageTemplates)})
	route.Handle(api, messageTemplateRoute, one, route.Methods{
		http.MethodGet: h.authorized(h.getMessageTemplate), http.MethodPut: h.authorized(h.putMessageTemplate),
		http.MethodDelete: h.authorized(h.deleteMessageTemplate)})
	route.Handle(api, "admin.message_template_preview", one+"/preview", route.Methods{
		http.MethodPost: h.authorized(h.previewMessageTemplate)})
	route.Handle(api, "admin.message_template_test", one+"/test", route.Methods{
		http.MethodPost: h.authorized(h.testMessageTemplate)})
}

// messageTemplateList is the list's body: every overridable message with
// its languages, and the stored templates.
type messageTemplateList struct {
	Kinds []manage.MessageKindView     `json:"kinds"`
	Items []manage.MessageTemplateView `json:"items"`
}

func (h *Handler) listMessageTemplates(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	if h.msgTemplates == nil {
		return errNoMessageTemplates
	}
	id := mux.Vars(r)["id"]
	kinds, err := h.msgTemplates.Kinds(r.Context(), a, id)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	items, err := h.msgTemplates.List(r.Context(), a, id)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeJSON(w, http.StatusOK, messageTemplateList{Kinds: kinds, Items: items})
	return nil
}

func templateKey(r *http.Request) (string, manage.MessageTemplateKey) {
	v := mux.Vars(r)
	return v["id"], manage.MessageTemplateKey{Kind: v["kind"], Channel: v["channel"], Language: v["language"]}
}

func (h *Handler) getMessageTemplate(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	if h.msgTemplates == nil {
		return errNoMessageTemplates
	}
	app, key := templateKey(r)
	v, err := h.msgTemplates.Get(r.Context(), a, app, key)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeVersioned(w, http.StatusOK, v.Version, v)
	return nil
}

// messageTemplateReplacement is a PUT's body: the texts, and the
// read-only fields a GET returned (accepted and ignored).
type messageTemplateReplacement struct {
	manage.MessageTemplateInput
	ApplicationID string     `json:"application_id"`
	Kind          string     `json:"kind"`
	Channel       string     `json:"channel"`
	Language      string     `json:"language"`
	Version       *int64     `json:"version"`
	UpdatedAt     *time.Time `json:"updated_at"`
	UpdatedBy     string     `json:"updated_by"`
}

// putMessageTemplate creates the template (no If-Match; 409 when it
// exists) or replaces it (If-Match with its ETag).
func (h *Handler) putMessageTemplate(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	if h.msgTemplates == nil {
		return errNoMessageTemplates
	}
	var version int64
	if len(r.Header.Values("If-Match")) > 0 {
		var err error
		if version, err = ifMatch(r); err != nil {
			return writeServiceError(w, r, err)
		}
	}
	var in messageTemplateReplacement
	if err := decodeJSON(w, r, &in); err != nil {
		return writeServiceError(w, r, err)
	}
	app, key := templateKey(r)
	v, created, err := h.msgTemplates.Put(r.Context(), a, app, key, version, in.MessageTemplateInput)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	if created {
		writeCreated(w, h.routes.Path(messageTemplateRoute, nil, "id", app, "channel", key.Channel, "kind", key.Kind,
			"language", v.Language), v.Version, v)
		return nil
	}
	writeVersioned(w, http.StatusOK, v.Version, v)
	return nil
}

func (h *Handler) deleteMessageTemplate(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	if h.msgTemplates == nil {
		return errNoMessageTemplates
	}
	version, err := ifMatch(r)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	app, key := templateKey(r)
	if err := h.msgTemplates.Delete(r.Context(), a, app, key, version); err != nil {
		return writeServiceError(w, r, err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// previewMessageTemplate renders the body's texts with sample values.
func (h *Handler) previewMessageTemplate(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	if h.msgTemplates == nil {
		return errNoMessageTemplates
	}
	var in manage.MessageTemplateInput
	if err := decodeJSON(w, r, &in); err != nil {
		return writeServiceError(w, r, err)
	}
	app, key := templateKey(r)
	out, err := h.msgTemplates.Preview(r.Context(), a, app, key, in)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// messageTemplateTest is a test send's body: the recipient, and texts to
// send instead of the stored template.
type messageTemplateTest struct {
	To string `json:"to"`
	manage.MessageTemplateInput
}

// testMessageTemplate sends the template with sample values to the
// address the caller names, through the outbox (202: queued).
func (h *Handler) testMessageTemplate(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	if h.msgTemplates == nil {
		return errNoMessageTemplates
	}
	var in messageTemplateTest
	if err := decodeJSON(w, r, &in); err != nil {
		return writeServiceError(w, r, err)
	}
	app, key := templateKey(r)
	out, err := h.msgTemplates.SendTest(r.Context(), a, app, key, in.To, in.MessageTemplateInput)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeJSON(w, http.StatusAccepted, out)
	return nil
}
