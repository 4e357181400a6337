package portal

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gorilla/mux"

	"foyer/selfservice/route"
	"foyer/storage"
	"foyer/themes"
)

// consentView is a consent of the application's policy (the portal's
// application, or the one it wears) and its current state: granted or not
// for the policy's version.
type consentView struct {
	Name, Version, Title, URL string
	Granted                   bool
	Since                     *themes.Moment // when it was given, withdrawn or outdated
}

// Label is the document's title, or the theme's text for its name.
func (c consentView) Label() string {
	if c.Title != "" {
		return c.Title
	}
	return "account.consent." + c.Name
}

func (h *Handler) mountPrivacy(r *mux.Router) {
	route.Handle(r, privacyRoute, BasePath+"/privacy", route.Methods{http.MethodGet: h.authed(h.showPrivacy)})
	route.Handle(r, consentsRoute, BasePath+"/consents", route.Methods{http.MethodPost: h.authed(h.setConsent)})
	route.Handle(r, exportJSONRoute, BasePath+"/export.json", route.Methods{http.MethodGet: h.authed(h.exportJSON)})
	route.Handle(r, exportHTMLRoute, BasePath+"/export.html", route.Methods{http.MethodGet: h.authed(h.exportHTML)})
}

func (h *Handler) showPrivacy(w http.ResponseWriter, r *http.Request, v *viewer) error {
	ctx := r.Context()
	records, err := h.store.ListConsents(ctx, v.Account.ID)
	if err != nil {
		return err
	}
	history, err := h.store.ListConsentEvents(ctx, v.Account.ID)
	if err != nil {
		return err
	}
	c := clockFor(r, v)
	h.renderPage(w, r, v, "account_privacy", http.StatusOK, &privacyData{
		ConsentsURL: h.path(consentsRoute, nil), ExportJSONURL: h.path(exportJSONRoute, nil), ExportHTMLURL: h.path(exportHTMLRoute, nil),
		Consents: consentViews(storage.ConsentPolicyOf(v.App), records, c), History: consentLog(records, history, c),
	})
	return nil
}

// consentOutdated is the log's action for an acceptance a newer version
// of its document ended.
const consentOutdated = string(storage.ConsentOutdated)

// logEntry is one line of the consent log the privacy page shows
// (storage.ConsentLogEntry with its time as the customer reads it).
type logEntry struct {
	Consent, Version, Action string
	At                       themes.Moment
}

// consentLog is the account's consent log, oldest first (storage.ConsentLog).
func consentLog(records []storage.ConsentRecord, events []storage.ConsentEvent, c clock) []logEntry {
	log := storage.ConsentLog(records, events)
	out := make([]logEntry, 0, len(log))
	for _, e := range log {
		out = append(out, logEntry{Consent: e.Consent, Version: e.Version, Action: e.Action, At: c.at(e.At)})
	}
	return out
}

func consentViews(policy []storage.ConsentDocument, records []storage.ConsentRecord, c clock) []consentView {
	out := make([]consentView, 0, len(policy))
	for _, d := range policy {
		cv := consentView{Name: d.Name, Version: d.Version, Title: d.Title, URL: d.URL}
		for _, rec := range records {
			if rec.Consent == d.Name && rec.Version == d.Version {
				switch {
				case rec.Active():
					cv.Granted, cv.Since = true, c.maybe(&rec.GrantedAt)
				case rec.RevokedAt != nil:
					cv.Since = c.maybe(rec.RevokedAt)
				default:
					cv.Since = c.maybe(rec.OutdatedAt)
				}
			}
		}
		out = append(out, cv)
	}
	return out
}

// setConsent opts in to or out of one consent of the policy; the record
// keeps the current state and the history every change.
func (h *Handler) setConsent(w http.ResponseWriter, r *http.Request, v *viewer) error {
	var doc *storage.ConsentDocument
	policy := storage.ConsentPolicyOf(v.App)
	for i := range policy {
		if policy[i].Name == r.PostFormValue("consent") {
			doc = &policy[i]
		}
	}
	decision := r.PostFormValue("decision")
	if doc == nil || (decision != "in" && decision != "out") {
		h.notFound(w, r)
		return nil
	}
	if err := h.recordConsentChange(r, v, doc, decision == "in"); err != nil {
		return err
	}
	h.event(r, v, "account.consent_"+decision, map[string]string{"consent": doc.Name, "version": doc.Version})
	h.done(w, r, privacyRoute, "consent_saved")
	return nil
}

// activeVersions are the versions of the consent the account has given
// and not withdrawn, nor seen replaced by a newer version.
func (h *Handler) activeVersions(ctx context.Context, accountID, consent string) ([]string, error) {
	recs, err := h.store.ListConsents(ctx, accountID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range recs {
		if r.Consent == consent && r.Active() {
			out = append(out, r.Version)
		}
	}
	return out, nil
}

func (h *Handler) recordConsentChange(r *http.Request, v *viewer, doc *storage.ConsentDocument, granted bool) (err error) {
	ctx, err := h.store.BeginTx(r.Context())
	if err != nil {
		return fmt.Errorf("portal: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = h.store.Rollback(ctx)
		}
	}()
	now := h.cfg.Now().UTC()
	// The history names what changed: the version granted, or each
	// version withdrawn (an older one, after the policy moved on); a
	// withdrawal of nothing given writes nothing.
	var changed []string
	if granted {
		err = h.store.RecordConsent(ctx, &storage.ConsentRecord{AccountID: v.Account.ID, Consent: doc.Name, Version: doc.Version, GrantedAt: now})
		changed = []string{doc.Version}
	} else {
		if changed, err = h.activeVersions(ctx, v.Account.ID, doc.Name); err == nil {
			_, err = h.store.RevokeConsent(ctx, v.Account.ID, doc.Name, now)
		}
	}
	if err != nil {
		return err
	}
	action := storage.ConsentRevoked
	if granted {
		action = storage.ConsentGranted
	}
	for _, version := range changed {
		ev := &storage.ConsentEvent{AccountID: v.Account.ID, Consent: doc.Name, Version: version, Action: action, CreatedAt: now}
		if err := h.store.AppendConsentEvent(ctx, ev); err != nil {
			return err
		}
	}
	return h.store.Commit(ctx)
}
