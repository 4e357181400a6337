package admin

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"foyer/admin/manage"
)

// Problem types of this API (RFC 9457 section 3.1.1). Each is a stable URI
// callers may switch on; a problem with no more to say than its status is
// about:blank, titled with the status text.
const (
	problemBlank      = "about:blank"
	problemBase       = "https://foyer.dev/problems/"
	ProblemValidation = problemBase + "validation"
	ProblemStale      = problemBase + "stale"
	ProblemNoIfMatch  = problemBase + "if-match-required"
	ProblemBadRequest = problemBase + "bad-request"
)

// problemMediaType is RFC 9457's media type for a problem document.
const problemMediaType = "application/problem+json"

// Problem is an RFC 9457 problem document, the body of every error the
// API answers.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
	// Errors names each bad field of a 422 (an extension member).
	Errors []FieldError `json:"errors,omitempty"`
}

// FieldError is one bad field of an input; Field is the input's JSON name.
type FieldError struct {
	Field  string `json:"field"`
	Detail string `json:"detail"`
}

// writeProblem answers status with an about:blank problem, or with the
// API's own type for the statuses that have one.
func writeProblem(w http.ResponseWriter, r *http.Request, status int, title, detail string) {
	writeProblemDoc(w, r, Problem{Type: problemType(status), Title: title, Status: status, Detail: detail})
}

// problemType is the type URI the API uses for a status.
func problemType(status int) string {
	switch status {
	case http.StatusUnprocessableEntity:
		return ProblemValidation
	case http.StatusPreconditionFailed:
		return ProblemStale
	case http.StatusPreconditionRequired:
		return ProblemNoIfMatch
	case http.StatusBadRequest:
		return ProblemBadRequest
	default:
		return problemBlank
	}
}

func writeProblemDoc(w http.ResponseWriter, r *http.Request, p Problem) {
	if p.Title == "" {
		p.Title = http.StatusText(p.Status)
	}
	if p.Instance == "" && r != nil {
		p.Instance = r.URL.Path
	}
	w.Header().Set("Content-Type", problemMediaType)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(p)
}

// Errors of the request itself (not of the service), answered by
// writeServiceError like the service's sentinels.
var (
	// errBadRequest marks a body, query or header that cannot be read (400).
	errBadRequest = errors.New("bad request")
	// errIfMatchRequired: an update came without If-Match (428).
	errIfMatchRequired = errors.New("if-match required")
)

// writeServiceError answers the errors a caller can do something about
// with a problem and returns nil; any other error is returned, wrapped,
// for the adapter to answer 500 without showing its cause.
func writeServiceError(w http.ResponseWriter, r *http.Request, err error) error {
	var ve *manage.ValidationError
	switch {
	case errors.As(err, &ve):
		writeProblemDoc(w, r, Problem{Type: ProblemValidation, Title: "The input is not valid", Status: http.StatusUnprocessableEntity,
			Detail: "See errors for each field that cannot be accepted.", Errors: fieldErrors(ve)})
	case errors.Is(err, errBadRequest):
		writeProblem(w, r, http.StatusBadRequest, "Bad request", describe(err, errBadRequest))
	case errors.Is(err, errIfMatchRequired):
		writeProblem(w, r, http.StatusPreconditionRequired, "If-Match required",
			"Send the resource's ETag in If-Match; a change without it could overwrite another's.")
	case errors.Is(err, manage.ErrForbidden):
		writeProblem(w, r, http.StatusForbidden, "Forbidden", "Your roles do not allow this here.")
	case errors.Is(err, manage.ErrNotFound):
		writeProblem(w, r, http.StatusNotFound, "Not found", "There is no such resource.")
	case errors.Is(err, manage.ErrConflict):
		writeProblem(w, r, http.StatusConflict, "Conflict", conflictDetail(err))
	case errors.Is(err, manage.ErrStale):
		writeProblem(w, r, http.StatusPreconditionFailed, "Precondition failed",
			"The resource changed since you read it; read it again and redo the change.")
	default:
		return fmt.Errorf("admin api: %w", err)
	}
	return nil
}

// conflictDetail is the message the service wrote for the caller (a
// *manage.ConflictError), else a generic sentence: any other conflict
// comes from storage and its text, a driver's constraint message, names
// tables and columns the caller has no business with.
func conflictDetail(err error) string {
	if ce, ok := errors.AsType[*manage.ConflictError](err); ok {
		return ce.Detail
	}
	return "The change conflicts with the resource's current state or with another resource."
}

// fieldErrors lists a validation error's fields in name order, so that
// answers are stable.
func fieldErrors(ve *manage.ValidationError) []FieldError {
	out := make([]FieldError, 0, len(ve.Fields))
	for f, d := range ve.Fields {
		out = append(out, FieldError{Field: f, Detail: d})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

// describe is the part of err's message after the sentinel's own text:
// what the caller did wrong, without the wrapping.
func describe(err, sentinel error) string {
	msg := err.Error()
	if _, after, ok := strings.Cut(msg, sentinel.Error()+": "); ok {
		return after
	}
	return msg
}
