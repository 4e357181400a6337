package console

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
)

// PartnerCodeService is what the organization page's "Partner code"
// section needs (manage.PartnerCodes).
type PartnerCodeService interface {
	Generate(ctx context.Context, a manage.Actor, storeID, orgID string, in manage.PartnerCodeInput) (*manage.IssuedPartnerCode, error)
	Get(ctx context.Context, a manage.Actor, storeID, orgID string) (*manage.PartnerCodeStatus, error)
	Delete(ctx context.Context, a manage.Actor, storeID, orgID string) error
}

const (
	partnerCodeRoute       = "console.org_partner_code"
	partnerCodeDeleteRoute = "console.org_partner_code_delete"
	// maxPartnerCodeDays bounds "valid for": ten years is "never" enough.
	maxPartnerCodeDays = 3650
)

func (h *Handler) mountPartnerCodes(r *mux.Router) {
	if h.partnerCodes == nil {
		return
	}
	route.Handle(r, partnerCodeRoute, "/admin/stores/{store}/organizations/{org}/partner-code", route.Methods{
		http.MethodPost: h.authed(h.generatePartnerCode)})
	route.Handle(r, partnerCodeDeleteRoute, "/admin/stores/{store}/organizations/{org}/partner-code/delete", route.Methods{
		http.MethodGet: h.authed(h.confirmDeletePartnerCode), http.MethodPost: h.authed(h.deletePartnerCode)})
}

// partnerCodeView is the organization page's "Partner code" section: the
// code's status (nil: none), a code just made (shown this once), and the
// generation form as typed with its errors.
type partnerCodeView struct {
	Status                 *manage.PartnerCodeStatus
	NewCode                string
	ValidDays, MaxUses     string
	Errors                 map[string]string
	GenerateURL, DeleteURL string
}

// partnerCodeOf is the section for a partner organization, nil for a
// customer's or when the service is not there.
func (h *Handler) partnerCodeOf(r *http.Request, rq *request, storeID string, o *manage.Organization) (*partnerCodeView, error) {
	if h.partnerCodes == nil || !o.Partner {
		return nil, nil
	}
	v := &partnerCodeView{GenerateURL: h.path(partnerCodeRoute, nil, "store", storeID, "org", o.ID),
		DeleteURL: h.path(partnerCodeDeleteRoute, nil, "store", storeID, "org", o.ID)}
	st, err := h.partnerCodes.Get(r.Context(), rq.Actor, storeID, o.ID)
	if err != nil && !errors.Is(err, manage.ErrNotFound) {
		return nil, err
	}
	v.Status = st
	return v, nil
}

// input reads the form: days from now and a use limit, both optional.
func (v *partnerCodeView) input(now time.Time) manage.PartnerCodeInput {
	v.Errors = map[string]string{}
	var in manage.PartnerCodeInput
	if v.ValidDays != "" {
		n, err := strconv.Atoi(v.ValidDays)
		if err != nil || n < 1 || n > maxPartnerCodeDays {
			v.Errors["valid_days"] = "admin.partner_code.valid_days_error"
		} else {
			at := now.AddDate(0, 0, n)
			in.ExpiresAt = &at
		}
	}
	if v.MaxUses != "" {
		n, err := strconv.Atoi(v.MaxUses)
		if err != nil || n < 1 || n > manage.MaxPartnerCodeUses {
			v.Errors["max_uses"] = "admin.partner_code.max_uses_error"
		}
		in.MaxUses = n
	}
	return in
}

// generatePartnerCode makes a new code and shows it on the organization's
// page, this once (never in a URL: the page is answered, not redirected to).
func (h *Handler) generatePartnerCode(w http.ResponseWriter, r *http.Request, rq *request) error {
	s, o, err := h.orgFor(r, rq)
	if err != nil {
		return err
	}
	pc, err := h.partnerCodeOf(r, rq, s.ID, o)
	if err != nil {
		return err
	}
	if pc == nil {
		return manage.ErrNotFound // a customer organization has no partner code to make
	}
	pc.ValidDays, pc.MaxUses = strings.TrimSpace(r.PostFormValue("valid_days")), strings.TrimSpace(r.PostFormValue("max_uses"))
	in := pc.input(h.cfg.Now())
	status := http.StatusUnprocessableEntity
	if len(pc.Errors) == 0 {
		issued, err := h.partnerCodes.Generate(r.Context(), rq.Actor, s.ID, o.ID, in)
		if err != nil {
			return err // the form's own checks leave nothing for the service to refuse
		}
		pc.NewCode, pc.Status, pc.ValidDays, pc.MaxUses = issued.Code, &issued.PartnerCodeStatus, "", ""
		status = http.StatusOK
	}
	w.Header().Set("Cache-Control", "no-store")
	h.renderOrgWith(w, r, rq, status, s, o, shownOrg(o), nil, pc)
	return nil
}

// confirmDeletePartnerCode asks before the code stops working.
func (h *Handler) confirmDeletePartnerCode(w http.ResponseWriter, r *http.Request, rq *request) error {
	s, o, err := h.orgFor(r, rq)
	if err != nil {
		return err
	}
	return h.confirm(w, r, rq, manage.WriteConfig, s.ID, confirmPage{Title: "admin.partner_code.delete_title",
		Question: "admin.partner_code.delete_question", Subject: o.Name,
		ActionURL: h.path(partnerCodeDeleteRoute, nil, "store", s.ID, "org", o.ID), Button: "admin.partner_code.delete",
		CancelURL: h.path(orgRoute, nil, "store", s.ID, "org", o.ID)})
}

// deletePartnerCode removes it, only with the confirmation's confirm=yes.
func (h *Handler) deletePartnerCode(w http.ResponseWriter, r *http.Request, rq *request) error {
	s, o, err := h.orgFor(r, rq)
	if err != nil {
		return err
	}
	page := h.path(orgRoute, nil, "store", s.ID, "org", o.ID)
	return h.deleteConfirmed(w, r, deletion{confirmURL: h.path(partnerCodeDeleteRoute, nil, "store", s.ID, "org", o.ID),
		remove: func(int64) error { return h.partnerCodes.Delete(r.Context(), rq.Actor, s.ID, o.ID) },
		rename: indexedField,
		refused: func(status int, _ string, err error) error {
			h.renderOrg(w, r, rq, status, s, o, shownOrg(o), err)
			return nil
		},
		after: to(page), notice: "deleted"})
}
