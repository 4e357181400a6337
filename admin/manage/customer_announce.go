package manage

import (
	"context"
	"errors"
	"fmt"

	"foyer/selfservice/notify"
	"foyer/storage"
	"foyer/themes"
)

// errEmptyNotices: a service was built without customer notices.
var errEmptyNotices = errors.New("manage: customer notices are not configured")

// Announce queues, in the caller's transaction, the generic notice e-mail
// (notify.NoticeEmail: a title and paragraphs, catalog keys) telling the
// customer of a change to how they sign in, which is told whatever the
// administrator chose (OWASP ASVS 2.2.3). template is the message kind an
// application may replace it with (notify.NoticeEmail.Template). The chosen client, if any,
// brands it; otherwise the first client that fits the account, else
// Foyer's own branding. It returns the account.notified change for the
// caller to record; an account without an e-mail address gets nothing
// (a zero Change).
func (s *CustomerNotices) Announce(ctx context.Context, acct *storage.Account, choice *NotifyChoice, template, title string, paragraphs ...string) (Change, error) {
	if s == nil {
		return Change{}, errEmptyNotices
	}
	if acct.Email == "" {
		return Change{}, nil
	}
	clientID := ""
	if choice.Wanted() {
		clientID = choice.ClientID
	} else {
		fitting, err := s.fitting(ctx, acct)
		if err != nil {
			return Change{}, err
		}
		if len(fitting) > 0 {
			clientID = fitting[0].ID
		}
	}
	brand := themes.Branding{}
	if clientID != "" {
		_, app, err := s.pick(ctx, acct, clientID)
		if err != nil {
			return Change{}, err
		}
		if brand, err = s.branding(ctx, acct, app); err != nil {
			return Change{}, err
		}
	}
	lang := s.texts.Negotiate("", acct.Language, "")
	if _, err := s.sender.Email(ctx, acct.Email, acct.ID, "notice", lang, brand,
		notify.NoticeEmail{Title: title, Paragraphs: paragraphs, Template: template}); err != nil {
		return Change{}, fmt.Errorf("notices: queue %s: %w", title, err)
	}
	return Change{Action: "account.notified", TargetType: "account", TargetID: acct.ID, StoreID: acct.StoreID,
		After: map[string]string{"kind": "notice", "title": title, "client_id": clientID, "channel": notify.ChannelEmail, "language": lang}}, nil
}
