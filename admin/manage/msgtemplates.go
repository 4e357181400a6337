package manage

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"time"

	"foyer/selfservice/notify"
	"foyer/storage"
)

// AnyLanguage names, in the API and the console, the template that serves
// every language without one of its own (stored as "").
const AnyLanguage = "*"

// MessageTemplatesStore is what the message templates service needs.
type MessageTemplatesStore interface {
	GetApplication(ctx context.Context, id string) (*storage.Application, error)
	storage.MessageTemplates
}

// MessageSender queues a rendered message (notify.Service): a test send
// goes through the outbox like every other message.
type MessageSender interface {
	Send(ctx context.Context, m notify.Message) (notify.Message, error)
}

// MessageTemplates manages the applications' own e-mail and SMS templates
// (notify.CheckTemplate says what is accepted). They are application
// settings: reading them takes ReadConfig, changing them and test sends
// WriteConfig, on the application's identity store.
type MessageTemplates struct {
	core   *Core
	store  MessageTemplatesStore
	sender MessageSender
}

// NewMessageTemplates returns the service; store must be the store core
// runs its transactions on.
func NewMessageTemplates(core *Core, store MessageTemplatesStore, sender MessageSender) *MessageTemplates {
	return &MessageTemplates{core: core, store: store, sender: sender}
}

// MessageTemplateKey names one template: kind, channel and language
// (AnyLanguage or a BCP 47 tag).
type MessageTemplateKey struct {
	Kind     string `json:"kind"`
	Channel  string `json:"channel"`
	Language string `json:"language"`
}

// MessageTemplateInput is what Put, Preview and SendTest take.
type MessageTemplateInput struct {
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html"`
}

// MessageTemplateView is a stored template.
type MessageTemplateView struct {
	ApplicationID string `json:"application_id"`
	MessageTemplateKey
	MessageTemplateInput
	Version   int64     `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by"`
}

// MessageKindView is one overridable message of an application: what its
// templates may use and which languages it has templates for.
type MessageKindView struct {
	Kind         string   `json:"kind"`
	Channel      string   `json:"channel"`
	Placeholders []string `json:"placeholders"`
	Required     []string `json:"required"`
	Languages    []string `json:"languages"` // with a template; AnyLanguage first
}

// RenderedMessage is a preview: the template filled with sample values.
type RenderedMessage struct {
	Subject string `json:"subject,omitempty"`
	Text    string `json:"text"`
	HTML    string `json:"html,omitempty"`
}

func viewMessageTemplate(t *storage.MessageTemplate) MessageTemplateView {
	lang := t.Language
	if lang == "" {
		lang = AnyLanguage
	}
	return MessageTemplateView{ApplicationID: t.ApplicationID,
		MessageTemplateKey:   MessageTemplateKey{Kind: t.Kind, Channel: t.Channel, Language: lang},
		MessageTemplateInput: MessageTemplateInput{Subject: t.Subject, Text: t.Text, HTML: t.HTML},
		Version:              t.Version, UpdatedAt: t.UpdatedAt, UpdatedBy: t.UpdatedBy}
}

func (s *MessageTemplates) app(ctx context.Context, a Actor, p Permission, id string) (*storage.Application, error) {
	return applicationFor(ctx, s.store, a, p, id)
}

// Kinds lists every overridable message with the languages the
// application has templates for.
func (s *MessageTemplates) Kinds(ctx context.Context, a Actor, appID string) ([]MessageKindView, error) {
	if _, err := s.app(ctx, a, ReadConfig, appID); err != nil {
		return nil, err
	}
	stored, err := s.store.ListMessageTemplates(ctx, appID)
	if err != nil {
		return nil, err
	}
	kinds := notify.TemplateKinds()
	out := make([]MessageKindView, len(kinds))
	for i, k := range kinds {
		out[i] = MessageKindView{Kind: k.Kind, Channel: k.Channel, Placeholders: k.Placeholders(),
			Required: append([]string{}, k.Required...), Languages: []string{}}
		for _, t := range stored {
			if t.Kind == k.Kind && t.Channel == k.Channel {
				out[i].Languages = append(out[i].Languages, viewMessageTemplate(&t).Language)
			}
		}
	}
	return out, nil
}

