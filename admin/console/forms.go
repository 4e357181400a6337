package console

import (
	"errors"
	"net/http"
	"strings"

	"foyer/admin/manage"
)

// The one mapping from the services' errors to what a form shows.

// formErrors turns a service error a form can show into field errors
// (names mapped by rename) and a page error; ok is false for other errors.
func formErrors(err error, rename func(string) string) (fields map[string]string, pageErr string, ok bool) {
	var ve *manage.ValidationError
	switch {
	case errors.As(err, &ve):
		fields = map[string]string{}
		for k, v := range ve.Fields {
			if _, seen := fields[rename(k)]; !seen {
				fields[rename(k)] = v
			}
		}
		return fields, "admin.fix_errors", true
	case errors.Is(err, manage.ErrConflict), errors.Is(err, manage.ErrStale):
		return nil, conflictText(err), true
	}
	return nil, "", false
}

// conflictText is what a conflict says beyond the sentinel ("...: this
// would leave no enabled owner"), shown as the page's error.
func conflictText(err error) string {
	msg := err.Error()
	for _, s := range []error{manage.ErrConflict, manage.ErrStale} {
		if i := strings.LastIndex(msg, s.Error()+": "); i >= 0 {
			return msg[i+len(s.Error())+2:]
		}
	}
	if errors.Is(err, manage.ErrStale) {
		return "admin.stale"
	}
	return "admin.conflict"
}

func statusOf(err error) int {
	if errors.Is(err, manage.ErrConflict) {
		return http.StatusConflict
	}
	if errors.Is(err, manage.ErrStale) {
		return http.StatusPreconditionFailed
	}
	return http.StatusUnprocessableEntity
}

// indexedField names a list's field for its form: "identifier_types[1]"
// is the identifier_types checkboxes.
func indexedField(field string) string {
	if i := strings.Index(field, "["); i > 0 {
		return field[:i]
	}
	return field
}
