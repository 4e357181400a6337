package manage

import (
	"context"
	"sort"
	"strings"

	"foyer/storage"
)

// The optional customer notice of the profile edit and the status change
// (seed 002: "Customers can be notified about this type of update"): the
// notice is queued and audited (account.notified) in the change's own
// transaction, so a client that does not fit refuses the change.

// WithNotices lets attribute edits tell the customer (AttributesInput.Notify).
func (s *AccountProfiles) WithNotices(n *CustomerNotices) *AccountProfiles {
	s.notices = n
	return s
}

// WithNotices lets status changes tell the customer (SetStatus).
func (s *AccountActions) WithNotices(n *CustomerNotices) *AccountActions {
	s.notices = n
	return s
}

// SetStatus enables or disables the account as Enable and Disable do and,
// when n asks for it and the status did change, tells the customer
// (support_status_changed).
func (s *AccountActions) SetStatus(ctx context.Context, a Actor, storeID, id string, status storage.AccountStatus, n *NotifyChoice) error {
	act := s.enableAction
	switch status {
	case storage.AccountEnabled:
	case storage.AccountDisabled:
		act = s.disableAction
	default:
		return Problems{"status": "enabled or disabled"}.Err()
	}
	return s.apply(ctx, a, storeID, id, "", func(tx context.Context, a Actor, acct *storage.Account, arg string) (Change, error) {
		ch, err := act(tx, a, acct, arg)
		if err != nil || ch.Action == "" {
			return ch, err
		}
		if err := s.notices.RecordNotice(tx, a, acct, n, NoticeStatusChanged, map[string]string{"status": string(status)}); err != nil {
			return Change{}, err
		}
		return ch, nil
	})
}

// profileNotice tells the customer which fields an edit changed, when the
// edit asks for it. It goes to the account as it was before the edit (its
// address and language on file then): a changed address must not be the
// only one to hear of the change.
func (s *AccountProfiles) profileNotice(ctx context.Context, a Actor, old *storage.Account, n *NotifyChoice, after map[string]any) error {
	var fields []string
	for name, v := range after {
		if attrs, ok := v.(map[string]string); ok {
			for attr := range attrs {
				fields = append(fields, attr)
			}
			continue
		}
		fields = append(fields, name)
	}
	sort.Strings(fields)
	return s.notices.RecordNotice(ctx, a, old, n, NoticeProfileChanged, map[string]string{"fields": strings.Join(fields, ",")})
}
