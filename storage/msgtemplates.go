package storage

import (
	"context"
	"time"
)

// Message template channels.
const (
	TemplateEmail = "email"
	TemplateSMS   = "sms"
)

// MessageTemplate is an administrator's override of one message kind
// ("password_reset", "sign_in_code", ...) on one channel for one
// application and language. Its texts hold placeholders ({{link}},
// {{code}}, ...), which selfservice/notify fills in; they are never
// executed as templates.
type MessageTemplate struct {
	ID string
	// StoreID is the application's identity store, filled in on Put.
	StoreID       string
	ApplicationID string
	Kind          string
	Channel       string // TemplateEmail or TemplateSMS
	// Language is a BCP 47 tag, or "" for every language without a
	// template of its own.
	Language string
	Subject  string // e-mail only
	Text     string // the plain-text part (e-mail) or the message (SMS)
	HTML     string // e-mail only
	// Version counts puts from 1 (the admin API's ETag).
	Version   int64
	UpdatedAt time.Time
	UpdatedBy string // the administrator's account id
}

// MessageTemplates stores message templates. A template is named by its
// application, kind, channel and language; there is at most one of each.
type MessageTemplates interface {
	// PutMessageTemplate creates or replaces the template named by t's
	// application, kind, channel and language, filling in ID, StoreID,
	// Version and UpdatedAt. ifVersion 0 writes whatever is stored; any
	// other value must be the stored version (ErrStale when it is not,
	// ErrNotFound when nothing is stored). An unknown application is
	// ErrNotFound.
	PutMessageTemplate(ctx context.Context, t *MessageTemplate, ifVersion int64) error
	// GetMessageTemplate reads one by its name, the language matched
	// exactly; ErrNotFound when there is none.
	GetMessageTemplate(ctx context.Context, applicationID, kind, channel, language string) (*MessageTemplate, error)
	// ListMessageTemplates returns the application's templates ordered by
	// kind, channel and language.
	ListMessageTemplates(ctx context.Context, applicationID string) ([]MessageTemplate, error)
	// DeleteMessageTemplate removes one; ifVersion as in Put. ErrNotFound
	// when there is none.
	DeleteMessageTemplate(ctx context.Context, applicationID, kind, channel, language string, ifVersion int64) error
}
