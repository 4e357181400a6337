package selfservice

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"foyer/storage"
)

// Identifiers typed on a page: which ones a lookup takes and the account
// one names.

// typedOK reports whether a typed identifier is one a lookup can take:
// present, at most 320 bytes, valid UTF-8 without control characters (a
// NUL byte, say, which PostgreSQL refuses in text).
func typedOK(s string) bool {
	return s != "" && len(s) <= 320 && utf8.ValidString(s) && strings.IndexFunc(s, unicode.IsControl) < 0
}

// limitSubject is the identifier a typed one names, as the lockouts
// count it: a phone number however its digits are grouped is one
// identifier (the lookup cleans it so), or each grouping would buy a
// guesser a fresh budget. Case is folded by the rules themselves.
func limitSubject(typed string) string {
	_, value := storage.ParseIdentifier(typed)
	return value
}

func allows(store *storage.IdentityStore, kind storage.IdentifierType) bool {
	if len(store.IdentifierTypes) == 0 {
		return kind == storage.IdentifierEmail
	}
	for _, t := range store.IdentifierTypes {
		if t == kind {
			return true
		}
	}
	return false
}

// findByIdentifier is the enabled account an identifier typed on a
// recovery page names, or nil.
func (h *Handler) findByIdentifier(ctx context.Context, storeID, typed string) (*storage.Account, error) {
	store, err := h.store.GetIdentityStore(ctx, storeID)
	if err != nil {
		return nil, fmt.Errorf("selfservice: load identity store: %w", err)
	}
	kind, value := storage.ParseIdentifier(typed)
	if !allows(store, kind) || !typedOK(typed) {
		return nil, nil
	}
	acct, err := h.store.FindAccountByIdentifier(ctx, storeID, kind, value)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("selfservice: find account: %w", err)
	}
	// A pending account can be recovered too: if someone registered the
	// address before its owner, a reset is how the owner takes it over.
	if acct.Status != storage.AccountEnabled && acct.Status != storage.AccountPending {
		return nil, nil
	}
	return acct, nil
}
