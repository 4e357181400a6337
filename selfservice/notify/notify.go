package notify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"foyer/storage"
	"foyer/themes"
)

// Channels a message goes out on.
const (
	ChannelEmail = "email"
	ChannelSMS   = "sms"
	ChannelVoice = "voice"
)

// ErrInvalid is returned for a message that cannot be queued (no
// recipient, unknown channel, an e-mail without a text part).
var ErrInvalid = errors.New("notify: invalid message")

// Message is one rendered message.
type Message struct {
	ID        string
	Channel   string // ChannelEmail, ChannelSMS or ChannelVoice
	To        string
	Subject   string // e-mail only
	Text      string
	HTML      string // e-mail only; optional
	AccountID string // optional, for the activity log and the dev outbox
	Kind      string // e.g. "activation", "password_reset"
	CreatedAt time.Time
}

func fromStorage(n *storage.Notification) Message {
	return Message{ID: n.ID, Channel: n.Channel, To: n.To, Subject: n.Subject, Text: n.Text, HTML: n.HTML,
		AccountID: n.AccountID, Kind: n.Kind, CreatedAt: n.CreatedAt}
}

// Renderer renders e-mails (themes.Renderer).
type Renderer interface {
	RenderEmail(kind, lang string, branding themes.Branding, data any) (subject, text, html string, err error)
}

// Service renders and queues messages for the flows. It never talks to a
// provider: the Worker does, so a request only waits for one INSERT.
type Service struct {
	store    storage.Notifications
	renderer Renderer
	now      func() time.Time
	// templates are the applications' own messages (UseTemplates); nil:
	// the theme's only.
	templates TemplateSource
}

// NewService returns a service queueing into store. now may be nil.
func NewService(store storage.Notifications, renderer Renderer, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, renderer: renderer, now: now}
}

// Email renders the e-mail kind (see themes.Renderer.RenderEmail) in lang
// with the application's branding and queues it to to; when the
// application (branding.ApplicationID) has its own template for the kind
// and language (UseTemplates), that is sent instead. data is the kind's
// struct (messages.go, e.g. ActivationEmail for "activation"); it is any
// rather than an interface because admin/manage still passes a map. The
// account id (optional) is kept with the message.
func (s *Service) Email(ctx context.Context, to, accountID, kind, lang string, branding themes.Branding, data any) (Message, error) {
	if m, ok, err := s.renderOverride(ctx, to, kind, lang, branding, data); err != nil || ok {
		if err != nil {
			return Message{}, err
		}
		m.AccountID = accountID
		return s.Send(ctx, m)
	}
	subject, text, html, err := s.renderer.RenderEmail(kind, lang, branding, data)
	if err != nil {
		return Message{}, fmt.Errorf("notify: render %s: %w", kind, err)
	}
	return s.Send(ctx, Message{Channel: ChannelEmail, To: to, Subject: subject, Text: text, HTML: html, AccountID: accountID, Kind: kind})
}

// SMS queues a text message (already in the customer's language).
func (s *Service) SMS(ctx context.Context, to, accountID, kind, text string) (Message, error) {
	return s.Send(ctx, Message{Channel: ChannelSMS, To: to, Text: text, AccountID: accountID, Kind: kind})
}

// Voice queues a message to be read out by a phone call.
func (s *Service) Voice(ctx context.Context, to, accountID, kind, text string) (Message, error) {
	return s.Send(ctx, Message{Channel: ChannelVoice, To: to, Text: text, AccountID: accountID, Kind: kind})
}

// Send queues an already rendered message and returns it with its ID.
// Within a storage transaction in ctx it is queued with that transaction,
// so a flow that rolls back sends nothing.
func (s *Service) Send(ctx context.Context, m Message) (Message, error) {
	if m.To == "" || m.Text == "" {
		return Message{}, fmt.Errorf("%w: recipient and text are required", ErrInvalid)
	}
	switch m.Channel {
	case ChannelEmail, ChannelSMS, ChannelVoice:
	default:
		return Message{}, fmt.Errorf("%w: channel %q", ErrInvalid, m.Channel)
	}
	now := s.now().UTC()
	n := storage.Notification{Channel: m.Channel, To: m.To, Subject: m.Subject, Text: m.Text, HTML: m.HTML,
		AccountID: m.AccountID, Kind: m.Kind, NextAttemptAt: now, CreatedAt: now}
	if err := s.store.EnqueueNotification(ctx, &n); err != nil {
		return Message{}, fmt.Errorf("notify: enqueue: %w", err)
	}
	return fromStorage(&n), nil
}