// List returns the application's templates.
func (s *MessageTemplates) List(ctx context.Context, a Actor, appID string) ([]MessageTemplateView, error) {
	if _, err := s.app(ctx, a, ReadConfig, appID); err != nil {
		return nil, err
	}
	stored, err := s.store.ListMessageTemplates(ctx, appID)
	if err != nil {
		return nil, err
	}
	out := make([]MessageTemplateView, len(stored))
	for i := range stored {
		out[i] = viewMessageTemplate(&stored[i])
	}
	return out, nil
}

// Get returns one template; ErrNotFound when the application sends the
// theme's message for it.
func (s *MessageTemplates) Get(ctx context.Context, a Actor, appID string, key MessageTemplateKey) (MessageTemplateView, error) {
	if _, err := s.app(ctx, a, ReadConfig, appID); err != nil {
		return MessageTemplateView{}, err
	}
	t, err := s.store.GetMessageTemplate(ctx, appID, key.Kind, key.Channel, storedLanguage(key.Language))
	if err != nil {
		return MessageTemplateView{}, err
	}
	return viewMessageTemplate(t), nil
}

func storedLanguage(lang string) string {
	if lang == AnyLanguage {
		return ""
	}
	return lang
}

// checked is the template key and input as storage would hold them, or
// every problem with them.
func checked(appID string, key MessageTemplateKey, in MessageTemplateInput) (*storage.MessageTemplate, error) {
	t := &storage.MessageTemplate{ApplicationID: appID, Kind: key.Kind, Channel: key.Channel,
		Language: storedLanguage(key.Language), Subject: in.Subject, Text: in.Text, HTML: in.HTML}
	if key.Language == "" {
		return nil, Problems{"language": "a BCP 47 tag, or * for any language"}.Err()
	}
	if p := notify.CheckTemplate(t); p != nil {
		return nil, Problems(p).Err()
	}
	return t, nil
}

// Put creates the template (ifVersion 0; ErrConflict when one exists) or
// replaces it at ifVersion (ErrStale). created tells which.
func (s *MessageTemplates) Put(ctx context.Context, a Actor, appID string, key MessageTemplateKey, ifVersion int64, in MessageTemplateInput) (out MessageTemplateView, created bool, err error) {
	app, err := s.app(ctx, a, WriteConfig, appID)
	if err != nil {
		return out, false, err
	}
	t, err := checked(appID, key, in)
	if err != nil {
		return out, false, err
	}
	t.UpdatedBy = a.ID
	err = s.core.Apply(ctx, a, WriteConfig, app.StoreID, func(ctx context.Context) (Change, error) {
		var before any
		cur, err := s.store.GetMessageTemplate(ctx, appID, t.Kind, t.Channel, t.Language)
		switch {
		case err == nil && ifVersion == 0:
			return Change{}, Conflict("the application has this template already: replace it with If-Match naming its version")
		case err == nil:
			before = viewMessageTemplate(cur)
		case !errors.Is(err, storage.ErrNotFound):
			return Change{}, err
		}
		if err := s.store.PutMessageTemplate(ctx, t, ifVersion); err != nil {
			return Change{}, err
		}
		out, created = viewMessageTemplate(t), before == nil
		action := "message_template.updated"
		if created {
			action = "message_template.created"
		}
		return Change{Action: action, TargetType: "message_template", TargetID: t.ID, StoreID: app.StoreID, Before: before, After: out}, nil
	})
	return out, created, err
}

// Delete removes the template at version: the theme's message is sent
// again.
func (s *MessageTemplates) Delete(ctx context.Context, a Actor, appID string, key MessageTemplateKey, version int64) error {
	app, err := s.app(ctx, a, WriteConfig, appID)
	if err != nil {
		return err
	}
	return s.core.Apply(ctx, a, WriteConfig, app.StoreID, func(ctx context.Context) (Change, error) {
		cur, err := s.store.GetMessageTemplate(ctx, appID, key.Kind, key.Channel, storedLanguage(key.Language))
		if err != nil {
			return Change{}, err
		}
		if err := s.store.DeleteMessageTemplate(ctx, appID, cur.Kind, cur.Channel, cur.Language, version); err != nil {
			return Change{}, err
		}
		return Change{Action: "message_template.deleted", TargetType: "message_template", TargetID: cur.ID,
			StoreID: app.StoreID, Before: viewMessageTemplate(cur)}, nil
	})
}

