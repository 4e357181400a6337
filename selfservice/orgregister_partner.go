package selfservice

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"foyer/selfservice/partnerlookup"
	"foyer/selfservice/regulate"
	"foyer/selfservice/session"
	"foyer/storage"
)

// partnerCodeThrottled counts a partner code try against the link and
// the client address before the code is checked (so parallel guesses get
// no extra tries), and returns how long to wait when either is past its
// limit, or 0.
func (h *Handler) partnerCodeThrottled(r *http.Request, reg *orgRegistration) (time.Duration, error) {
	now := h.cfg.Now().UTC()
	for _, k := range []struct {
		rule    regulate.Rule
		subject string
	}{
		{regulate.PartnerCodeFlow, reg.token},
		{regulate.PartnerCodeAddress, session.ClientIP(r)},
	} {
		v, err := h.limits.Attempt(r.Context(), k.rule.Key(k.subject), now)
		if err != nil {
			return 0, fmt.Errorf("selfservice: count partner codes: %w", err)
		}
		if v.Exceeded() {
			return k.rule.Window(), nil
		}
	}
	return 0, nil
}

// lookupPartner asks the application's partner lookup webhook about a
// code Foyer does not know. Without a webhook (or a resolver) the code
// is unknown; a webhook that cannot answer is errPartnerUnavailable,
// logged without the code.
func (h *Handler) lookupPartner(ctx context.Context, appID, code string) (*partnerlookup.PartnerDetails, error) {
	if h.partners == nil {
		return nil, partnerlookup.ErrPartnerUnknown
	}
	if _, err := h.store.GetPartnerLookup(ctx, appID); errors.Is(err, storage.ErrNotFound) {
		return nil, partnerlookup.ErrPartnerUnknown
	} else if err != nil {
		return nil, fmt.Errorf("selfservice: load partner lookup: %w", err)
	}
	details, err := h.partners.ResolvePartner(ctx, appID, code)
	switch {
	case errors.Is(err, partnerlookup.ErrPartnerUnknown):
		return nil, err
	case err != nil:
		h.log.WarnContext(ctx, "partner lookup failed", "application", appID, "err", err)
		return nil, errPartnerUnavailable
	case details == nil || strings.TrimSpace(details.Name) == "":
		h.log.WarnContext(ctx, "partner lookup answered without a partner name", "application", appID)
		return nil, errPartnerUnavailable
	}
	return details, nil
}

// partnerOrganization redeems the code (counting a use) and returns its
// partner. With details from the webhook for a code still unknown, it
// first creates the partner and gives it the code, so the next
// registrant with the code joins the same partner without asking again.
func (h *Handler) partnerOrganization(tx context.Context, reg *orgRegistration, code string,
	details *partnerlookup.PartnerDetails) (*storage.Organization, error) {
	digest, now := storage.PartnerCodeDigest(code), h.cfg.Now().UTC()
	org, err := h.store.RedeemPartnerCode(tx, reg.app.StoreID, digest, now)
	switch {
	case err == nil:
		return org, nil
	case !errors.Is(err, storage.ErrNotFound):
		return nil, fmt.Errorf("selfservice: redeem partner code: %w", err)
	case details == nil:
		return nil, errPartnerCodeInvalid
	}
	org = &storage.Organization{StoreID: reg.app.StoreID, Name: strings.TrimSpace(details.Name), Partner: true,
		Domains: lowerAll(details.Domains), Attributes: details.Attributes}
	if err := h.store.CreateOrganization(tx, org); errors.Is(err, storage.ErrConflict) {
		// Another registrant's lookup created it a moment ago (a retry
		// redeems the code then), or an organization of the store has
		// the name or a domain: the operator has to sort that out.
		h.log.WarnContext(tx, "partner lookup: the partner's name or domain is taken in the store", "application", reg.app.ID)
		return nil, errPartnerUnavailable
	} else if err != nil {
		return nil, fmt.Errorf("selfservice: create partner: %w", err)
	}
	pc := &storage.PartnerCode{OrganizationID: org.ID, StoreID: org.StoreID, CodeHash: digest, CreatedAt: now}
	if err := h.store.SetPartnerCode(tx, pc); err != nil {
		return nil, fmt.Errorf("selfservice: store partner code: %w", err)
	}
	if org, err = h.store.RedeemPartnerCode(tx, reg.app.StoreID, digest, now); err != nil {
		return nil, fmt.Errorf("selfservice: redeem partner code: %w", err)
	}
	return org, nil
}

// lowerAll is the domains in lower case, as organizations keep them.
func lowerAll(domains []string) []string {
	out := make([]string, 0, len(domains))
	for _, d := range domains {
		if d = strings.ToLower(strings.TrimSpace(d)); d != "" {
			out = append(out, d)
		}
	}
	return out
}
