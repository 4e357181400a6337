package httpin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
)

// ErrNotForm is a body that is not application/x-www-form-urlencoded.
var ErrNotForm = errors.New("the body must be application/x-www-form-urlencoded")

// RepeatedError names a parameter given more than once.
type RepeatedError struct{ Name string }

func (e *RepeatedError) Error() string {
	return fmt.Sprintf("the parameter %q must not be given more than once", e.Name)
}

// DuplicateKeyError names a JSON object key given twice in one object.
type DuplicateKeyError struct{ Key string }

func (e *DuplicateKeyError) Error() string {
	return fmt.Sprintf("the JSON key %q appears more than once in one object", e.Key)
}

// StrictForm checks an OAuth endpoint's request (RFC 6749 section 3.2: a
// POST body is application/x-www-form-urlencoded; section 3.1 and 3.2:
// parameters must not be included more than once) and parses it, so the
// handler after it reads the form already parsed. Query parameters count
// with the body's: a name in both is repeated.
func StrictForm(r *http.Request) error {
	if r.Method == http.MethodPost {
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "application/x-www-form-urlencoded" {
			return ErrNotForm
		}
	}
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("the form cannot be read: %w", err)
	}
	return Unrepeated(r.Form)
}

// Unrepeated reports the first (by name) parameter with more than one
// value.
func Unrepeated(v url.Values) error {
	var first string
	for name, values := range v {
		if len(values) > 1 && (first == "" || name < first) {
			first = name
		}
	}
	if first != "" {
		return &RepeatedError{Name: first}
	}
	return nil
}

// MaxDepth bounds how deeply the objects and arrays of a document checked
// by NoDuplicateKeys may nest. The walk recurses once per level and
// json.Decoder's Token has no depth limit of its own, so without a bound a
// body of "[" costs hundreds of bytes of stack per byte (and a large one
// overflows the stack, which kills the process). No client metadata or
// admin API document comes near it.
const MaxDepth = 64

// ErrTooDeep is a JSON document nesting deeper than MaxDepth.
var ErrTooDeep = fmt.Errorf("the JSON document nests deeper than %d levels", MaxDepth)

// NoDuplicateKeys reports the first key that appears twice in one object
// anywhere in the JSON document (encoding/json would keep the last), or
// ErrTooDeep. Malformed JSON is left to the decoder that reads the
// document.
func NoDuplicateKeys(doc []byte) error {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	return walk(dec, 0)
}

// walk reads one JSON value from dec, depth levels down.
func walk(dec *json.Decoder, depth int) error {
	tok, err := dec.Token()
	if err != nil {
		return nilAtSyntax(err)
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	if depth >= MaxDepth {
		return ErrTooDeep
	}
	switch delim {
	case '{':
		seen := map[string]bool{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nilAtSyntax(err)
			}
			key, _ := kt.(string)
			if seen[key] {
				return &DuplicateKeyError{Key: key}
			}
			seen[key] = true
			if err := walk(dec, depth+1); err != nil {
				return err
			}
		}
	case '[':
		for dec.More() {
			if err := walk(dec, depth+1); err != nil {
				return err
			}
		}
	}
	_, err = dec.Token() // the closing delimiter
	return nilAtSyntax(err)
}

// nilAtSyntax leaves malformed input to the real decoder, whose error
// messages callers already map; only duplicate keys are this package's.
func nilAtSyntax(err error) error {
	if err == nil || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return nil
	}
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		return nil
	}
	return err
}
