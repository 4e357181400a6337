package selfservice

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"foyer/selfservice/notify"
	"foyer/storage"
)

// The username reminder asks for an e-mail address first; ?by=phone
// switches it to a phone number.

func (h *Handler) showReminder(w http.ResponseWriter, r *http.Request) error {
	f, _, ok, err := h.recoveryFlow(w, r, reminderAllowed)
	if !ok {
		return err
	}
	return h.renderReminder(w, r, f, r.URL.Query().Get("by") == "phone", View{})
}

func (h *Handler) renderReminder(w http.ResponseWriter, r *http.Request, f *Flow, byPhone bool, v View) error {
	data := &recoverData{
		Mode: "field", Title: "reminder.title", Intro: "reminder.intro_email", Submit: "reminder.submit",
		Field: "email", Label: "register.email_label", InputType: "email", Autocomplete: "email",
		pageForm: pageForm{Action: h.path(reminderRoute, nil), Hidden: h.recoverHidden(f)},
	}
	other := pageLink{"URL": h.reminderURL(f.Interaction.ID, url.Values{"by": {"phone"}}), "Text": "reminder.use_phone"}
	if byPhone {
		data.Intro, data.Field, data.Label, data.InputType, data.Autocomplete =
			"reminder.intro_phone", "phone", "reminder.phone_label", "tel", "tel"
		other = pageLink{"URL": h.reminderURL(f.Interaction.ID, nil), "Text": "reminder.use_email"}
	}
	data.Links = []pageLink{other, {"URL": h.loginURL(f.Interaction.ID, nil), "Text": "recover.back_to_sign_in"}}
	v.Template, v.Data = "recover", data
	h.renderStep(w, r, f, v)
	return nil
}

// submitReminder queues the reminder (runReminder): the username goes to
// the contact typed when it belongs to an account with a username; the
// page and the request's work are the same in every case.
func (h *Handler) submitReminder(w http.ResponseWriter, r *http.Request) error {
	f, _, ok, err := h.recoveryFlow(w, r, reminderAllowed)
	if !ok {
		return err
	}
	_, byPhone := r.PostForm["phone"] // the phone form posts a phone field
	field, kind := "email", storage.IdentifierEmail
	if byPhone {
		field, kind = "phone", storage.IdentifierPhone
	}
	// Cleaned as registration stored it: "+41 79 …" finds "+4179…".
	value := storage.CleanIdentifier(kind, r.PostFormValue(field))
	if !typedOK(value) {
		return h.renderReminder(w, r, f, byPhone, View{Status: http.StatusBadRequest,
			FieldErrors: map[string]string{field: "reminder." + field + "_required"}})
	}
	if err := h.deferRequest(r, f, deferredReminder, deferredPayload{Typed: value, ByPhone: byPhone}); err != nil {
		return err
	}
	h.renderStep(w, r, f, View{Template: "message", Data: &messageData{
		Title: "reminder.sent_title", Message: "reminder.sent", LinkURL: h.loginURL(f.Interaction.ID, nil),
		LinkText: "recover.back_to_sign_in"}})
	return nil
}

// runReminder sends the username over the channel asked for, when the
// contact may receive it and the throttle allows. A reminder leaves a
// spent marker among one-time secrets: it carries no secret, but it is
// where the per-account, per-channel throttle measures the interval from.
func (h *Handler) runReminder(ctx context.Context, j *deferredJob) error {
	kind := storage.IdentifierEmail
	if j.p.ByPhone {
		kind = storage.IdentifierPhone
	}
	acct, err := h.store.FindAccountByIdentifier(ctx, j.app.StoreID, kind, j.p.Typed)
	if errors.Is(err, storage.ErrNotFound) {
		acct, err = nil, nil
	}
	if err != nil {
		return fmt.Errorf("selfservice: find account: %w", err)
	}
	email, phone := recoveryContacts(j.pol, acct)
	purpose, channel, to := purposeReminderEmail, "email", email
	if j.p.ByPhone {
		purpose, channel, to = purposeReminderSMS, "sms", phone
	}
	if to == "" || acct.Username == "" {
		return h.deferredDone(ctx, j)
	}
	_, err = h.sendOnce(ctx, j, j.pol, acct.ID, purpose, channel, func(tx context.Context) error {
		_, hash, err := newSecret()
		if err != nil {
			return err
		}
		now := h.cfg.Now().UTC()
		// It must outlive the interval it throttles: the cleanup deletes
		// what has expired.
		marker := &storage.OneTimeSecret{Purpose: purpose, Hash: hash, AccountID: acct.ID, CreatedAt: now,
			ExpiresAt: now.Add(j.pol.ReRequestInterval), UsedAt: &now}
		if err := h.store.CreateOneTimeSecret(tx, marker); err != nil {
			return fmt.Errorf("selfservice: store reminder marker: %w", err)
		}
		if j.p.ByPhone {
			_, err = h.notify.SMSFor(tx, to, acct.ID, "username_reminder", j.p.Lang, branding(j.app), map[string]string{"username": acct.Username},
				h.render.T(j.p.Lang, "sms.username_reminder", branding(j.app).AppName, acct.Username))
		} else {
			_, err = h.notify.Email(tx, to, acct.ID, "username_reminder", j.p.Lang, branding(j.app),
				notify.UsernameReminderEmail{Username: acct.Username})
		}
		if err != nil {
			return fmt.Errorf("selfservice: queue username reminder: %w", err)
		}
		return nil
	})
	if err == nil {
		h.eventFor(ctx, j, acct.ID, "username_reminder.requested")
	}
	return err
}
