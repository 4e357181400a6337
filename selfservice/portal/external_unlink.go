package portal

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"foyer/selfservice/notify"
	"foyer/storage"
)

// unlink removes a linked external identity, after a recent sign-in as
// removing a factor needs, unless it is the account's only way in. The
// store only finds links of the signed-in account, so another's cannot
// be touched (404, as for one that does not exist).
func (h *Handler) unlink(w http.ResponseWriter, r *http.Request, v *viewer) error {
	ctx := r.Context()
	provider, subject := r.PostFormValue("provider"), r.PostFormValue("subject")
	links, err := h.store.ListExternalIdentities(ctx, v.Account.ID)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(links, func(x storage.ExternalIdentity) bool { return x.Provider == provider && x.Subject == subject })
	if i < 0 {
		h.notFound(w, r)
		return nil
	}
	if !h.fresh(v) {
		http.Redirect(w, r, h.reauthURL(settingsRoute), http.StatusSeeOther)
		return nil
	}
	last, err := h.lastWayIn(ctx, v, links, i)
	if err != nil {
		return err
	}
	if last {
		return h.renderSettings(w, r, v, http.StatusConflict, map[string]string{"unlink": "account.settings.unlink_last"})
	}
	err = h.store.UnlinkExternalIdentity(ctx, v.Account.ID, provider, subject)
	if errors.Is(err, storage.ErrNotFound) {
		h.notFound(w, r)
		return nil
	}
	if err != nil {
		return err
	}
	name := provider
	if p, err := h.store.GetUpstreamProvider(ctx, provider); err == nil {
		name = p.Name
	}
	h.event(r, v, "external.unlinked", map[string]string{"provider": provider, "provider_name": name})
	if err := h.tellUnlinked(r, v); err != nil {
		return err
	}
	h.done(w, r, settingsRoute, "unlinked")
	return nil
}

// lastWayIn reports whether links[i] is the account's only way to sign
// in. An identity counts when its provider is one of the account's store
// (a disabled provider too: disabling is meant to be undone); a legacy
// identity without such a provider signs nobody in, so removing it never
// locks anyone out. Other ways in: a password, a passkey, another
// identity that counts, and, where an application of the store is
// passwordless, a confirmed e-mail address (or a confirmed phone where
// that application allows SMS codes) to which sign-in codes go. Password
// recovery is not counted: it may be off, and it is recovery, not a way
// in.
func (h *Handler) lastWayIn(ctx context.Context, v *viewer, links []storage.ExternalIdentity, i int) (bool, error) {
	counts := func(x storage.ExternalIdentity) (bool, error) {
		p, err := h.store.GetUpstreamProvider(ctx, x.Provider)
		if errors.Is(err, storage.ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("portal: provider %s: %w", x.Provider, err)
		}
		return p.StoreID == v.Account.StoreID, nil
	}
	if ok, err := counts(links[i]); err != nil || !ok {
		return false, err
	}
	for j, x := range links {
		if j == i {
			continue
		}
		if ok, err := counts(x); err != nil || ok {
			return false, err
		}
	}
	if _, err := h.store.GetPassword(ctx, v.Account.ID); err == nil {
		return false, nil
	} else if !errors.Is(err, storage.ErrNotFound) {
		return false, err
	}
	auths, err := h.store.ListAuthenticators(ctx, v.Account.ID)
	if err != nil {
		return false, err
	}
	if slices.ContainsFunc(auths, func(a storage.Authenticator) bool { return a.Kind == storage.AuthenticatorPasskey }) {
		return false, nil
	}
	codes, err := h.passwordlessCodes(ctx, v.Account)
	return !codes, err
}

// passwordlessCodes reports whether some application of the account's
// store signs it in with a code to a confirmed address it has.
func (h *Handler) passwordlessCodes(ctx context.Context, acct *storage.Account) (bool, error) {
	if !acct.EmailConfirmed && !acct.PhoneConfirmed {
		return false, nil
	}
	apps, err := h.store.ListApplications(ctx)
	if err != nil {
		return false, err
	}
	for _, app := range apps {
		if app.StoreID != acct.StoreID || !app.MFA.Passwordless {
			continue
		}
		pol := app.MFA.WithDefaults()
		if acct.Email != "" && acct.EmailConfirmed && (pol.Allows(storage.MethodEmailCode) || pol.Allows(storage.MethodEmailLink)) {
			return true, nil
		}
		if acct.Phone != "" && acct.PhoneConfirmed && (pol.Allows(storage.MethodSMSCode) || pol.Allows(storage.MethodSMSLink)) {
			return true, nil
		}
	}
	return false, nil
}

// tellUnlinked tells the owner by e-mail, or by SMS when the account has
// no address, that an identity was unlinked (a change of how the account
// signs in is announced, as for factors). The notice takes no arguments,
// so the text does not name the provider.
func (h *Handler) tellUnlinked(r *http.Request, v *viewer) error {
	var err error
	switch {
	case v.Account.Email != "":
		_, err = h.notify.Email(r.Context(), v.Account.Email, v.Account.ID, "notice", v.Lang, brandingOf(v.App), notify.NoticeEmail{
			Title: "email.external_unlinked.title", Paragraphs: []string{"email.external_unlinked.body", "email.factor_changed.not_you"},
			Template: "external_unlinked",
		})
	case v.Account.Phone != "":
		// The factor's SMS says what is true here too: a sign-in
		// method was removed.
		_, err = h.notify.SMSFor(r.Context(), v.Account.Phone, v.Account.ID, "external_unlinked", v.Lang, brandingOf(v.App), nil,
			h.render.T(v.Lang, "sms.factor_removed", brandingOf(v.App).AppName))
	}
	if err != nil {
		return fmt.Errorf("portal: queue unlink notice: %w", err)
	}
	return nil
}