// Preview renders the input as the application's template would be sent,
// with sample values; it is checked like Put, and nothing is stored.
func (s *MessageTemplates) Preview(ctx context.Context, a Actor, appID string, key MessageTemplateKey, in MessageTemplateInput) (RenderedMessage, error) {
	app, err := s.app(ctx, a, ReadConfig, appID)
	if err != nil {
		return RenderedMessage{}, err
	}
	t, err := checked(appID, key, in)
	if err != nil {
		return RenderedMessage{}, err
	}
	return render(app, t, "jane.doe@example.com"), nil
}

func render(app *storage.Application, t *storage.MessageTemplate, to string) RenderedMessage {
	k, _ := notify.LookupTemplateKind(t.Kind, t.Channel)
	subject, text, html := notify.RenderTemplate(t, k.SampleValues(app.Name, to, t.Language))
	return RenderedMessage{Subject: subject, Text: text, HTML: html}
}

var phonePattern = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// SendTest sends the input (or, when its text is empty, the stored
// template) with sample values to an address the administrator names,
// through the outbox; the send is audited. It returns what was sent.
func (s *MessageTemplates) SendTest(ctx context.Context, a Actor, appID string, key MessageTemplateKey, to string, in MessageTemplateInput) (RenderedMessage, error) {
	app, err := s.app(ctx, a, WriteConfig, appID)
	if err != nil {
		return RenderedMessage{}, err
	}
	problems := Problems{}
	switch key.Channel {
	case storage.TemplateSMS:
		if !phonePattern.MatchString(to) {
			problems.Add("to", "a phone number in international format, e.g. +4917012345678")
		}
	default:
		if addr, err := mail.ParseAddress(to); err != nil || addr.Address != to {
			problems.Add("to", "an e-mail address")
		}
	}
	if in.Text == "" {
		cur, err := s.store.GetMessageTemplate(ctx, appID, key.Kind, key.Channel, storedLanguage(key.Language))
		if err != nil {
			return RenderedMessage{}, err
		}
		in = MessageTemplateInput{Subject: cur.Subject, Text: cur.Text, HTML: cur.HTML}
	}
	t, err := checked(appID, key, in)
	if err != nil {
		var ve *ValidationError
		if errors.As(err, &ve) {
			for f, m := range ve.Fields {
				problems.Add(f, m)
			}
		} else {
			return RenderedMessage{}, err
		}
	}
	if err := problems.Err(); err != nil {
		return RenderedMessage{}, err
	}
	out := render(app, t, to)
	m := notify.Message{Channel: t.Channel, To: to, Subject: out.Subject, Text: out.Text, HTML: out.HTML, Kind: "test_" + t.Kind}
	if t.Channel == storage.TemplateSMS {
		m.Text = trimNewline(m.Text)
	}
	err = s.core.Apply(ctx, a, WriteConfig, app.StoreID, func(ctx context.Context) (Change, error) {
		if _, err := s.sender.Send(ctx, m); err != nil {
			return Change{}, fmt.Errorf("manage: test send: %w", err)
		}
		key.Language = viewMessageTemplate(t).Language
		return Change{Action: "message_template.test_sent", TargetType: "application", TargetID: appID, StoreID: app.StoreID,
			After: map[string]any{"template": key, "to": to}}, nil
	})
	return out, err
}

func trimNewline(s string) string {
	for len(s) > 0 && s[len(s)-1] == '\n' {
		s = s[:len(s)-1]
	}
	return s
}

// MessageTemplateLanguages are the languages the console offers for a
// new template: AnyLanguage, then the given ones.
func MessageTemplateLanguages(langs []string) []string {
	return append([]string{AnyLanguage}, slices.Clone(langs)...)
}
